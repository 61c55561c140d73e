import { Agent, request } from 'node:http';

/** A small client of the hosts' HTTP API, as any script would use it (the CLI speaks the same API). */
export type Job = {
  id: string;
  state: 'running' | 'done' | 'failed';
  progress: { phase: string; done: number; total: number };
  result: unknown;
  error: { code: string; message: string } | null;
};

export type Api = {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Starts a job and follows it to its end, reporting its progress as it goes. */
  job(path: string, onProgress?: (job: Job) => void): Promise<Job>;
};

// Keep-alive, as a client that synchronizes often would; node:http has no overall timeout, which a
// load of a million objects needs.
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export function createApi(url: string, infobase: string, login: string, password: string): Api {
  const authorization = `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
  function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const outgoing = request(
        `${url}/${infobase}/api/v1${path}`,
        {
          method,
          agent,
          headers: {
            authorization,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status >= 400) {
              reject(new Error(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`));
              return;
            }
            resolve((text ? JSON.parse(text) : undefined) as T);
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
  return {
    call,
    async job(path, onProgress) {
      let job = await call<Job>('POST', path);
      while (job.state === 'running') {
        onProgress?.(job);
        await new Promise((resolve) => setTimeout(resolve, 25));
        job = await call<Job>('GET', `/sync/jobs/${job.id}`);
      }
      onProgress?.(job);
      if (job.state === 'failed')
        throw new Error(`${path} failed: ${job.error?.code}: ${job.error?.message}`);
      return job;
    },
  };
}

export function closeApiConnections() {
  agent.destroy();
}
