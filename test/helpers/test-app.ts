import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TransportFactory } from '../../src/exchange/transport.js';
import type { Host } from '../../src/platform/host.js';
import type { DialectName, Storage, StorageConfig } from '../../src/platform/storage/index.js';
import { openStorage } from '../../src/platform/storage/index.js';
import { buildApp } from '../../src/server/app.js';
import { createServices, type Services } from '../../src/server/services.js';
import { testStorageConfig } from './dialects.js';

export type CallOptions = {
  body?: unknown;
  as?: [string, string];
  remote?: boolean;
  headers?: Record<string, string>;
};

export type TestApp = {
  /** Where its data lives and the key that seals its secrets: enough to open it again, as after a restart. */
  config: StorageConfig;
  hostKey: Buffer;
  app: FastifyInstance;
  host: Host;
  services: Services;
  storage: Storage;
  /** inject() with JSON in and out; `as` sends HTTP Basic credentials, `remote` pretends not to be loopback. */
  call(
    method: InjectOptions['method'],
    url: string,
    options?: CallOptions,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  ): Promise<LightMyRequestResponse & { data: any }>;
  cleanup(): Promise<void>;
};

export async function createTestApp(
  dialect: DialectName,
  options: {
    transport?: TransportFactory;
    partSize?: number;
    /** From what size (bytes) an incoming message is read in the reader thread (1: every one). */
    readerThreadFrom?: number;
    /** Open an existing store (a restart) instead of a fresh one; it is then left for its owner to clean. */
    reopen?: { config: StorageConfig; hostKey: Buffer };
  } = {},
): Promise<TestApp> {
  const { reopen, ...serviceOptions } = options;
  const fresh = reopen ? undefined : testStorageConfig(dialect);
  const config = reopen?.config ?? fresh!.config;
  const hostKey = reopen?.hostKey ?? randomBytes(32);
  const cleanup = fresh?.cleanup ?? (async () => undefined);
  const storage = openStorage(config);
  const services = await createServices({ storage, hostKey, ...serviceOptions });
  const app = await buildApp({ host: services.host, exchange: services.exchange });
  return {
    config,
    hostKey,
    app,
    host: services.host,
    services,
    storage,
    async call(method, url, callOptions = {}) {
      const headers: Record<string, string> = { ...callOptions.headers };
      if (callOptions.as)
        headers.authorization = `Basic ${Buffer.from(callOptions.as.join(':')).toString('base64')}`;
      const response = await app.inject({
        method,
        url,
        headers,
        ...(callOptions.body !== undefined ? { payload: callOptions.body as object } : {}),
        ...(callOptions.remote ? { remoteAddress: '203.0.113.7' } : {}),
      });
      let data: unknown;
      try {
        data = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        data = response.body;
      }
      return Object.assign(response, { data });
    },
    cleanup: async () => {
      await app.close();
      await services.close();
      await cleanup();
    },
  };
}

/**
 * A fetch that delivers requests for `http://<name>.test/...` to the app registered under that name,
 * through inject(): two hosts talk over their real HTTP routes without sockets. The remote address is not
 * loopback, as between two machines.
 */
export function injectFetch(apps: Map<string, FastifyInstance>): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const app = apps.get(url.hostname.replace(/\.test$/, ''));
    if (!app) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const response = await app.inject({
      method: (init?.method ?? 'GET') as InjectOptions['method'],
      url: url.pathname + url.search,
      headers,
      remoteAddress: '198.51.100.20',
      ...(init?.body !== undefined && init.body !== null ? { payload: init.body as string | Buffer } : {}),
    });
    return new Response(response.rawPayload.length > 0 ? new Uint8Array(response.rawPayload) : null, {
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
    });
  }) as typeof fetch;
}
