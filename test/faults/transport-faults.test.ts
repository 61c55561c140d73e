import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../src/exchange/transport.js';
import { type FaultAction, type FaultProxy, startFaultProxy } from './fault-proxy.js';

const INFO = {
  product: 'ibsync',
  protocolVersion: 1,
  formatVersions: ['1.8'],
  application: 'accounting',
  applicationName: 'Accounting',
  applicationVersion: '3.0',
  infobase: 'bp',
  prefix: 'BP',
  nodeCode: 'node-bp',
  syncEnabled: true,
  objectTypes: { send: [], receive: [] },
  // Long enough that a cut in the middle of the body leaves the head whole.
  padding: 'x'.repeat(4000),
};
const PART = randomBytes(6000);

/**
 * The HTTP transport against a peer whose answers the network cuts short: a finding of the fault suite
 * (a truncated answer was reported as "not an ibsync publication" and never retried) and its fix.
 */
describe('the peer transport when an answer is cut in the middle', () => {
  let server: Server;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.endsWith('/exchange/v1/info')) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(INFO));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PART);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = await startFaultProxy({ targetPort: typeof address === 'object' && address ? address.port : 0 });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** The first answer of a call is cut this way; the retry goes through. */
  const cutFirst = (action: FaultAction) => {
    let calls = 0;
    proxy.setPolicy(() => {
      calls += 1;
      return calls === 1 ? action : { kind: 'pass' };
    });
    return () => calls;
  };
  const transport = () =>
    createHttpTransport({ url: `${proxy.url}/bp`, login: 'sc12345', password: 'Pass-word1' });

  for (const action of [
    { kind: 'truncate-response', keepBytes: 1000 },
    { kind: 'cut-response', afterBytes: 1000 },
  ] as const) {
    it(`retries a JSON answer that was ${action.kind === 'cut-response' ? 'reset' : 'closed'} midway, instead of calling the peer "not ibsync"`, async () => {
      const calls = cutFirst(action);
      await expect(transport().publicInfo()).resolves.toMatchObject({
        product: 'ibsync',
        nodeCode: 'node-bp',
      });
      expect(calls()).toBe(2);
    });

    it(`retries a message part whose download was ${action.kind === 'cut-response' ? 'reset' : 'closed'} midway`, async () => {
      const calls = cutFirst(action);
      const part = await transport().downloadPart('node-crm', 1, 1);
      expect(part.equals(PART)).toBe(true);
      expect(calls()).toBe(2);
    });
  }

  it('names a connection cut on every attempt as a cut connection, not as a wrong address', async () => {
    proxy.setPolicy(() => ({ kind: 'truncate-response', keepBytes: 1000 }));
    await expect(transport().publicInfo()).rejects.toMatchObject({
      code: 'not_reachable',
      message: expect.stringContaining('the connection was cut in the middle of its answer'),
    });
    proxy.setPolicy(() => ({ kind: 'pass' }));
  });
});

describe('the peer transport when the peer is not there or does not answer', () => {
  const login = { login: 'sc12345', password: 'Pass-word1' };
  const listening = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };

  it('names a refused connection as such', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    const port = await listening(probe);
    await new Promise((resolve) => probe.close(resolve));
    const transport = createHttpTransport({ url: `http://127.0.0.1:${port}/bp`, ...login });
    await expect(transport.deleteNode('node-crm')).rejects.toMatchObject({
      code: 'not_reachable',
      message: expect.stringContaining('the connection was refused'),
    });
  });

  it('names an address that redirects, with where it points', async () => {
    const moved = createServer((request, response) => {
      response.writeHead(301, { location: `https://127.0.0.1${request.url}` }).end();
    });
    const port = await listening(moved);
    const transport = createHttpTransport({ url: `http://127.0.0.1:${port}/bp`, ...login });
    await expect(transport.publicInfo()).rejects.toMatchObject({
      code: 'not_ibsync_publication',
      message: expect.stringContaining('it redirects to https://127.0.0.1/bp/exchange/v1/info'),
    });
    moved.closeAllConnections();
    await new Promise((resolve) => moved.close(resolve));
  });

  it('gives up on a peer that takes the call and never answers', async () => {
    const silent = createServer(() => {});
    const port = await listening(silent);
    const transport = createHttpTransport(
      { url: `http://127.0.0.1:${port}/bp`, ...login },
      { timeoutMs: 200 },
    );
    await expect(transport.deleteNode('node-crm')).rejects.toMatchObject({
      code: 'peer_timeout',
      message: expect.stringContaining('did not answer in time'),
    });
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
});
