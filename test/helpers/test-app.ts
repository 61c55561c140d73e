import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { DialectName } from '../../src/platform/storage/index.js';
import { buildApp } from '../../src/server/app.js';
import { createTestHost, type TestHost } from './dialects.js';

export type TestApp = TestHost & {
  app: FastifyInstance;
  /** inject() with JSON in and out; `as` sends HTTP Basic credentials, `remote` pretends not to be loopback. */
  call(
    method: InjectOptions['method'],
    url: string,
    options?: { body?: unknown; as?: [string, string]; remote?: boolean; headers?: Record<string, string> },
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  ): Promise<LightMyRequestResponse & { data: any }>;
};

export async function createTestApp(dialect: DialectName): Promise<TestApp> {
  const test = await createTestHost(dialect);
  const app = await buildApp({ host: test.host });
  return {
    ...test,
    app,
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.as) headers.authorization = `Basic ${Buffer.from(options.as.join(':')).toString('base64')}`;
      const response = await app.inject({
        method,
        url,
        headers,
        ...(options.body !== undefined ? { payload: options.body as object } : {}),
        ...(options.remote ? { remoteAddress: '203.0.113.7' } : {}),
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
      await test.cleanup();
    },
  };
}
