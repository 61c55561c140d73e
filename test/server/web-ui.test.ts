import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const INDEX = `<!doctype html><html><head><meta name="csp-nonce" content="__CSP_NONCE__"></head><body><div id="root"></div><script type="module" src="/assets/app-1.js"></script></body></html>`;

describe('the web UI served by the host', () => {
  let t: TestApp;
  let root: string;
  let ui: Awaited<ReturnType<typeof buildApp>>;
  const get = async (url: string) => ui.inject({ method: 'GET', url });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ibsync-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log("ui")');
    writeFileSync(
      join(root, 'favicon.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"><title>i</title></svg>',
    );
    t = await createTestApp('sqlite');
    await t.host.create('crm', 'crm');
    ui = await buildApp({ host: t.host, exchange: t.services.exchange, webRoot: root });
  });
  afterAll(async () => {
    await ui?.close();
    await t?.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the host page at / and the infobase UI under /<infobase>, with a fresh nonce each time', async () => {
    for (const url of ['/', '/crm', '/crm/', '/crm/sync/new', '/crm/data/counterparty/x']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('<div id="root">');
      const nonce = /content="([^"]+)"/.exec(response.body)?.[1];
      expect(nonce).not.toBe('__CSP_NONCE__');
      expect(response.headers['content-security-policy']).toContain(`'nonce-${nonce}'`);
    }
    const [first, second] = [await get('/crm'), await get('/crm')];
    expect(first.headers['content-security-policy']).not.toBe(second.headers['content-security-policy']);
  });

  it('sends security headers with the page and its files, and a policy that admits only this host', async () => {
    const page = await get('/crm/users');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    const script = await get('/assets/app-1.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect(script.headers['cache-control']).toContain('immutable');
    expect((await get('/favicon.svg')).headers['content-type']).toContain('image/svg+xml');
  });

  it('answers an unknown infobase with the page under a 404, which says so', async () => {
    const response = await get('/nowhere');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<div id="root">');
  });

  it('keeps the API answering JSON, 404s included, and without the page headers', async () => {
    for (const url of [
      '/api/nope',
      '/api',
      '/crm/api/v1/nothing-here',
      '/crm/exchange/v1/nothing',
      '/assets/none.js',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toContain('application/json');
      expect(JSON.parse(response.body).code, url).toBe('not_found');
    }
    const settings = await get('/crm/api/v1/settings');
    expect(settings.statusCode).toBe(200);
    expect(settings.headers['content-security-policy']).toBeUndefined();
    expect(JSON.parse(settings.body)).toMatchObject({ name: 'crm' });
    expect((await get('/api/v1/infobases')).headers['content-type']).toContain('application/json');
    expect((await get('/nope/api/v1/settings')).body).toContain('unknown_infobase');
  });

  it('keeps the UI out of the OpenAPI document', async () => {
    const paths = Object.keys(JSON.parse((await get('/api/docs')).body).paths);
    expect(
      paths.some((path) => path === '/' || path.startsWith('/{ib}/*') || path.startsWith('/assets')),
    ).toBe(false);
  });

  it('keeps the plain host page when the UI is not built', async () => {
    const plain = await buildApp({
      host: t.host,
      exchange: t.services.exchange,
      webRoot: join(root, 'missing'),
    });
    const response = await plain.inject({ method: 'GET', url: '/' });
    await plain.close();
    expect(response.body).toContain('<h1>Infobases</h1>');
    expect(response.headers['content-security-policy']).toBeUndefined();
  });
});
