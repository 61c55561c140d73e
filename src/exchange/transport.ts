import type { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { fromFetch, type HttpAnswer, httpCall } from '../platform/http-call.js';
import type { MessageDescriptor } from './message-store.js';
import {
  type CreateNodeRequest,
  type InboxState,
  importResultSchema,
  inboxStateSchema,
  type NodeStatus,
  nodeStatusSchema,
  type Outbox,
  outboxSchema,
  type PeerImportResult,
  type PeerInfo,
  peerInfoSchema,
} from './peer-protocol.js';

/**
 * How this side talks to a peer. The HTTP implementation is the real one; tests may hand in a fetch that
 * routes the calls into hosts running in process.
 */
export interface PeerTransport {
  publicInfo(): Promise<PeerInfo>;
  info(): Promise<PeerInfo>;
  createNode(request: CreateNodeRequest): Promise<NodeStatus>;
  nodeStatus(ownCode: string): Promise<NodeStatus>;
  deleteNode(ownCode: string): Promise<void>;
  /** `receivedNo`: our acknowledgement of the peer's messages, taken before it prepares its own. */
  prepareOutbox(ownCode: string, receivedNo?: number): Promise<Outbox>;
  downloadPart(ownCode: string, messageNo: number, partNo: number): Promise<Buffer>;
  /**
   * `inline`: the message's only part, sent with the announcement when it is small (peer-protocol.ts);
   * the peer then applies it at once and answers with the result in `imported`.
   */
  announce(ownCode: string, message: MessageDescriptor, inline?: Buffer): Promise<InboxState>;
  uploadPart(ownCode: string, messageNo: number, partNo: number, data: Buffer, sha256: string): Promise<void>;
  importMessage(ownCode: string, messageNo: number): Promise<PeerImportResult>;
  acknowledge(ownCode: string, receivedNo: number): Promise<void>;
}

export type PeerConnection = { url: string; login: string; password: string };
export type TransportFactory = (connection: PeerConnection) => PeerTransport;
export type Fetch = typeof fetch;

const RETRIES = 3;

/** Network failures a retry may cure; every call of the protocol is safe to repeat. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof AppError &&
    (error.code === 'not_reachable' || error.code === 'peer_unavailable' || error.code === 'peer_timeout')
  );
}

/** A call of the protocol: JSON or a part's bytes, with the peer's login unless `authenticated` is false. */
type Call = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  authenticated?: boolean;
};

export function createHttpTransport(
  connection: PeerConnection,
  options: { fetch?: Fetch; timeoutMs?: number; pollMs?: number } = {},
): PeerTransport {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const base = `${connection.url.replace(/\/+$/, '')}/exchange/v1`;
  const authorization = `Basic ${Buffer.from(`${connection.login}:${connection.password}`).toString('base64')}`;
  const injected = options.fetch;
  const call = (url: string, init: Call): Promise<HttpAnswer> =>
    injected
      ? injected(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }).then(fromFetch)
      : httpCall(url, { ...init, timeoutMs });

  async function send(path: string, { authenticated, ...init }: Call = {}): Promise<HttpAnswer> {
    const headers = { ...init.headers, ...(authenticated !== false ? { authorization } : {}) };
    let response: HttpAnswer;
    try {
      response = await call(`${base}${path}`, { ...init, headers });
    } catch (error) {
      throw networkError(connection.url, error);
    }
    if (response.ok) return response;
    // An address typed with http:// where the host answers on https://, or behind a proxy that moved it.
    if (response.status >= 300 && response.status < 400 && response.location) {
      throw notIbsync(connection.url, `it redirects to ${response.location}`);
    }
    const body = await readBody(connection.url, () => response.text());
    let parsed: { code?: unknown; message?: unknown } | undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      throw new AppError(parsed.code, parsed.message, {
        status: response.status >= 500 ? 502 : response.status,
      });
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new AppError(
        'peer_unavailable',
        `${connection.url} answered ${response.status}: the other host is unavailable`,
        {
          status: 502,
        },
      );
    }
    throw notIbsync(connection.url, `it answered ${response.status} without an ibsync error`);
  }

  async function json<T>(path: string, schema: z.ZodType<T>, init: Call = {}): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await send(path, init);
        const text = await readBody(connection.url, () => response.text());
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw notIbsync(connection.url, 'its answer is not JSON');
        }
        const parsed = schema.safeParse(body);
        if (!parsed.success)
          throw notIbsync(connection.url, 'its answer is not what the ibsync protocol says');
        return parsed.data;
      } catch (error) {
        if (attempt >= RETRIES || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  const post = (body: unknown): Call => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const node = (ownCode: string) => `/nodes/${encodeURIComponent(ownCode)}`;

  return {
    publicInfo: () => json('/info', peerInfoSchema, { authenticated: false }),
    info: () => json('/info', peerInfoSchema),
    createNode: (request) => json('/nodes', nodeStatusSchema, post(request)),
    nodeStatus: (ownCode) => json(node(ownCode), nodeStatusSchema),
    async deleteNode(ownCode) {
      await send(node(ownCode), { method: 'DELETE' });
    },
    prepareOutbox: (ownCode, receivedNo) =>
      json(`${node(ownCode)}/outbox`, outboxSchema, post(receivedNo === undefined ? {} : { receivedNo })),
    async downloadPart(ownCode, messageNo, partNo) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const response = await send(`${node(ownCode)}/outbox/${messageNo}/parts/${partNo}`);
          return await readBody(connection.url, () => response.buffer());
        } catch (error) {
          if (attempt >= RETRIES || !isTransient(error)) throw error;
        }
      }
    },
    announce: (ownCode, message, inline) =>
      json(`${node(ownCode)}/inbox/${message.messageNo}`, inboxStateSchema, {
        ...post(inline ? { ...message, inline: inline.toString('base64'), import: true } : message),
        method: 'PUT',
      }),
    async uploadPart(ownCode, messageNo, partNo, data, sha256) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await send(`${node(ownCode)}/inbox/${messageNo}/parts/${partNo}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', 'x-ibsync-sha256': sha256 },
            body: data,
          });
          return;
        } catch (error) {
          if (attempt >= RETRIES || !isTransient(error)) throw error;
        }
      }
    },
    async importMessage(ownCode, messageNo) {
      // The peer answers within its own wait; a large message is polled until it is done.
      for (;;) {
        const result = await json(`${node(ownCode)}/inbox/${messageNo}/import`, importResultSchema, post({}));
        if (result.status !== 'importing') return result;
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
      }
    },
    async acknowledge(ownCode, receivedNo) {
      await send(`${node(ownCode)}/ack`, post({ receivedNo }));
    },
  };
}

function notIbsync(url: string, why: string): AppError {
  return new AppError(
    'not_ibsync_publication',
    `${url} is not the publication address of an ibsync infobase: ${why}; copy the address from the host's list of infobases`,
    { status: 502 },
  );
}

/**
 * Reads an answer's body. A connection cut in the middle of it is a network failure, which a retry may
 * cure, not an answer that is "not JSON" from something that is not ibsync.
 */
async function readBody<T>(url: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw networkError(url, error);
    throw new AppError(
      'not_reachable',
      `${url} cannot be reached: the connection was cut in the middle of its answer`,
      {
        status: 502,
      },
    );
  }
}

function networkError(url: string, error: unknown): AppError {
  // node:http rejects with the system's error; fetch (tests) wraps it as its cause.
  const cause =
    (error as { cause?: { code?: string; message?: string } }).cause ??
    (error as { code?: string; message?: string });
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AppError('peer_timeout', `${url} did not answer in time`, { status: 504 });
  }
  const detail =
    cause?.code === 'ECONNREFUSED'
      ? 'the connection was refused (is the host running, and is the port right?)'
      : cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : cause?.code === 'ECONNRESET'
          ? 'the connection was cut'
          : (cause?.message ?? (error as Error).message);
  return new AppError('not_reachable', `${url} cannot be reached: ${detail}`, { status: 502 });
}
