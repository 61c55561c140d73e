import net from 'node:net';

/**
 * A TCP proxy for tests that sits between the CRM host (the initiator, which makes every exchange call)
 * and the Accounting host, and can delay, cut, truncate, duplicate and drop its traffic.
 *
 * It reads HTTP/1.1 just enough to see where a request and its response end, so that a fault hits one
 * exchange call, chosen by the test's policy, rather than a random place in a byte stream. Requests on
 * one connection are handled in order, one at a time, as the client (undici, no pipelining) sends them.
 */

export type ProxiedRequest = {
  /** 1, 2, …: every request the proxy has seen since it started. */
  index: number;
  /** The client connection it came on: 1, 2, … */
  connection: number;
  method: string;
  path: string;
  /** The request as it was sent: head and body. */
  bytes: Buffer;
};

export type FaultAction =
  | { kind: 'pass' }
  /** Hold the request this long before the server sees it, or the response before the client does. */
  | { kind: 'delay'; ms: number; where: 'request' | 'response' }
  /** The server gets only the first bytes of the request; then both connections are reset. */
  | { kind: 'cut-request'; afterBytes: number }
  /** The server answers in full; the client gets only the first bytes, then a reset. */
  | { kind: 'cut-response'; afterBytes: number }
  /** The client gets only the first bytes of the response, then an orderly close. */
  | { kind: 'truncate-response'; keepBytes: number }
  /** The request goes nowhere; the client's connection is closed at once. */
  | { kind: 'drop' }
  /** The request goes nowhere and is never answered: only the client's timeout ends it. */
  | { kind: 'blackhole' }
  /** The server gets the same request twice (the copy on a connection of its own), before or after it. */
  | { kind: 'duplicate'; copy: 'before' | 'after' }
  /** The server handles the request, but the client gets this older response (recorded earlier) instead. */
  | { kind: 'stale-response'; response: Buffer };

export type FaultPolicy = (request: ProxiedRequest) => FaultAction;

export type FaultProxy = {
  readonly port: number;
  readonly url: string;
  setPolicy(policy: FaultPolicy): void;
  /** Called for every request before its action runs (e.g. to kill a host at the Nth request). */
  onRequest(listener: (request: ProxiedRequest, action: FaultAction) => void): () => void;
  /** Called with every whole response the server gave (e.g. to hand it out again later). */
  onResponse(listener: (request: ProxiedRequest, response: Buffer) => void): () => void;
  /** Sends recorded request bytes to the server again, on a new connection; resolves with the response. */
  replay(bytes: Buffer): Promise<Buffer | undefined>;
  /** Resets every open connection, as a network outage would. */
  resetAll(): void;
  readonly requests: number;
  close(): Promise<void>;
};

type Head = { length: number; firstLine: string; headers: Map<string, string> };

function parseHead(buffer: Buffer): Head | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { length: end + 4, firstLine: lines[0] ?? '', headers };
}

/** Where a chunked body that starts at `start` ends, or undefined while it is incomplete. */
function chunkedEnd(buffer: Buffer, start: number): number | undefined {
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('fault proxy: unreadable chunk size');
    if (size === 0) {
      // The last chunk, optional trailers, and an empty line.
      const end = buffer.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? undefined : end + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > buffer.length) return undefined;
  }
}

/** The length of the HTTP message at the start of `buffer`: a number, 'until-close', or undefined (need more). */
function messageLength(
  buffer: Buffer,
  kind: 'request' | 'response',
  requestMethod = 'GET',
): number | 'until-close' | undefined {
  const head = parseHead(buffer);
  if (!head) return undefined;
  if (kind === 'response') {
    const status = Number(head.firstLine.split(' ')[1]);
    if (requestMethod === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200))
      return head.length;
  }
  if (head.headers.get('transfer-encoding')?.toLowerCase().includes('chunked'))
    return chunkedEnd(buffer, head.length);
  const contentLength = head.headers.get('content-length');
  if (contentLength !== undefined) {
    const total = head.length + Number(contentLength);
    return buffer.length >= total ? total : undefined;
  }
  return kind === 'request' ? head.length : 'until-close';
}

/** Bytes arriving on a socket, read by whole HTTP messages. */
class Inbound {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    const end = () => {
      this.ended = true;
      this.notify();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  get closed() {
    return this.ended;
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** The next whole message, or undefined if the socket closes first. */
  async message(kind: 'request' | 'response', requestMethod?: string): Promise<Buffer | undefined> {
    for (;;) {
      const length = messageLength(this.buffer, kind, requestMethod);
      if (typeof length === 'number') {
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        return message;
      }
      if (this.ended) {
        if (length === 'until-close' && this.buffer.length > 0) {
          const message = this.buffer;
          this.buffer = Buffer.alloc(0);
          return message;
        }
        return undefined;
      }
      await this.changed();
    }
  }

  /** Resolves once the socket has closed. */
  async closedPromise(): Promise<void> {
    while (!this.ended) await this.changed();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function connectTo(port: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

function requestLine(bytes: Buffer): { method: string; path: string } {
  const lineEnd = bytes.indexOf('\r\n');
  const [method = '', path = ''] = bytes
    .subarray(0, lineEnd < 0 ? bytes.length : lineEnd)
    .toString('latin1')
    .split(' ');
  return { method, path };
}

/** Sends one request on a connection of its own and reads its response (the copy of a duplicated request). */
async function sendAlone(port: number, bytes: Buffer): Promise<Buffer | undefined> {
  const socket = await connectTo(port);
  if (!socket) return undefined;
  const inbound = new Inbound(socket);
  socket.write(bytes);
  const response = await inbound.message('response', requestLine(bytes).method);
  socket.destroy();
  return response;
}

export async function startFaultProxy(options: { targetPort: number }): Promise<FaultProxy> {
  let policy: FaultPolicy = () => ({ kind: 'pass' });
  const listeners = new Set<(request: ProxiedRequest, action: FaultAction) => void>();
  const responseListeners = new Set<(request: ProxiedRequest, response: Buffer) => void>();
  const sockets = new Set<net.Socket>();
  let requests = 0;
  let connections = 0;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  async function handle(client: net.Socket) {
    track(client);
    connections += 1;
    const connection = connections;
    const fromClient = new Inbound(client);
    let upstream: { socket: net.Socket; inbound: Inbound } | undefined;
    const reset = () => {
      client.resetAndDestroy();
      upstream?.socket.resetAndDestroy();
    };
    for (;;) {
      const bytes = await fromClient.message('request');
      if (!bytes) break;
      requests += 1;
      const { method, path } = requestLine(bytes);
      const request: ProxiedRequest = { index: requests, connection, method, path, bytes };
      const action = policy(request);
      for (const listener of listeners) listener(request, action);

      if (action.kind === 'drop') {
        reset();
        return;
      }
      if (action.kind === 'blackhole') {
        await fromClient.closedPromise();
        upstream?.socket.destroy();
        return;
      }
      if (action.kind === 'delay' && action.where === 'request') await sleep(action.ms);
      if (action.kind === 'duplicate' && action.copy === 'before') await sendAlone(options.targetPort, bytes);
      if (!upstream || upstream.inbound.closed) {
        const socket = await connectTo(options.targetPort);
        if (!socket) {
          // Nothing listens behind the proxy (the host is down): the client sees its connection reset.
          reset();
          return;
        }
        track(socket);
        upstream = { socket, inbound: new Inbound(socket) };
        // The server closed an idle connection: the client's goes too, as it would without the proxy.
        const current = upstream;
        void current.inbound.closedPromise().then(() => {
          if (upstream === current && !client.destroyed) client.end();
        });
      }
      if (action.kind === 'cut-request') {
        upstream.socket.write(bytes.subarray(0, Math.min(action.afterBytes, bytes.length - 1)));
        // Give the partial request a moment to reach the server before the reset.
        await sleep(5);
        reset();
        return;
      }
      upstream.socket.write(bytes);
      const response = await upstream.inbound.message('response', method);
      if (!response) {
        reset();
        return;
      }
      for (const listener of responseListeners) listener(request, response);
      if (action.kind === 'duplicate' && action.copy === 'after') await sendAlone(options.targetPort, bytes);
      if (action.kind === 'delay' && action.where === 'response') {
        await Promise.race([sleep(action.ms), fromClient.closedPromise()]);
        if (fromClient.closed) {
          upstream.socket.destroy();
          return;
        }
      }
      if (action.kind === 'cut-response') {
        client.write(response.subarray(0, Math.min(action.afterBytes, response.length - 1)), () => reset());
        return;
      }
      if (action.kind === 'truncate-response') {
        client.end(response.subarray(0, Math.min(action.keepBytes, response.length - 1)));
        upstream.socket.destroy();
        return;
      }
      if (client.destroyed) break;
      client.write(action.kind === 'stale-response' ? action.response : response);
    }
    client.destroy();
    upstream?.socket.destroy();
  }

  const server = net.createServer((client) => {
    handle(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setPolicy(next) {
      policy = next;
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onResponse(listener) {
      responseListeners.add(listener);
      return () => responseListeners.delete(listener);
    },
    replay: (bytes) => sendAlone(options.targetPort, bytes),
    resetAll() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    get requests() {
      return requests;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
