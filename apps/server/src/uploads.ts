// POST /api/files/:purpose — files travel as files (multipart), streamed and counted as they
// arrive, each purpose with its own caps; the form that needs them then names them by id.
import busboy from 'busboy';
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import type { Role } from './role.ts';
import type { DB } from './db/connect.ts';
import type { MessageParams } from './errors.ts';
import { PHOTO } from './photos.ts';
import { addressKey, LIMITS, limitKey } from './rate-limit.ts';
import { reserve } from './repositories/rate-limits.ts';
import { MAX_EVIDENCE_BYTES } from './repositories/claims.ts';
import { saveUploads, type UploadedFile, type UploadPurpose } from './repositories/uploads.ts';
import { findUserBySession } from './repositories/users.ts';
import { requestId } from './request-log.ts';
import { declaredTooLarge, stopReading } from './request-body.ts';
import { SESSION_COOKIE } from './trpc.ts';

const MB = 1024 * 1024;

/**
 * Who may send what, and how much. Only the registration photo is public, and it is small; the
 * rest needs a signed-in account, and the form that uses a file checks the account's rights.
 */
export const UPLOADS: Record<UploadPurpose, { public: boolean; files: number; fileBytes: number; requestBytes: number; roles?: readonly Role[]; png?: true }> =
  {
    photo: { public: true, files: 1, fileBytes: PHOTO.maxBytes, requestBytes: PHOTO.maxBytes + 16 * 1024 },
    evidence: { public: false, files: 5, fileBytes: MAX_EVIDENCE_BYTES, requestBytes: 50 * MB },
    attachment: { public: false, files: 10, fileBytes: 10 * MB, requestBytes: 50 * MB },
    // The unit's seal: only the unit admin sets it, a small PNG (a scanned stamp with a clear background).
    seal: { public: false, files: 1, fileBytes: 512 * 1024, requestBytes: 512 * 1024 + 16 * 1024, roles: ['unit-admin'], png: true },
  };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A browser sends this header only from our own pages: a form on another site cannot add it
 * without asking first (CORS), so no upload can be forged into a signed-in account.
 */
export const UPLOAD_HEADER = 'x-opencme-upload';

/** A size as the message's `{amount}{unit}` (10MB, 100KB; the English text puts a space between). */
const size = (n: number) => (n >= MB ? { amount: Number((n / MB).toFixed(n % MB ? 1 : 0)), unit: 'MB' } : { amount: Math.round(n / 1024), unit: 'KB' });

/** A refusal as a message key and its parameters: the page says it in its user's language. */
function reply(res: Response, status: number, key: string, params: MessageParams): void {
  res.status(status).json({ error: key, messageKey: key, params, requestId: requestId() });
}

export function uploadRoute(deps: { db: DB; now: () => Date }) {
  return async (req: Request, res: Response): Promise<void> => {
    const refuse = (status: number, key: string, params: MessageParams = {}) => {
      stopReading(req);
      reply(res, status, key, params);
    };
    const purpose = req.params.purpose as UploadPurpose;
    const rule = Object.hasOwn(UPLOADS, purpose) ? UPLOADS[purpose] : null;
    if (!rule) return refuse(404, 'uploads.no-such-kind');
    if (req.headers[UPLOAD_HEADER] !== '1') return refuse(403, 'uploads.from-our-pages');

    let ownerUserId: string | null = null;
    if (rule.public) {
      const limit = LIMITS.publicUpload;
      const taken = await reserve(deps.db, {
        key: limitKey('publicUpload', addressKey(req.ip)),
        limit: limit.limit,
        windowMs: limit.windowMs,
        now: deps.now(),
      });
      if (!taken.ok) return refuse(429, 'uploads.too-many');
    } else {
      const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
      const user = token ? await findUserBySession(deps.db, token, deps.now()) : null;
      if (!user) return refuse(401, 'access.sign-in-first');
      if (user.mustChangePassword) return refuse(403, 'access.change-initial-password-first');
      if (rule.roles && !rule.roles.includes(user.role)) return refuse(403, 'uploads.not-for-your-account');
      ownerUserId = user.id;
    }
    if (!req.is('multipart/form-data')) return refuse(415, 'uploads.not-multipart');
    if (declaredTooLarge(req, rule.requestBytes)) return refuse(413, 'uploads.total-too-large', size(rule.requestBytes));

    const received = await receiveFiles(req, rule).catch((e: unknown) => e as Refusal);
    if (received instanceof Refusal) return refuse(received.status, received.key, received.params);
    const { files } = received;
    if (rule.png && files.some((f) => !Buffer.from(f.bytes.subarray(0, 8)).equals(PNG_SIGNATURE))) return refuse(415, 'uploads.not-png');
    const ids = await saveUploads(deps.db, { purpose, ownerUserId, files, now: deps.now() });
    res.status(201).json({ files: files.map((f, i) => ({ id: ids[i], name: f.fileName, size: f.bytes.length })) });
  };
}

export class Refusal extends Error {
  readonly status: number;
  readonly key: string;
  readonly params: MessageParams;
  constructor(status: number, key: string, params: MessageParams = {}) {
    super(key);
    this.status = status;
    this.key = key;
    this.params = params;
  }
}

/** The caps of one multipart request. */
export type UploadRule = Pick<(typeof UPLOADS)[UploadPurpose], 'files' | 'fileBytes' | 'requestBytes'>;

/**
 * Reads the files of a multipart body, refusing at the first byte over a cap; text fields only
 * when named in `fieldNames` (a few short ones), any other is refused.
 */
export function receiveFiles(
  req: Request,
  rule: UploadRule,
  fieldNames: readonly string[] = [],
): Promise<{ files: UploadedFile[]; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    let total = 0;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Chinese file names arrive as UTF-8.
        defParamCharset: 'utf8',
        limits: { files: rule.files, fileSize: rule.fileBytes, fields: fieldNames.length, fieldSize: 200, headerPairs: 20 },
      });
    } catch {
      reject(new Refusal(400, 'uploads.unreadable'));
      return;
    }
    const fail = (refusal: Refusal) => {
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => {});
      reject(refusal);
    };
    parser.on('file', (_field, stream, info) => {
      const chunks: Buffer[] = [];
      const fileName = (info.filename ?? 'file').slice(0, 200);
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > rule.requestBytes) fail(new Refusal(413, 'uploads.total-too-large', size(rule.requestBytes)));
        else chunks.push(chunk);
      });
      stream.on('limit', () => fail(new Refusal(413, 'uploads.file-too-large', { fileName, ...size(rule.fileBytes) })));
      stream.on('end', () => {
        if (!stream.truncated) files.push({ fileName, contentType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('field', (name, value) => {
      if (fieldNames.includes(name)) fields[name] = value;
      else fail(new Refusal(400, 'uploads.files-only'));
    });
    parser.on('filesLimit', () => fail(new Refusal(413, 'uploads.too-many-files', { files: rule.files })));
    parser.on('fieldsLimit', () => fail(new Refusal(400, 'uploads.files-only')));
    parser.on('error', () => fail(new Refusal(400, 'uploads.unreadable')));
    req.once('close', () => {
      if (!req.complete) fail(new Refusal(400, 'uploads.interrupted'));
    });
    parser.on('close', () => {
      if (files.length === 0) reject(new Refusal(400, 'uploads.no-file'));
      else resolve({ files, fields });
    });
    req.pipe(parser);
  });
}
