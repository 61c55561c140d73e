import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { ExchangeHub } from '../exchange/exchange-service.js';
import type { Host } from '../platform/host.js';
import { createCredentialCache } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { guardInfobaseRoutes } from './infobase-context.js';
import { hostPage } from './routes/host-page.js';
import { hostRoutes } from './routes/host-routes.js';
import { authRoutes } from './routes/infobase/auth-routes.js';
import { dataRoutes } from './routes/infobase/data-routes.js';
import { exchangeRoutes } from './routes/infobase/exchange-routes.js';
import { metadataRoutes } from './routes/infobase/metadata-routes.js';
import { settingsRoutes } from './routes/infobase/settings-routes.js';
import { syncRoutes } from './routes/infobase/sync-routes.js';
import { usersRoutes } from './routes/infobase/users-routes.js';
import { DEFAULT_WEB_ROOT, loadWebUi, webUiRoutes } from './routes/web-ui.js';
import { validatorCompiler } from './validator-compiler.js';

export type AppOptions = {
  host: Host;
  exchange: ExchangeHub;
  /** The address people reach this host at, for publication URLs; by default taken from each request. */
  publicUrl?: string | undefined;
  /** Serve HTTPS with this certificate and key; session cookies are then marked Secure. */
  https?: { cert: Buffer; key: Buffer } | undefined;
  logger?: FastifyBaseLogger;
  version?: string;
  /** The built web UI (`dist/web` by default); null, or a folder without a build, keeps the plain host page. */
  webRoot?: string | null;
};

export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.peerPassword',
  '*.peer_secret',
];

/** Builds the whole HTTP app without listening, so tests drive it with `inject()`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: 8 * 1024 * 1024,
    // Never trust forwarded headers for the client address: the loopback rules depend on it.
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'ibsync',
        description: 'Infobases, their data, and synchronization between them',
        version: options.version ?? '0',
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          session: { type: 'apiKey', in: 'cookie', name: 'ibsync_<infobase>' },
        },
      },
      security: [{ basic: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const cache = createCredentialCache();
  hostRoutes(app, options.host, { publicUrl: options.publicUrl });
  const ui = options.webRoot === null ? undefined : loadWebUi(options.webRoot ?? DEFAULT_WEB_ROOT);
  if (ui) await app.register(webUiRoutes, { ui, host: options.host });
  else hostPage(app, options.host);
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => {
    guardInfobaseRoutes(scope, options.host, cache);
    authRoutes(scope, { secureCookies: options.https !== undefined });
    usersRoutes(scope, cache);
    settingsRoutes(scope);
    metadataRoutes(scope);
    dataRoutes(scope);
    syncRoutes(scope, options.exchange);
    exchangeRoutes(scope, options.exchange);
  });

  return app;
}
