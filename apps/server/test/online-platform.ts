// A simulated online learning platform (线上学习平台): it signs real HTTP requests the way
// docs/online-learning.md tells a platform's developers to, written from that page and not from the
// server's code, so that the page and the server are checked against each other. It sends watch
// events in batches, duplicates and shuffles them as a real platform's retries and queues do.
import { createHash, createHmac } from 'node:crypto';

export interface SimulatedEvent {
  eventId: string;
  sessionId: string;
  person: { idNumber: string } | { cardNumber: string };
  start: string;
  end?: string;
  seconds?: number;
}

export interface SentRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export const WATCH_EVENTS = '/api/online/v1/watch-events';

/** The five lines of the canonical string, signed with HMAC-SHA256 under the secret's UTF-8 bytes. */
export function sign(secret: string, method: string, path: string, timestamp: string, body: string): string {
  const canonical = ['OPENCME-HMAC-SHA256', method, path, timestamp, createHash('sha256').update(body, 'utf8').digest('hex')].join('\n');
  return `v1=${createHmac('sha256', secret).update(canonical, 'utf8').digest('hex')}`;
}

/** A deterministic shuffle (the same order at every run), so a failure can be replayed. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function simulatedPlatform(options: { url: string; platformId: string; secret: string; now: () => Date }) {
  /** Builds a signed request; `tamper` changes what a real platform never would. */
  function request(events: readonly SimulatedEvent[], tamper: { secret?: string; timestamp?: string; unsigned?: boolean } = {}): SentRequest {
    const body = JSON.stringify({ events });
    const timestamp = tamper.timestamp ?? String(Math.floor(options.now().getTime() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!tamper.unsigned) {
      headers['x-opencme-platform'] = options.platformId;
      headers['x-opencme-timestamp'] = timestamp;
      headers['x-opencme-signature'] = sign(tamper.secret ?? options.secret, 'POST', WATCH_EVENTS, timestamp, body);
    }
    return { path: WATCH_EVENTS, headers, body };
  }

  async function post(sent: SentRequest) {
    const res = await fetch(`${options.url}${sent.path}`, { method: 'POST', headers: sent.headers, body: sent.body });
    return { status: res.status, body: (await res.json()) as WatchReply };
  }

  return {
    request,
    post,
    send: (events: readonly SimulatedEvent[]) => post(request(events)),
  };
}

export interface WatchReply {
  stored?: number;
  duplicates?: number;
  unknownPersons?: number;
  invalid?: number;
  results?: { eventId: string; status: 'stored' | 'duplicate' | 'unknown-person' | 'invalid' }[];
  messageKey?: string;
}

/**
 * A person's watching as a platform reports it: `minutes` of watching from `from` (China time) in
 * chunks of `chunk` minutes, each an event; the chunks overlap their neighbour by a minute where
 * `overlap` is set (a player that reports its buffer twice).
 */
export function watchEvents(p: {
  prefix: string;
  sessionId: string;
  person: SimulatedEvent['person'];
  day: string;
  from: string;
  minutes: number;
  chunk: number;
  overlap?: boolean;
}): SimulatedEvent[] {
  const start = Date.parse(`${p.day}T${p.from}:00+08:00`);
  const events: SimulatedEvent[] = [];
  for (let done = 0, i = 0; done < p.minutes; done += p.chunk, i++) {
    const length = Math.min(p.chunk, p.minutes - done);
    const from = start + done * 60_000 - (p.overlap && i > 0 ? 60_000 : 0);
    const to = start + (done + length) * 60_000;
    const event: SimulatedEvent = { eventId: `${p.prefix}-${i}`, sessionId: p.sessionId, person: p.person, start: new Date(from).toISOString() };
    // Some platforms send the end, others the seconds watched.
    if (i % 2 === 0) event.end = new Date(to).toISOString();
    else event.seconds = (to - from) / 1000;
    events.push(event);
  }
  return events;
}

/**
 * An online project (线上) of `organiserId` with one course and one session on `day` from 08:00 to
 * 18:00 China time, approved (the default of a project written straight to the table).
 */
export async function addOnlineSession(server: import('./harness.ts').TestServer, organiserId: string, day: string) {
  const { newId } = await import('@opencme/core');
  const at = server.clock.now.toISOString();
  const projectId = newId();
  const courseId = newId();
  const sessionId = newId();
  const startsAt = `${day}T08:00:00+08:00`;
  const endsAt = `${day}T18:00:00+08:00`;
  await server.db
    .insertInto('projects')
    .values({
      id: projectId,
      number: `ONLINE-${projectId.slice(-6)}`,
      name: '远程心电图判读培训',
      level: 'provincial',
      credit_class: 'I',
      credits: 2,
      organiser_id: organiserId,
      venue: '线上',
      starts_on: day,
      ends_on: day,
      mode: 'online',
      created_at: at,
    })
    .execute();
  await server.db
    .insertInto('courses')
    .values({ id: courseId, project_id: projectId, name: '线上直播', starts_at: startsAt, ends_at: endsAt, credits: 2, created_at: at })
    .execute();
  await server.db
    .insertInto('sessions')
    .values({
      id: sessionId,
      project_id: projectId,
      course_id: courseId,
      title: '线上直播',
      venue: '线上',
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: at,
    })
    .execute();
  return { projectId, courseId, sessionId };
}
