import { ApiError, HostUnreachableError, NotIbsyncHostError, UsageError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TIMEOUT_MS = 30_000;

export type ClientConfig = {
  /** The host's address, e.g. http://127.0.0.1:8080 (a path prefix is kept, for hosts behind a proxy). */
  url: string;
  infobase: string | undefined;
  user: string | undefined;
  password: string | undefined;
  timeoutMs: number;
};

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export type RequestOptions = {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
};

export type ApiClient = {
  readonly url: string;
  /** The infobase the command works on; a usage error when none was given. */
  infobase(): string;
  /** A host-wide endpoint: `/api/v1/…`. */
  host<T>(method: Method, path: string, options?: RequestOptions): Promise<T>;
  /** An endpoint of the infobase: `/<ib>/api/v1/…`. */
  ib<T>(method: Method, path: string, options?: RequestOptions): Promise<T>;
};

/** Advice for the API errors a CLI user can fix from the command line. */
const HINTS: Record<string, string> = {
  authentication_required:
    'pass --user LOGIN and --password PASSWORD (or set IBSYNC_USER and IBSYNC_PASSWORD)',
  bad_credentials:
    'check --user and --password (IBSYNC_USER, IBSYNC_PASSWORD): they must match exactly, spaces and letter layout included',
  unknown_infobase: '`ibsync ib list` shows the infobases of this host',
  passwordless_remote: 'run the command on the host computer itself, or give the user a password',
};

export function createApiClient(config: ClientConfig): ApiClient {
  const base = parseBaseUrl(config.url);
  const authorization =
    config.user === undefined
      ? undefined
      : `Basic ${Buffer.from(`${config.user}:${config.password ?? ''}`, 'utf8').toString('base64')}`;

  const infobase = (): string => {
    if (!config.infobase) {
      throw new UsageError('this command works on one infobase: pass --ib NAME or set IBSYNC_IB', {
        hint: '`ibsync ib list` shows the infobases of this host',
      });
    }
    return config.infobase;
  };

  async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const target = `${base}${path}${query.size > 0 ? `?${query}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'ibsync-cli' };
    if (authorization) headers.authorization = authorization;
    // Fastify refuses an empty body announced as JSON, so the type goes only with a body.
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(target, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw unreachable(base, error, config.timeoutMs);
    }
    return readResponse<T>(base, method, path, response, text);
  }

  return {
    url: base,
    infobase,
    host: (method, path, options) => request(method, `/api/v1${path}`, options),
    ib: (method, path, options) =>
      request(method, `/${encodeURIComponent(infobase())}/api/v1${path}`, options),
  };
}

function parseBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: "${url}" is not a URL; give one such as ${DEFAULT_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url: "${url}" must start with http:// or https://`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function readResponse<T>(base: string, method: Method, path: string, response: Response, text: string): T {
  const contentType = response.headers.get('content-type') ?? '';
  let data: unknown;
  let isJson = false;
  if (text !== '' && contentType.includes('json')) {
    try {
      data = JSON.parse(text);
      isJson = true;
    } catch {
      isJson = false;
    }
  }
  if (!response.ok) {
    if (isJson && isErrorBody(data)) {
      const hint = HINTS[data.code];
      throw new ApiError(response.status, data, hint);
    }
    throw notIbsync(base, method, path, response, contentType);
  }
  if (response.status === 204 || text === '') return undefined as T;
  if (!isJson) throw notIbsync(base, method, path, response, contentType);
  return data as T;
}

function isErrorBody(data: unknown): data is { code: string; message: string } {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { code?: unknown }).code === 'string' &&
    typeof (data as { message?: unknown }).message === 'string'
  );
}

function notIbsync(
  base: string,
  method: Method,
  path: string,
  response: Response,
  contentType: string,
): NotIbsyncHostError {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const type = contentType.split(';')[0]?.trim() || 'no content type';
  return new NotIbsyncHostError(
    `${base} is not an ibsync host: ${method} ${path.split('?')[0]} answered ${status} (${type}) instead of the ibsync API`,
    'check --url (IBSYNC_URL): it must be the address an ibsync host listens on, e.g. http://127.0.0.1:8080',
  );
}

type NetworkCause = { code?: string; message?: string; errors?: { code?: string }[] };

/** Names why nothing answered, in words a person can act on. */
function unreachable(base: string, error: unknown, timeoutMs: number): HostUnreachableError {
  const name = (error as { name?: string }).name;
  const cause = ((error as { cause?: unknown }).cause ?? {}) as NetworkCause;
  const code = cause.code ?? cause.errors?.find((inner) => inner.code)?.code;
  const hostname = new URL(base).hostname;
  let reason: string;
  if (name === 'TimeoutError' || name === 'AbortError') {
    reason = `no answer within ${timeoutMs / 1000} s (timeout; IBSYNC_TIMEOUT_MS sets it)`;
  } else if (code === 'ECONNREFUSED') {
    reason = 'connection refused: nothing listens at that address and port';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    reason = `the host name "${hostname}" cannot be resolved (DNS)`;
  } else if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    reason = 'the connection timed out';
  } else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    reason = 'no route to the host (network unreachable)';
  } else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    reason = 'the connection was closed before an answer came';
  } else {
    reason = cause.message ?? (error instanceof Error ? error.message : String(error));
  }
  return new HostUnreachableError(
    `cannot reach an ibsync host at ${base}: ${reason}`,
    'start one with `ibsync serve`, or point --url (IBSYNC_URL) at a running host',
  );
}
