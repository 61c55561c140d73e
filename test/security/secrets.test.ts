import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, REDACTED_LOG_PATHS } from '../../src/server/app.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createSyncPair, crmBasics, PASS, type SyncPair } from '../helpers/sync-pair.js';

/** Everything anyone could read: API answers, logs, journal; a secret must appear in none of them. */
describeEachDialect('passwords never leave where they belong', (dialect) => {
  let pair: SyncPair;
  const seen: string[] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    pair = await createSyncPair(dialect, {
      before: async (partial) => {
        const basics = await crmBasics(partial);
        await basics.invoice();
      },
    });
    await pair.run();
  });
  afterAll(() => pair?.cleanup());

  it('keeps the peer password and user passwords out of every answer, the journal and the logs', async () => {
    const log = pino(
      { redact: REDACTED_LOG_PATHS, level: 'debug' },
      new Writable({
        write(chunk, _encoding, done) {
          logged.push(String(chunk));
          done();
        },
      }),
    );
    const logging = await buildApp({
      host: pair.crm.host,
      exchange: pair.crm.services.exchange,
      logger: log,
    });
    const auth = { authorization: `Basic ${Buffer.from(PASS.join(':')).toString('base64')}` };
    const urls = [
      '/crm/api/v1/sync/settings',
      `/crm/api/v1/sync/settings/${pair.settingId}`,
      '/crm/api/v1/sync/journal',
      '/crm/api/v1/users',
      '/crm/api/v1/settings',
      '/api/docs',
    ];
    for (const url of urls) seen.push((await logging.inject({ method: 'GET', url, headers: auth })).body);
    const journal = JSON.parse(seen[2]!) as { id: string }[];
    for (const entry of journal) {
      seen.push(
        (await logging.inject({ method: 'GET', url: `/crm/api/v1/sync/journal/${entry.id}`, headers: auth }))
          .body,
      );
    }
    // A failing connection with the password typed wrong names the cause, not the password.
    const wrong = await logging.inject({
      method: 'POST',
      url: '/crm/api/v1/sync/connection-test',
      headers: auth,
      payload: {
        peerApplication: 'accounting',
        peerUrl: 'http://bp-host.test/bp',
        peerLogin: PASS[0],
        peerPassword: 'Wrong-Secret-77',
      },
    });
    seen.push(wrong.body);
    const connect = await logging.inject({
      method: 'POST',
      url: '/crm/api/v1/sync/settings',
      headers: auth,
      payload: {
        peerApplication: 'accounting',
        peerUrl: 'http://bp-host.test/bp',
        peerLogin: PASS[0],
        peerPassword: PASS[1],
      },
    });
    seen.push(connect.body);
    await logging.close();
    const everything = [...seen, ...logged].join('\n');
    expect(everything).toContain('wrong_password');
    expect(logged.join('\n')).toContain('/crm/api/v1/sync/settings');
    for (const secret of [PASS[1], 'Wrong-Secret-77', Buffer.from(PASS.join(':')).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('stores the peer password encrypted with the host key, and user passwords only as scrypt hashes', async () => {
    const row = await pair.crmExchange.infobase.db
      .selectFrom('exchange_nodes')
      .select('peer_secret')
      .executeTakeFirstOrThrow();
    expect(String(row.peer_secret)).toMatch(/^v1\./);
    expect(String(row.peer_secret)).not.toContain(PASS[1]);
    if (dialect === 'sqlite') {
      const config = pair.crm.config as { dir: string };
      for (const file of readdirSync(config.dir)) {
        expect(readFileSync(join(config.dir, file)).includes(PASS[1]), file).toBe(false);
      }
    }
  });
});
