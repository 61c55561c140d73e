import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountingConversion } from '../../src/apps/conversion/accounting-conversion.js';
import { openMessage, type ReadPurpose } from '../../src/exchange/message-reader.js';
import { AppError } from '../../src/platform/errors.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { PASS } from '../helpers/sync-pair.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const RUNS = 60;

async function drain(parts: Buffer[], purpose: ReadPurpose = 'import'): Promise<void> {
  const source = (async function* () {
    yield* parts;
  })();
  const opened = await openMessage(source, 0, {
    rules: accountingConversion,
    application: 'accounting',
    purpose,
    dialect: 'sqlite',
  });
  for await (const _ of opened.body) {
    // Reading is the point: every line is parsed or the whole message is refused.
  }
}

it('reads any bytes as a message only to refuse them cleanly (bad_message), never to crash', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 4096 }), { maxLength: 4 }), async (chunks) => {
      for (const purpose of ['import', 'analysis'] as const) {
        const error = await drain(
          chunks.map((chunk) => Buffer.from(chunk)),
          purpose,
        ).catch((caught) => caught);
        expect(error).toBeInstanceOf(AppError);
        expect(error.code).toBe('bad_message');
      }
    }),
    { numRuns: 200 },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 20 }), async (values) => {
      const text = values.map((value) => JSON.stringify(value)).join('\n');
      for (const purpose of ['import', 'analysis'] as const) {
        const error = await drain([gzipSync(text)], purpose).catch((caught) => caught);
        // Well-formed JSON lines without a matching trailer are still refused as a whole.
        if (error !== undefined) expect(error.code).toBe('bad_message');
      }
    }),
    { numRuns: 200 },
  );
});

describeEachDialect('hostile input to the HTTP API', (dialect) => {
  let t: TestApp;
  const as = PASS;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.host.create('crm', 'crm');
    await t.call('POST', '/crm/api/v1/users', { body: { login: as[0], password: as[1] } });
    await t.call('POST', '/crm/api/v1/data/counterparty', {
      as,
      body: { name: 'Survivor', inn: '7700000001' },
    });
  });
  afterAll(() => t.cleanup());

  const bodies = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 8 }),
  );
  const routes: [string, string][] = [
    ['POST', '/crm/api/v1/data/counterparty'],
    ['POST', '/crm/api/v1/data/customer-invoice'],
    ['PATCH', '/crm/api/v1/settings'],
    ['POST', '/crm/api/v1/users'],
    ['POST', '/crm/api/v1/auth/login'],
    ['POST', '/crm/api/v1/sync/settings'],
    ['POST', '/crm/api/v1/sync/connection-test'],
    ['POST', '/crm/exchange/v1/nodes'],
    ['PUT', '/crm/exchange/v1/nodes/x/inbox/1'],
    ['POST', '/api/v1/infobases'],
  ];

  it('answers any body on every route with a client error, never a server error', async () => {
    for (const [method, url] of routes) {
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const response = await t.call(method as 'POST', url, { as, body });
          expect(
            response.statusCode,
            `${method} ${url} ${JSON.stringify(body)} → ${response.body}`,
          ).toBeLessThan(500);
          if (response.statusCode >= 400) expect(typeof response.data?.code).toBe('string');
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('refuses a body larger than the limit early, with a clear code', async () => {
    const huge = `{"name":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    const response = await t.app.inject({
      method: 'POST',
      url: '/crm/api/v1/data/counterparty',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(as.join(':')).toString('base64')}`,
      },
      payload: huge,
    });
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).code).toBe('payload_too_large');
    const part = await t.app.inject({
      method: 'PUT',
      url: '/crm/exchange/v1/nodes/x/inbox/1/parts/1',
      headers: {
        'content-type': 'application/octet-stream',
        authorization: `Basic ${Buffer.from(as.join(':')).toString('base64')}`,
      },
      payload: Buffer.alloc(17 * 1024 * 1024),
    });
    expect(part.statusCode).toBe(413);
  });

  it('treats SQL and path tricks in every string parameter as plain, harmless text', async () => {
    const tricks = [
      "'; drop table users; --",
      '" or 1=1 --',
      '../../../../etc/passwd',
      '..%2F..%2Fhost.sqlite',
      '%00',
      'crm/../bp',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection attempt, on purpose
      '${7*7}',
    ];
    for (const trick of tricks) {
      const encoded = encodeURIComponent(trick);
      const urls = [
        `/${encoded}/api/v1/settings`,
        `/crm/api/v1/data/${encoded}`,
        `/crm/api/v1/data/counterparty/${encoded}`,
        `/crm/api/v1/data/counterparty?name=${encoded}`,
        `/crm/api/v1/data/counterparty?search=${encoded}`,
        `/crm/api/v1/data/counterparty?sort=${encoded}`,
        `/crm/api/v1/sync/settings/${encoded}`,
        `/crm/api/v1/users/${encoded}`,
        `/crm/exchange/v1/nodes/${encoded}`,
      ];
      for (const url of urls) {
        const response = await t.call('GET', url, { as });
        expect(response.statusCode, `${url} → ${response.body}`).toBeGreaterThanOrEqual(200);
        expect(response.statusCode, `${url} → ${response.body}`).toBeLessThan(500);
      }
      const created = await t.call('POST', '/crm/api/v1/data/partner', { as, body: { name: trick } });
      expect(created.statusCode).toBe(201);
      expect((await t.call('GET', `/crm/api/v1/data/partner/${created.data.ref}`, { as })).data.name).toBe(
        trick,
      );
    }
    expect(
      (await t.call('GET', '/crm/api/v1/users', { as })).data.map((u: { login: string }) => u.login),
    ).toEqual([as[0]]);
    expect((await t.call('GET', '/crm/api/v1/data/counterparty', { as })).data.items[0].name).toBe(
      'Survivor',
    );
  });

  it('locks an account against a brute-force attack, and the right password does not help while locked', async () => {
    await t.call('POST', '/crm/api/v1/users', {
      as,
      body: { login: 'target', password: 'right-one', role: 'user' },
    });
    const answers: string[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await t.call('GET', '/crm/api/v1/settings', {
        as: ['target', `guess-${attempt}`],
        remote: true,
      });
      answers.push(response.data.code);
    }
    expect(answers.slice(0, 5)).toEqual(Array(5).fill('bad_credentials'));
    expect(answers.slice(5)).toEqual(Array(3).fill('account_locked'));
    const right = await t.call('GET', '/crm/api/v1/settings', { as: ['target', 'right-one'], remote: true });
    expect(right.statusCode).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
  });
});
