// What the exchange tells its user: a message key and its parameters, worded in Chinese for the
// reply (packages/words holds the texts, which the app's catalogues also carry in English).
import { exchangeInChinese } from '@opencme/words';
import { type MessageParams, UserFacingError } from '../errors.ts';

/** A file or request the exchange will not take, with the HTTP status of the reply. */
export class ExchangeRefusal extends Error {
  readonly status: number;
  readonly key: string;
  readonly params: MessageParams;
  /** More for the reply (the errors of a preview that cannot be committed). */
  readonly extra: Record<string, unknown>;
  constructor(status: number, key: string, params: MessageParams = {}, extra: Record<string, unknown> = {}) {
    super(key);
    this.status = status;
    this.key = key;
    this.params = params;
    this.extra = extra;
  }
}

/** One problem of an import: where (row as Excel numbers it, column as its header says), what, and why in Chinese. */
export interface ExchangeError {
  row: number | null;
  column: string | null;
  code: string;
  message: string;
  messageKey: string;
  params: MessageParams;
}

/** `code` is the key's last part (`check-digit` style), stable for scripts that read the reply. */
export function exchangeError(row: number | null, column: string | null, key: string, params: MessageParams = {}): ExchangeError {
  const code = key.replace(/^exchange\.(cell\.)?/, '').replace(/\./g, '-');
  return {
    row,
    column,
    code,
    message: exchangeInChinese(key, { column: column ?? '', ...params }),
    messageKey: key,
    params: { column: column ?? '', ...params },
  };
}

const CODES = { 400: 'BAD_REQUEST', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 422: 'UNPROCESSABLE_CONTENT' } as const;

/** Runs a use case for a tRPC procedure: a refusal becomes the error the app words from its key. */
export async function asProcedure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ExchangeRefusal)) throw error;
    throw new UserFacingError(CODES[error.status as keyof typeof CODES] ?? 'BAD_REQUEST', error.key, error.params);
  }
}
