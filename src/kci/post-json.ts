import http from 'node:http';
import https from 'node:https';

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

export interface PostResult {
  status: number;
  retryAfter?: string;
  /** the start of the answer's body when the status is not 2xx (at most keepBytes); a 2xx body is discarded */
  body?: Buffer;
}

/**
 * One JSON POST with a whole-request timeout, keep-alive, no redirects followed and the answer's body
 * discarded (but for the first keepBytes of a failure's): all a webhook delivery needs, at a fraction of a
 * general HTTP client's cost per call.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
  keepBytes = 0,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(
      u,
      {
        method: 'POST',
        agent: u.protocol === 'https:' ? agents.https : agents.http,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (status >= 200 && status < 300) return;
          if (kept >= keepBytes) return;
          chunks.push(c.subarray(0, keepBytes - kept));
          kept += Math.min(c.length, keepBytes - kept);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status,
            retryAfter: res.headers['retry-after'] as string | undefined,
            ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
          });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // Shutting down: the call is abandoned (the KCI is handed back and delivered again later).
    if (signal)
      signal.addEventListener(
        'abort',
        () => req.destroy(Object.assign(new Error('abandoned: shutting down'), { code: 'ABORTED' })),
        { once: true },
      );
    req.end(body);
  });
}
