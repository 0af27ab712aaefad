// Raw HTTP for the edge tests: bodies far larger than the server may take, sent from one reused
// buffer so that the test process itself does not grow, and the server's memory measured around them.
import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** How much of the body had been sent when the answer came. */
  sent: number;
}

/**
 * POSTs `totalBytes` of filler (after `prefix`), with or without a declared Content-Length, and
 * stops sending as soon as the server answers.
 */
export function postHuge(
  url: string,
  options: { headers: Record<string, string>; totalBytes: number; declareLength: boolean; prefix?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, ...(options.declareLength ? { 'content-length': String(options.totalBytes) } : {}) };
    // Kept alive, as a browser's connection is: with `Connection: close` Node's server closes the
    // socket the moment its refusal is written, and a client still sending may see the reset
    // (EPIPE) before it reads the refusal; a kept-alive connection is drained instead.
    const agent = new http.Agent({ keepAlive: true });
    const req = http.request(url, { method: 'POST', headers, agent });
    const filler = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), sent });
        req.destroy();
        agent.destroy();
      });
    });
    req.on('error', (e) => {
      agent.destroy();
      if (!answered) reject(e);
    });
    if (options.prefix) {
      req.write(options.prefix);
      sent += Buffer.byteLength(options.prefix);
    }
    const pump = () => {
      while (!answered && sent < options.totalBytes) {
        const piece = filler.subarray(0, Math.min(filler.length, options.totalBytes - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Runs `work` while sampling the process's resident memory; returns its result and the peak growth in MB. */
export async function peakGrowthMb<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, growthMb: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}
