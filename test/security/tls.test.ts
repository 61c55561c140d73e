import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function httpsCall(
  url: string,
  ca: Buffer,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('HTTPS with a given certificate and key (serve --tls-cert --tls-key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ibsync-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let bp: ServerProcess;
  let crm: ServerProcess;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    bp = await startServerProcess({ args: ['--tls-cert', cert, '--tls-key', key] });
    // The CRM trusts the certificate the way an operator would: through Node's extra CA setting.
    crm = await startServerProcess({ env: { NODE_EXTRA_CA_CERTS: cert } });
  });
  afterAll(async () => {
    await bp?.stop();
    await crm?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over TLS and marks the session cookie Secure', async () => {
    expect(bp.url).toMatch(/^https:\/\//);
    const ca = readFileSync(cert);
    const created = await httpsCall(`${bp.url}/api/v1/infobases`, ca, {
      method: 'POST',
      body: { name: 'bp', application: 'accounting' },
    });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body).publicationUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/bp$/);
    await httpsCall(`${bp.url}/bp/api/v1/users`, ca, {
      method: 'POST',
      body: { login: 'sc12345', password: 'Pass-word1' },
    });
    const login = await httpsCall(`${bp.url}/bp/api/v1/auth/login`, ca, {
      method: 'POST',
      body: { login: 'sc12345', password: 'Pass-word1' },
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('lets another host reach it over HTTPS for the exchange', async () => {
    const ca = readFileSync(cert);
    await httpsCall(`${bp.url}/bp/api/v1/settings`, ca, {
      method: 'PATCH',
      body: { syncEnabled: true },
      headers: { authorization: `Basic ${Buffer.from('sc12345:Pass-word1').toString('base64')}` },
    });
    await fetch(`${crm.url}/api/v1/infobases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'crm', application: 'crm' }),
    });
    await fetch(`${crm.url}/crm/api/v1/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ syncEnabled: true, prefix: 'CR' }),
    });
    const test = await fetch(`${crm.url}/crm/api/v1/sync/connection-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        peerApplication: 'accounting',
        peerUrl: `${bp.url}/bp`,
        peerLogin: 'sc12345',
        peerPassword: 'Pass-word1',
      }),
    });
    expect(await test.json()).toMatchObject({ ok: true, peer: { application: 'accounting' } });
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const plain = bp.url.replace('https://', 'http://');
    const error = await fetch(`${plain}/api/v1/infobases`).then(
      (response) => response.status,
      (caught: Error) => caught.message,
    );
    expect(error).not.toBe(200);
  });
});
