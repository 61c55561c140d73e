import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultAction, type FaultProxy, type ProxiedRequest, startFaultProxy } from './fault-proxy.js';

/** The proxy itself, against a plain HTTP server that counts what it handled: each fault does what it says. */
describe('the fault proxy', () => {
  let server: Server;
  let proxy: FaultProxy;
  const handled: string[] = [];
  const seen: ProxiedRequest[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        handled.push(`${request.method} ${request.url} ${body}`);
        const answer = JSON.stringify({ echo: body, padding: 'x'.repeat(2000) });
        response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = await startFaultProxy({ targetPort: typeof address === 'object' && address ? address.port : 0 });
    proxy.onRequest((request) => seen.push(request));
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const call = async (path: string, body?: string, timeoutMs = 2000) => {
    const response = await fetch(`${proxy.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return (await response.json()) as { echo: string };
  };
  const under = async (action: FaultAction, work: () => Promise<unknown>) => {
    proxy.setPolicy(() => action);
    try {
      return await work();
    } finally {
      proxy.setPolicy(() => ({ kind: 'pass' }));
    }
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('passes requests and their bodies through, several on one connection', async () => {
    expect(await call('/a', 'one')).toMatchObject({ echo: 'one' });
    expect(await call('/b')).toMatchObject({ echo: '' });
    expect(await call('/c', 'three')).toMatchObject({ echo: 'three' });
    expect(seen.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /a',
      'GET /b',
      'POST /c',
    ]);
    expect(handled).toEqual(['POST /a one', 'GET /b ', 'POST /c three']);
  });

  it('delays a response past the client timeout: the server did the work, the client gave up', async () => {
    const before = handled.length;
    await expect(
      under({ kind: 'delay', ms: 600, where: 'response' }, () => call('/slow', 'x', 200)),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(handled.slice(before)).toEqual(['POST /slow x']);
  });

  it('cuts a request midway: the server never handles it, the client sees the connection go', async () => {
    const before = handled.length;
    await expect(
      under({ kind: 'cut-request', afterBytes: 20 }, () => call('/cut', 'y'.repeat(500))),
    ).rejects.toThrow();
    await settle();
    expect(handled.length).toBe(before);
  });

  it('cuts or truncates a response: the server handled it, the client cannot read it', async () => {
    for (const action of [
      { kind: 'cut-response', afterBytes: 300 },
      { kind: 'truncate-response', keepBytes: 300 },
      { kind: 'truncate-response', keepBytes: 10 },
    ] as const) {
      const before = handled.length;
      await expect(under(action, () => call(`/${action.kind}`, 'z'))).rejects.toThrow();
      expect(handled.length, action.kind).toBe(before + 1);
    }
  });

  it('drops a request or holds it unanswered: the server never sees it', async () => {
    const before = handled.length;
    await expect(under({ kind: 'drop' }, () => call('/drop', 'd'))).rejects.toThrow();
    await expect(under({ kind: 'blackhole' }, () => call('/hole', 'h', 200))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await settle();
    expect(handled.length).toBe(before);
  });

  it('duplicates a request: the server handles it twice, the client reads one answer', async () => {
    for (const copy of ['before', 'after'] as const) {
      const before = handled.length;
      expect(await under({ kind: 'duplicate', copy }, () => call(`/twice-${copy}`, copy))).toMatchObject({
        echo: copy,
      });
      await settle();
      expect(handled.slice(before)).toEqual([`POST /twice-${copy} ${copy}`, `POST /twice-${copy} ${copy}`]);
    }
  });

  it('answers with an older response: the server handled the request, the client reads the old answer', async () => {
    let old: Buffer | undefined;
    const stop = proxy.onResponse((request, response) => {
      if (request.path === '/first') old = response;
    });
    await call('/first', 'one');
    stop();
    const before = handled.length;
    expect(
      await under({ kind: 'stale-response', response: old! }, () => call('/second', 'two')),
    ).toMatchObject({
      echo: 'one',
    });
    expect(handled.slice(before)).toEqual(['POST /second two']);
  });

  it('replays a recorded request later, on a connection of its own', async () => {
    await call('/recorded', 'old');
    const recorded = seen.at(-1)!;
    const before = handled.length;
    const response = await proxy.replay(recorded.bytes);
    expect(response?.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
    expect(handled.slice(before)).toEqual(['POST /recorded old']);
  });
});
