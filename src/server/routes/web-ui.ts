import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Host } from '../../platform/host.js';

/** Where `npm run build` puts the web UI: `dist/web`, beside the compiled server (or the sources under tsx). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export type WebUiBundle = { root: string; indexHtml: string; favicon: Buffer | undefined };

/**
 * The page as built now: a rebuild while the host runs changes the names of the files it loads. The last
 * good copy stands in while a build has the file away.
 */
function currentPage(ui: WebUiBundle): string {
  try {
    ui.indexHtml = readFileSync(join(ui.root, 'index.html'), 'utf8');
  } catch {
    // Keep the copy read before.
  }
  return ui.indexHtml;
}

/** The built UI, or undefined when it has not been built: the host then keeps its plain page. */
export function loadWebUi(root: string): WebUiBundle | undefined {
  try {
    if (!existsSync(join(root, 'assets'))) return undefined;
    const indexHtml = readFileSync(join(root, 'index.html'), 'utf8');
    const faviconPath = join(root, 'favicon.svg');
    return { root, indexHtml, favicon: existsSync(faviconPath) ? readFileSync(faviconPath) : undefined };
  } catch {
    // Half-built (a build running right now): the plain host page does until the next start.
    return undefined;
  }
}

/** Path segments after `/<infobase>/` that belong to the API, never to the UI. */
const API_SEGMENTS = new Set(['api', 'exchange']);
/** First segments that are never an infobase (see RESERVED_NAMES in the platform). */
const NOT_INFOBASES = new Set(['api', 'assets', 'login', 'static', 'docs', 'host', 'exchange']);

/**
 * The page's policy admits scripts, styles, images and requests of this host only; Mantine writes its
 * theme into a `<style>` element, which is admitted by this response's nonce and nothing else.
 */
function contentSecurityPolicy(nonce?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, nonce?: string) {
  reply.header('content-security-policy', contentSecurityPolicy(nonce));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

/**
 * The web UI, a single-page app: `/` is the host page, `/<infobase>` and everything under it open that
 * infobase's UI (the login screen first), as a 1C publication URL opens its web client. The API under
 * `/api/…`, `/<infobase>/api/…` and `/<infobase>/exchange/…` keeps its JSON answers, 404s included.
 */
export async function webUiRoutes(app: FastifyInstance, options: { ui: WebUiBundle; host: Host }) {
  const { ui, host } = options;

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy') && reply.statusCode < 400) securityHeaders(reply);
    return payload;
  });

  await app.register(fastifyStatic, {
    root: join(ui.root, 'assets'),
    prefix: '/assets/',
    index: false,
    decorateReply: false,
    // Built file names carry a hash of their content.
    immutable: true,
    maxAge: '365d',
  });

  const sendPage = (reply: FastifyReply, status = 200) => {
    const nonce = randomBytes(16).toString('base64');
    securityHeaders(reply, nonce);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(currentPage(ui).replaceAll('__CSP_NONCE__', nonce));
  };

  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendPage(reply));

  if (ui.favicon) {
    const favicon = ui.favicon;
    app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
    );
  }

  const infobasePage = async (request: FastifyRequest, reply: FastifyReply) => {
    const { ib } = request.params as { ib: string };
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    const second = rest.split('/')[0] ?? '';
    if (NOT_INFOBASES.has(ib) || API_SEGMENTS.has(second)) return reply.callNotFound();
    const known = (await host.list()).some((entry) => entry.name === ib);
    // An unknown infobase still gets the page, which says so, under a 404.
    return sendPage(reply, known ? 200 : 404);
  };
  app.get('/:ib', { schema: { hide: true } }, infobasePage);
  app.get('/:ib/*', { schema: { hide: true } }, infobasePage);
}
