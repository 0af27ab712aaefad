// Every request gets an id that travels back in `X-Request-Id` (and in the body of an error), so
// a user who reports "编号 …" leads the administrator to the one line the server logged.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Message } from './errors.ts';

const current = new AsyncLocalStorage<string>();

export function assignRequestId(_req: Request, res: Response, next: NextFunction): void {
  const id = randomUUID();
  res.setHeader('X-Request-Id', id);
  current.run(id, next);
}

/** The id of the request being served, wherever in its handling the caller is. */
export function requestId(): string | null {
  return current.getStore() ?? null;
}

/**
 * One line for a server error (5xx). The message of the error is left out on purpose: a database
 * or library message can quote the values it choked on (a name, an ID number), and logs are kept
 * and shared more loosely than the database. The kind of error and where it was thrown is enough
 * to find the fault.
 */
export function logServerError(where: { status: number; method: string; route: string }, error: unknown): void {
  const kind = error instanceof Error ? [error.name, codeOf(error)].filter(Boolean).join(' ') : typeof error;
  const all =
    error instanceof Error
      ? (error.stack ?? '')
          .split('\n')
          .filter((l) => l.trimStart().startsWith('at '))
          .map((l) => l.trim().slice(3))
      : [];
  // Where in our code it happened matters more than the library frames above it.
  const ours = all.filter((f) => !f.includes('node_modules') && !f.includes('node:'));
  const frames = [...all.slice(0, 2), ...ours.filter((f) => !all.slice(0, 2).includes(f)).slice(0, 4)];
  console.error(
    `[${new Date().toISOString()}] ${where.status} request=${requestId() ?? '-'} ${where.method} ${where.route}: ${kind}${frames.length ? ` at ${frames.join(' < ')}` : ''}`,
  );
}

function codeOf(error: Error): string | null {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

/** What the user reads when the server failed: no internals, the id to quote instead. */
export function serverErrorMessage(id: string | null): Message {
  return { key: 'error.server', params: { reference: id ? id.slice(0, 8) : '' } };
}
