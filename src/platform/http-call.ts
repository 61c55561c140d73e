import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What a caller reads of an answer; fetch's Response is adapted to the same (`fromFetch`). */
export type HttpAnswer = {
  ok: boolean;
  status: number;
  /** Where a redirect points: calls are not redirected, the caller says where to. */
  location: string | null;
  text(): Promise<string>;
  buffer(): Promise<Buffer>;
};

export type HttpCallOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | undefined;
  /** No byte from the other side for this long ends the call with a `TimeoutError`. */
  timeoutMs: number;
};

// Connections are kept alive, as fetch keeps them: a Synchronize makes two or more calls to the same peer.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One HTTP call with node:http(s), its answer's body read whole. fetch costs about half a millisecond more
 * per call (its web streams and objects), and a Synchronize of one document makes two calls
 * (docs/BENCHMARKS.md). A network failure rejects with the system's error (its `code`), a silent peer with
 * a `TimeoutError`, and an answer cut in the middle fails when its body is read.
 */
export function httpCall(url: string, options: HttpCallOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        agent: secure ? agents.https : agents.http,
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        const whole = new Promise<Buffer>((done, failed) => {
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(Buffer.concat(chunks)));
          response.on('error', failed);
          response.on('close', () => {
            if (!response.complete) failed(new Error('the answer was cut short'));
          });
        });
        // Read by the caller or not at all; a failure nobody reads is not an unhandled rejection.
        whole.catch(() => {});
        const status = response.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          location: response.headers.location ?? null,
          text: async () => (await whole).toString('utf8'),
          buffer: () => whole,
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(
        Object.assign(new Error(`no answer in ${options.timeoutMs} ms`), { name: 'TimeoutError' }),
      ),
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** fetch's answer as an `HttpAnswer`: tests route fetch into hosts running in process. */
export function fromFetch(response: Response): HttpAnswer {
  return {
    ok: response.ok,
    status: response.status,
    location: response.headers.get('location'),
    text: () => response.text(),
    buffer: async () => Buffer.from(await response.arrayBuffer()),
  };
}
