// A bad network between the kiosks and the server, at the HTTP level: it drops requests before the
// server sees them, drops replies after the server has committed, delays both, and sends late
// copies of requests after the kiosk has moved on (a retransmission arriving out of order). The
// server behind it may be dead: the kiosk then sees a broken connection, as it would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyRates {
  /** Requests destroyed before they reach the server. */
  dropRequest: number;
  /** Replies destroyed after the server answered (the server has the taps; the kiosk does not know). */
  dropReply: number;
  /** Requests or replies held back (up to `maxDelayMs`), which reorders them among the kiosks. */
  delay: number;
  maxDelayMs: number;
  /** Requests sent a second time, later (up to `lateCopyMs`), after the original. */
  duplicate: number;
  lateCopyMs: number;
}

export const DEFAULT_RATES: ProxyRates = { dropRequest: 0.08, dropReply: 0.08, delay: 0.3, maxDelayMs: 400, duplicate: 0.1, lateCopyMs: 3000 };

export interface ProxyCounts {
  requests: number;
  droppedRequests: number;
  droppedReplies: number;
  delayed: number;
  lateCopies: number;
  /** Requests or copies that met a dead server (killed, restarting). */
  serverDown: number;
}

/** A small deterministic generator (mulberry32): a run is repeatable from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class ChaosProxy {
  readonly counts: ProxyCounts = { requests: 0, droppedRequests: 0, droppedReplies: 0, delayed: 0, lateCopies: 0, serverDown: 0 };
  /** Requests handed to the server and not yet answered: a kill now lands mid-batch. */
  inFlight = 0;
  readonly #server = http.createServer((req, res) => void this.#handle(req, res));
  readonly #agent = new http.Agent({ keepAlive: false });
  readonly #pending = new Set<Promise<unknown>>();
  #closing = false;

  readonly #upstreamPort: () => number;
  readonly #random: () => number;
  readonly #rates: ProxyRates;

  constructor(upstreamPort: () => number, random: () => number, rates: ProxyRates = DEFAULT_RATES) {
    this.#upstreamPort = upstreamPort;
    this.#random = random;
    this.#rates = rates;
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await new Promise((resolve) => this.#server.once('listening', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#pending]);
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
    this.#agent.destroy();
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.counts.requests += 1;
    if (this.#random() < this.#rates.dropRequest) {
      this.counts.droppedRequests += 1;
      res.socket?.destroy();
      return;
    }
    if (this.#random() < this.#rates.delay) {
      this.counts.delayed += 1;
      await sleep(this.#random() * this.#rates.maxDelayMs);
    }
    if (!this.#closing && this.#random() < this.#rates.duplicate) {
      this.counts.lateCopies += 1;
      const wait = this.#random() * this.#rates.lateCopyMs;
      this.#track(sleep(wait).then(() => this.#forward(req, body).catch(() => undefined)));
    }
    let reply: Upstream;
    try {
      reply = await this.#forward(req, body);
    } catch {
      res.socket?.destroy();
      return;
    }
    if (this.#random() < this.#rates.dropReply) {
      this.counts.droppedReplies += 1;
      res.socket?.destroy();
      return;
    }
    if (this.#random() < this.#rates.delay) {
      this.counts.delayed += 1;
      await sleep(this.#random() * this.#rates.maxDelayMs);
    }
    res.writeHead(reply.status, { 'content-type': reply.headers['content-type'] ?? 'application/json' });
    res.end(reply.body);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async #forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    this.inFlight += 1;
    try {
      return await new Promise<Upstream>((resolve, reject) => {
        const upstream = http.request(
          {
            host: '127.0.0.1',
            port: this.#upstreamPort(),
            method: req.method,
            path: req.url,
            agent: this.#agent,
            headers: { ...forwarded(req.headers), 'content-length': String(body.length) },
          },
          (reply) => {
            const parts: Buffer[] = [];
            reply.on('data', (d: Buffer) => parts.push(d));
            reply.on('end', () => resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: Buffer.concat(parts) }));
            reply.on('error', reject);
          },
        );
        upstream.on('error', (error) => {
          this.counts.serverDown += 1;
          reject(error);
        });
        upstream.end(body);
      });
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** The headers a tRPC call needs, without hop-by-hop ones (the body is sent whole, with its length). */
function forwarded(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const keep = ['content-type', 'authorization', 'cookie', 'accept', 'trpc-accept', 'x-trpc-source'];
  return Object.fromEntries(Object.entries(headers).filter(([name]) => keep.includes(name)));
}
