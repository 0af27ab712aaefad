// POST /api/files/:purpose — files travel as files (multipart), streamed and counted as they
// arrive, each purpose with its own caps; the form that needs them then names them by id.
import busboy from 'busboy';
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import type { Role } from './authz.ts';
import type { DB } from './db/connect.ts';
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
export const UPLOADS: Record<UploadPurpose, { public: boolean; files: number; fileBytes: number; requestBytes: number; roles?: readonly Role[]; png?: true }> = {
  photo: { public: true, files: 1, fileBytes: PHOTO.maxBytes, requestBytes: PHOTO.maxBytes + 16 * 1024 },
  evidence: { public: false, files: 5, fileBytes: MAX_EVIDENCE_BYTES, requestBytes: 50 * MB },
  attachment: { public: false, files: 10, fileBytes: 10 * MB, requestBytes: 50 * MB },
  assessments: { public: false, files: 1, fileBytes: 5 * MB, requestBytes: 5 * MB + 16 * 1024 },
  // The unit's seal: only the unit admin sets it, a small PNG (a scanned stamp with a clear background).
  seal: { public: false, files: 1, fileBytes: 512 * 1024, requestBytes: 512 * 1024 + 16 * 1024, roles: ['unit-admin'], png: true },
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A browser sends this header only from our own pages: a form on another site cannot add it
 * without asking first (CORS), so no upload can be forged into a signed-in account.
 */
export const UPLOAD_HEADER = 'x-opencme-upload';

/** 10MB, 100KB (with a space in English: 10 MB). */
const size = (n: number, space = '') => (n >= MB ? `${(n / MB).toFixed(n % MB ? 1 : 0)}${space}MB` : `${Math.round(n / 1024)}${space}KB`);

function reply(res: Response, status: number, zh: string, en: string): void {
  res.status(status).json({ error: zh, messageEn: en, requestId: requestId() });
}

export function uploadRoute(deps: { db: DB; now: () => Date }) {
  return async (req: Request, res: Response): Promise<void> => {
    const refuse = (status: number, zh: string, en: string) => {
      stopReading(req);
      reply(res, status, zh, en);
    };
    const purpose = req.params.purpose as UploadPurpose;
    const rule = Object.hasOwn(UPLOADS, purpose) ? UPLOADS[purpose] : null;
    if (!rule) return refuse(404, '没有这种文件', 'No such kind of upload');
    if (req.headers[UPLOAD_HEADER] !== '1') return refuse(403, '请从本系统的页面上传文件', 'Upload files from the OpenCME pages');

    let ownerUserId: string | null = null;
    if (rule.public) {
      const limit = LIMITS.publicUpload;
      const taken = await reserve(deps.db, { key: limitKey('publicUpload', addressKey(req.ip)), limit: limit.limit, windowMs: limit.windowMs, now: deps.now() });
      if (!taken.ok) return refuse(429, '上传过于频繁，请稍后再试', 'Too many uploads: try again later');
    } else {
      const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
      const user = token ? await findUserBySession(deps.db, token, deps.now()) : null;
      if (!user) return refuse(401, '请先登录', 'Please sign in first');
      if (user.mustChangePassword) return refuse(403, '首次登录请先修改初始密码', 'Change the initial password first');
      if (rule.roles && !rule.roles.includes(user.role)) return refuse(403, '您的账号无权上传这种文件', 'Your account may not upload this kind of file');
      ownerUserId = user.id;
    }
    if (!req.is('multipart/form-data')) return refuse(415, '请以文件形式上传', 'Send the files as multipart/form-data');
    if (declaredTooLarge(req, rule.requestBytes)) return refuse(413, `文件总大小超过${size(rule.requestBytes)}上限`, `The files are over the ${size(rule.requestBytes, ' ')} limit`);

    const files = await receiveFiles(req, rule).catch((e: unknown) => e as Refusal);
    if (files instanceof Refusal) return refuse(files.status, files.zh, files.en);
    if (rule.png && files.some((f) => !Buffer.from(f.bytes.subarray(0, 8)).equals(PNG_SIGNATURE))) return refuse(415, '请上传PNG格式的图片', 'Upload a PNG image');
    const ids = await saveUploads(deps.db, { purpose, ownerUserId, files, now: deps.now() });
    res.status(201).json({ files: files.map((f, i) => ({ id: ids[i], name: f.fileName, size: f.bytes.length })) });
  };
}

class Refusal extends Error {
  readonly status: number;
  readonly zh: string;
  readonly en: string;
  constructor(status: number, zh: string, en: string) {
    super(en);
    this.status = status;
    this.zh = zh;
    this.en = en;
  }
}

/** Reads the files of a multipart body, refusing at the first byte over a cap. */
function receiveFiles(req: Request, rule: (typeof UPLOADS)[UploadPurpose]): Promise<UploadedFile[]> {
  return new Promise((resolve, reject) => {
    const files: UploadedFile[] = [];
    let total = 0;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Chinese file names arrive as UTF-8.
        defParamCharset: 'utf8',
        limits: { files: rule.files, fileSize: rule.fileBytes, fields: 0, headerPairs: 20 },
      });
    } catch {
      reject(new Refusal(400, '上传的内容无法读取', 'The upload cannot be read'));
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
        if (total > rule.requestBytes) fail(new Refusal(413, `文件总大小超过${size(rule.requestBytes)}上限`, `The files are over the ${size(rule.requestBytes, ' ')} limit`));
        else chunks.push(chunk);
      });
      stream.on('limit', () => fail(new Refusal(413, `文件“${fileName}”超过${size(rule.fileBytes)}上限`, `The file “${fileName}” is over the ${size(rule.fileBytes, ' ')} limit`)));
      stream.on('end', () => {
        if (!stream.truncated) files.push({ fileName, contentType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('filesLimit', () => fail(new Refusal(413, `一次最多上传${rule.files}个文件`, `At most ${rule.files} files at a time`)));
    parser.on('fieldsLimit', () => fail(new Refusal(400, '只能上传文件', 'Send files only')));
    parser.on('error', () => fail(new Refusal(400, '上传的内容无法读取', 'The upload cannot be read')));
    req.once('close', () => {
      if (!req.complete) fail(new Refusal(400, '上传中断，请重试', 'The upload was interrupted: try again'));
    });
    parser.on('close', () => {
      if (files.length === 0) reject(new Refusal(400, '没有收到文件', 'No file was received'));
      else resolve(files);
    });
    req.pipe(parser);
  });
}
