import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { EXCHANGE_PLAN } from '../../src/exchange/exchange-context.js';
import { sha256, writeMessage } from '../../src/exchange/message-codec.js';
import { formatNamespace } from '../../src/format/message-header.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { connectionReset, createSyncPair, crmBasics, type SyncPair } from '../helpers/sync-pair.js';

type Part = { data: Buffer; sha256: string };

async function partsOf(lines: unknown[], partSize = 512): Promise<Part[]> {
  const parts: Part[] = [];
  await writeMessage(
    (async function* () {
      yield* lines;
    })(),
    async (_no, data, hash) => {
      parts.push({ data, sha256: hash });
    },
    { partSize },
  );
  return parts;
}

describeEachDialect('delivery: exactly-once effect, bad messages, faults', (dialect) => {
  let pair: SyncPair;
  let basics: Awaited<ReturnType<typeof crmBasics>>;
  let crmCode: string;
  let bpCode: string;

  /** A message from the CRM to Accounting as the CRM would write it, with whatever header fields a test wants. */
  function header(overrides: {
    MessageNo: number;
    ReceivedNo?: number;
    To?: string;
    From?: string;
    Format?: string;
  }) {
    return {
      Header: {
        Format: overrides.Format ?? formatNamespace('1.8'),
        CreationDate: '2026-11-28T12:00:00',
        Confirmation: {
          ExchangePlan: EXCHANGE_PLAN,
          To: overrides.To ?? bpCode,
          From: overrides.From ?? crmCode,
          MessageNo: overrides.MessageNo,
          ReceivedNo: overrides.ReceivedNo ?? 0,
        },
        AvailableVersion: ['1.8'],
      },
    };
  }

  async function deliver(messageNo: number, parts: Part[]) {
    const transport = pair.peerTransport();
    const whole = sha256(Buffer.concat(parts.map((part) => part.data)));
    const size = parts.reduce((total, part) => total + part.data.length, 0);
    await transport.announce(crmCode, {
      messageNo,
      partCount: parts.length,
      size,
      sha256: whole,
      objectCount: 0,
    });
    for (const [index, part] of parts.entries())
      await transport.uploadPart(crmCode, messageNo, index + 1, part.data, part.sha256);
    return transport.importMessage(crmCode, messageNo);
  }

  const peerNode = () => pair.bpExchange.nodes.require(pair.peerSettingId);

  /**
   * The number of a hand-made message "from the CRM": taken from the CRM's own counter too, as the CRM
   * would, so that its real messages afterwards are not mistaken for repeats.
   */
  async function nextMessageNo(): Promise<number> {
    const crmNode = await pair.crmExchange.nodes.require(pair.settingId);
    const messageNo = Math.max(crmNode.sentNo, (await peerNode()).receivedNo) + 1;
    await pair.crmExchange.nodes.update(pair.settingId, { sentNo: messageNo });
    return messageNo;
  }
  const counterpartyEntry = (ref: string, name: string, inn: string) => ({
    'Справочник.Контрагенты': {
      КлючевыеСвойства: {
        Ссылка: ref,
        Наименование: name,
        ИНН: inn,
        ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
      },
    },
  });
  const bpCounterparties = async () =>
    (await pair.api(pair.bp, 'GET', '/{ib}/api/v1/data/counterparty?limit=1000')).data;

  beforeAll(async () => {
    pair = await createSyncPair(dialect, {
      partSize: 2048,
      before: async (partial) => {
        basics = await crmBasics(partial);
        await basics.invoice();
      },
    });
    crmCode = await pair.crmExchange.ownCode();
    bpCode = await pair.bpExchange.ownCode();
  });
  afterAll(() => pair?.cleanup());

  it('refuses a malformed message whole and applies nothing', async () => {
    const node = await peerNode();
    const before = await bpCounterparties();
    const garbage = Buffer.from('this is not gzip at all');
    const result = await deliver(await nextMessageNo(), [{ data: garbage, sha256: sha256(garbage) }]);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'bad_message' } });
    expect((await peerNode()).receivedNo).toBe(node.receivedNo);
    expect((await bpCounterparties()).total).toBe(before.total);
  });

  it('refuses a truncated message whole: a first object is not applied without the rest', async () => {
    const messageNo = await nextMessageNo();
    const lines = [
      header({ MessageNo: messageNo }),
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000001', 'Обрезанный', '7700000011'),
    ];
    const parts = await partsOf([...lines, { Trailer: { ObjectCount: 1 } }]);
    const whole = Buffer.concat(parts.map((part) => part.data));
    const cut = whole.subarray(0, whole.length - 12);
    const result = await deliver(messageNo, [{ data: cut, sha256: sha256(cut) }]);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'bad_message' } });
    const withoutTrailer = await partsOf(lines);
    expect(await deliver(messageNo, withoutTrailer)).toMatchObject({
      status: 'failed',
      error: { code: 'bad_message' },
    });
    expect((await bpCounterparties()).items.map((item: { name: string }) => item.name)).not.toContain(
      'Обрезанный',
    );
  });

  it('refuses a message for another node, from a forged sender, or in an unknown format version', async () => {
    const node = await peerNode();
    const messageNo = await nextMessageNo();
    const body = [
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000002', 'Чужой', '7700000012'),
      { Trailer: { ObjectCount: 1 } },
    ];
    const cases: [Record<string, string>, string][] = [
      [{ To: '00000000-0000-4000-8000-00000000dead' }, 'wrong_recipient'],
      [{ From: '00000000-0000-4000-8000-00000000beef' }, 'wrong_sender'],
      [{ Format: formatNamespace('1.99') }, 'unsupported_format_version'],
    ];
    for (const [overrides, code] of cases) {
      const result = await deliver(
        messageNo,
        await partsOf([header({ MessageNo: messageNo, ...overrides }), ...body]),
      );
      expect(result, code).toMatchObject({ status: 'failed', error: { code } });
    }
    expect((await bpCounterparties()).items.map((item: { name: string }) => item.name)).not.toContain(
      'Чужой',
    );
    expect((await peerNode()).receivedNo).toBe(node.receivedNo);
  });

  it('skips the body of an old or repeated message but still reads its acknowledgement', async () => {
    // Accounting starts sending catalogs and has one of its own: a change waiting for the CRM's acknowledgement.
    await pair.api(pair.bp, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.peerSettingId}/rules`, {
      catalogs: 'all',
    });
    await pair.add(pair.bp, 'counterparty', { name: 'Свой контрагент Бухгалтерии', inn: '7700000020' });
    const outbox = await pair.peerTransport().prepareOutbox(crmCode);
    expect(outbox.message?.objectCount).toBeGreaterThan(0);
    const node = await peerNode();
    const waiting = await pair.bpExchange.infobase.db
      .selectFrom('exchange_changes')
      .selectAll()
      .where('node_id', '=', node.id)
      .execute();
    expect(waiting.length).toBeGreaterThan(0);
    const old = await partsOf([
      header({ MessageNo: node.receivedNo, ReceivedNo: outbox.message!.messageNo }),
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000003', 'Повтор', '7700000013'),
      { Trailer: { ObjectCount: 1 } },
    ]);
    expect(await deliver(node.receivedNo, old)).toMatchObject({
      status: 'duplicate',
      receivedNo: node.receivedNo,
    });
    expect((await bpCounterparties()).items.map((item: { name: string }) => item.name)).not.toContain(
      'Повтор',
    );
    const left = await pair.bpExchange.infobase.db
      .selectFrom('exchange_changes')
      .selectAll()
      .where('node_id', '=', node.id)
      .execute();
    expect(left).toEqual([]);
    await pair.api(pair.bp, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.peerSettingId}/rules`, {
      catalogs: 'none',
    });
  });

  it('links a counterparty found by its INN and KPP, also as the last object of the message', async () => {
    const local = await pair.add(pair.bp, 'counterparty', {
      name: 'ООО «Связанный»',
      inn: '7700000051',
      kpp: '770001001',
    });
    const peer = 'aaaaaaaa-0000-4000-8000-000000000051';
    const entry = counterpartyEntry(peer, 'Svyazanny LLC', '7700000051');
    Object.assign(entry['Справочник.Контрагенты'].КлючевыеСвойства, { КПП: '770001001' });
    const messageNo = await nextMessageNo();
    const parts = await partsOf([header({ MessageNo: messageNo }), entry, { Trailer: { ObjectCount: 1 } }]);
    expect(await deliver(messageNo, parts)).toMatchObject({ status: 'applied' });
    // The links of a chunk are written at its end: nothing after the last one reads them first.
    const links = await pair.bpExchange.infobase.db
      .selectFrom('exchange_public_ids')
      .select(['peer_ref', 'local_ref'])
      .where('peer_ref', '=', peer)
      .execute();
    expect(links).toEqual([{ peer_ref: peer, local_ref: local }]);
  });

  it('holds back an object that fails validation with its reason, and applies the rest', async () => {
    const messageNo = await nextMessageNo();
    // Objects are applied a chunk at a time: the bad one, amid good ones, undoes its chunk, which is then
    // applied object by object. Those before it must not count twice, those after it not go missing.
    const parts = await partsOf([
      header({ MessageNo: messageNo }),
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000006', 'Хороший до', '7700000024'),
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000004', 'Плохой ИНН', 'ABC'),
      counterpartyEntry('aaaaaaaa-0000-4000-8000-000000000005', 'Хороший', '7700000015'),
      { Trailer: { ObjectCount: 3 } },
    ]);
    const result = await deliver(messageNo, parts);
    expect(result).toMatchObject({ status: 'applied', receivedNo: messageNo });
    const names = (await bpCounterparties()).items.map((item: { name: string }) => item.name);
    expect(names.filter((name: string) => name === 'Хороший до')).toHaveLength(1);
    expect(names).toContain('Хороший');
    expect(names).not.toContain('Плохой ИНН');
    const [entry] = (await pair.api(pair.bp, 'GET', '/{ib}/api/v1/sync/journal?limit=1')).data;
    const detail = (await pair.api(pair.bp, 'GET', `/{ib}/api/v1/sync/journal/${entry.id}`)).data;
    expect(detail.status).toBe('warnings');
    expect(detail.counts.counterparty).toMatchObject({ created: 2, heldBack: 1 });
    expect(detail.items).toHaveLength(1);
    expect(detail.items).toContainEqual(
      expect.objectContaining({ code: 'validation_failed', ref: 'aaaaaaaa-0000-4000-8000-000000000004' }),
    );
    expect(detail.items[0].message).toContain('inn');
  });

  it('keeps both of two new counterparties that came with one code: the second gets a code of its own', async () => {
    const messageNo = await nextMessageNo();
    // In one chunk the rows of new objects are inserted together: the second must still find the first's
    // code taken, as one at a time.
    const withCode = (entry: ReturnType<typeof counterpartyEntry>) => ({
      'Справочник.Контрагенты': {
        ...entry['Справочник.Контрагенты'],
        AdditionalInfo: { ibsync: { code: 'CR-77001', createdIn: 'CR' } },
      },
    });
    const first = 'aaaaaaaa-0000-4000-8000-000000000007';
    const second = 'aaaaaaaa-0000-4000-8000-000000000008';
    const parts = await partsOf([
      header({ MessageNo: messageNo }),
      withCode(counterpartyEntry(first, 'Первый с кодом', '7700000031')),
      withCode(counterpartyEntry(second, 'Второй с тем же кодом', '7700000032')),
      { Trailer: { ObjectCount: 2 } },
    ]);
    expect(await deliver(messageNo, parts)).toMatchObject({ status: 'applied', receivedNo: messageNo });
    const code = async (ref: string) =>
      (await pair.api(pair.bp, 'GET', `/{ib}/api/v1/data/counterparty/${ref}`)).data.code;
    expect(await code(first)).toBe('CR-77001');
    expect(await code(second)).toMatch(/^BP-/);
  });

  it('finds by key properties what the same chunk created or changed before, and not by a key it no longer has', async () => {
    const messageNo = await nextMessageNo();
    // One chunk: its search answers are fetched before its first object is written.
    const created = 'aaaaaaaa-0000-4000-8000-000000000009';
    const contractRef = (suffix: string) => `bbbbbbbb-0000-4000-8000-00000000000${suffix}`;
    const contract = (suffix: string, counterparty: Record<string, unknown>) => ({
      'Справочник.Договоры': {
        КлючевыеСвойства: {
          Ссылка: contractRef(suffix),
          ВидДоговора: 'СПокупателем',
          Организация: { Ссылка: basics.org },
          Контрагент: { ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо', ...counterparty },
          Наименование: `Договор ${suffix}`,
          Дата: '2026-11-01',
          Номер: `D-${suffix}`,
        },
      },
    });
    const parts = await partsOf([
      header({ MessageNo: messageNo }),
      // New here, then named by its INN alone.
      counterpartyEntry(created, 'Новый в том же куске', '7700000041'),
      contract('1', { Наименование: 'Новый в том же куске', ИНН: '7700000041' }),
      // Known here under one INN, changed to another, then named by the new one and by the old one.
      counterpartyEntry(basics.buyer, 'ООО "Ромашка"', '7700000042'),
      contract('2', { Наименование: 'Ромашка по новому ИНН', ИНН: '7700000042' }),
      contract('3', { Наименование: 'Ромашка по старому ИНН', ИНН: '7702345678' }),
      { Trailer: { ObjectCount: 5 } },
    ]);
    expect(await deliver(messageNo, parts)).toMatchObject({ status: 'applied' });
    const counterpartyOf = async (suffix: string) =>
      (await pair.api(pair.bp, 'GET', `/{ib}/api/v1/data/contract/${contractRef(suffix)}`)).data
        ?.counterparty;
    expect(await counterpartyOf('1')).toBe(created);
    expect(await counterpartyOf('2')).toBe(basics.buyer);
    // Nothing here has the old INN any more, nor that name: the contract waits for its counterparty.
    expect(await counterpartyOf('3')).toBeUndefined();
    const held = await pair.bpExchange.infobase.db
      .selectFrom('exchange_held_back')
      .select(['peer_ref', 'reason'])
      .where('type', '=', 'contract')
      .execute();
    expect(held).toEqual([expect.objectContaining({ peer_ref: contractRef('3') })]);
  });

  it('holds back a document whose counterparty neither side has, and applies it once the counterparty arrives', async () => {
    const ghost = await pair.add(pair.crm, 'counterparty', { name: 'Призрак', inn: '7700000016' });
    const invoice = await basics.invoice({ counterparty: ghost });
    // The counterparty's change is lost on the way: the document arrives alone.
    await pair.crmExchange.infobase.db.deleteFrom('exchange_changes').where('ref', '=', ghost).execute();
    await pair.crmExchange.infobase.db
      .insertInto('exchange_sent_objects')
      .values({ node_id: pair.settingId, type: 'counterparty', ref: ghost, source: 'us' })
      .execute();
    const first = await pair.run();
    expect(first.status).toBe('ok');
    const heldInvoices = () =>
      pair.bpExchange.infobase.db
        .selectFrom('exchange_held_back')
        .selectAll()
        .where('type', '=', 'customer-invoice')
        .execute();
    const held = await heldInvoices();
    expect(held).toEqual([expect.objectContaining({ type: 'customer-invoice', peer_ref: invoice })]);
    expect(String(held[0]?.reason)).toContain('Призрак');
    expect((await pair.api(pair.bp, 'GET', `/{ib}/api/v1/data/customer-invoice/${invoice}`)).statusCode).toBe(
      404,
    );
    // The counterparty changes and so travels; the held-back document follows it in the same import.
    await pair.api(pair.crm, 'PATCH', `/{ib}/api/v1/data/counterparty/${ghost}`, {
      phone: '+7 900 000-00-00',
    });
    await pair.run();
    expect(
      (await pair.api(pair.bp, 'GET', `/{ib}/api/v1/data/customer-invoice/${invoice}`)).data.counterparty,
    ).toBe(ghost);
    expect(await heldInvoices()).toEqual([]);
  });

  it('sends a small message inside its announcement, applied in the same call; with nothing to send, one call in all', async () => {
    const comment = `Счёт ${randomBytes(8).toString('hex')}`;
    await basics.invoice({ comment });
    const real = pair.network.fetch;
    const calls: string[] = [];
    pair.network.fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const path = String(input)
        .replace(/.*\/exchange\/v1\/nodes\/[^/]+/, '')
        .replace(/\d+/g, 'N');
      calls.push(`${init?.method ?? 'GET'} ${path}${body.includes('"inline"') ? ' inline' : ''}`);
      return real(input, init);
    };
    const result = await pair.run();
    const sendingCalls = calls.splice(0);
    // Nothing changed since: the outbox call carries our acknowledgement, and that is the whole session.
    const quiet = await pair.run();
    pair.network.fetch = real;
    expect(result.status).toBe('ok');
    expect(sendingCalls).toEqual(['POST /outbox', 'PUT /inbox/N inline']);
    expect(quiet.status).toBe('ok');
    expect(calls).toEqual(['POST /outbox']);

    // A peer from before these shortcuts answers without them: the acknowledgement then goes on its own.
    const older: typeof real = async (input, init) => {
      const response = await real(input, init);
      if (!String(input).endsWith('/outbox')) return response;
      const { acknowledged: _, ...outbox } = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify(outbox), { status: response.status, headers: response.headers });
    };
    pair.network.fetch = async (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${String(input).replace(/.*\/exchange\/v1\/nodes\/[^/]+/, '')}`);
      return older(input, init);
    };
    calls.length = 0;
    await pair.run();
    pair.network.fetch = real;
    expect(calls).toEqual(['POST /outbox', 'POST /ack']);
    const arrived = (await pair.api(pair.bp, 'GET', '/{ib}/api/v1/data/customer-invoice?limit=1000')).data;
    expect(arrived.items.map((item: { comment: string | null }) => item.comment)).toContain(comment);

    const transport = pair.peerTransport();
    const data = gzipSync('{}\n');
    const descriptor = { messageNo: await nextMessageNo(), partCount: 1, size: data.length, objectCount: 0 };
    await expect(
      transport.announce(crmCode, { ...descriptor, sha256: sha256(Buffer.from('other')) }, data),
    ).rejects.toMatchObject({ code: 'bad_part' });
    await expect(
      transport.announce(crmCode, { ...descriptor, partCount: 2, sha256: sha256(data) }, data),
    ).rejects.toMatchObject({ code: 'bad_request' });
    const stored = await transport.announce(crmCode, { ...descriptor, sha256: sha256(data) }, data);
    expect(stored).toMatchObject({ received: [1], missing: [] });
  });

  it('resumes a transfer cut mid-message: the next Synchronize sends only the missing parts', async () => {
    // Random text, so that compression cannot fold the message into a single part.
    const comments: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      comments.push(`Счёт ${i} ${randomBytes(60).toString('base64')}`);
      await basics.invoice({ comment: comments[i] });
    }
    const real = pair.network.fetch;
    const uploads: string[] = [];
    let cut = true;
    pair.network.fetch = async (input, init) => {
      const url = String(input);
      if (init?.method === 'PUT' && url.includes('/parts/')) {
        uploads.push(url.replace(/.*\/parts\//, ''));
        if (cut && uploads.length >= 2) throw connectionReset();
      }
      return real(input, init);
    };
    const failed = await pair.api(
      pair.crm,
      'POST',
      `/{ib}/api/v1/sync/settings/${pair.settingId}/run?wait=60`,
    );
    expect(failed.data.state).toBe('failed');
    expect(failed.data.error.code).toBe('not_reachable');
    const partsBefore = uploads.length;
    cut = false;
    uploads.length = 0;
    const result = await pair.run();
    expect(result.status).toBe('ok');
    // The first part had arrived before the cut; it was not sent again.
    expect(uploads).not.toContain('1');
    expect(partsBefore).toBeGreaterThan(1);
    pair.network.fetch = real;
    const arrived = (await pair.api(pair.bp, 'GET', '/{ib}/api/v1/data/customer-invoice?limit=1000')).data
      .items;
    expect(
      arrived.filter((item: { comment: string | null }) => comments.includes(item.comment ?? '')),
    ).toHaveLength(30);
  });

  it('runs one Synchronize at a time: a second request joins the running one', async () => {
    const url = `/{ib}/api/v1/sync/settings/${pair.settingId}/run`;
    // The peer answers only once both requests are in: the first Synchronize is surely still running.
    const real = pair.network.fetch;
    let answer: () => void = () => {};
    const bothIn = new Promise<void>((resolve) => {
      answer = resolve;
    });
    pair.network.fetch = async (input, init) => {
      await bothIn;
      return real(input, init);
    };
    try {
      const [first, second] = await Promise.all([
        pair.api(pair.crm, 'POST', url),
        pair.api(pair.crm, 'POST', url),
      ]);
      answer();
      expect(second.data.id).toBe(first.data.id);
      expect([first.data.alreadyRunning, second.data.alreadyRunning].sort()).toEqual([false, true]);
      await pair.api(pair.crm, 'GET', `/{ib}/api/v1/sync/jobs/${first.data.id}?wait=30`);
    } finally {
      answer();
      pair.network.fetch = real;
    }
  });

  it('refuses a Synchronize from another process while one holds the setting', async () => {
    const { withNodeLock } = await import('../../src/exchange/locks.js');
    let release: () => void = () => undefined;
    const held = withNodeLock(
      pair.crmExchange.infobase.db,
      pair.settingId,
      'a test',
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { synchronize } = await import('../../src/exchange/session.js');
    await expect(
      synchronize(
        {
          context: pair.crmExchange,
          transport: () => pair.peerTransport(),
          secrets: { seal: (s) => s, open: (s) => s },
        },
        pair.settingId,
        { user: 'x' },
      ),
    ).rejects.toMatchObject({ code: 'sync_in_progress' });
    release();
    await held;
  });

  it('runs scheduled synchronizations when they are due', async () => {
    await pair.api(pair.crm, 'PATCH', `/{ib}/api/v1/sync/settings/${pair.settingId}/schedule`, {
      intervalSeconds: 60,
    });
    await pair.crm.services.exchange.runDue(new Date(Date.now() + 61_000));
    await pair.crm.services.exchange.jobs.drain();
    const [latest] = (
      await pair.api(pair.crm, 'GET', `/{ib}/api/v1/sync/journal?setting=${pair.settingId}&limit=1`)
    ).data;
    expect(latest).toMatchObject({ operation: 'sync', user: 'schedule', status: 'ok' });
    const setting = (await pair.api(pair.crm, 'GET', `/{ib}/api/v1/sync/settings/${pair.settingId}`)).data;
    expect(new Date(setting.nextRunAt).getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('connecting again after a lost answer changes nothing, and a half-made setting is undone', async () => {
    const connection = {
      peerApplication: 'accounting',
      peerUrl: 'http://bp-host.test/bp',
      peerLogin: 'sc12345',
      peerPassword: 'Pass-word1',
    };
    const again = await pair.api(pair.crm, 'POST', '/{ib}/api/v1/sync/settings', connection);
    expect(again.data.id).toBe(pair.settingId);
    expect((await pair.api(pair.bp, 'GET', '/{ib}/api/v1/sync/settings')).data).toHaveLength(1);

    // A third infobase whose own side cannot be saved: the peer's node made for it is removed again.
    await pair.crm.host.create('crm2', 'crm');
    await pair.crm.call('POST', '/crm2/api/v1/users', { body: { login: 'sc12345', password: 'Pass-word1' } });
    await pair.crm.call('PATCH', '/crm2/api/v1/settings', {
      as: ['sc12345', 'Pass-word1'],
      body: { syncEnabled: true, prefix: 'C2' },
    });
    const crm2 = (await pair.crm.services.exchange.of('crm2')).context;
    const insert = vi.spyOn(crm2.nodes, 'insert').mockRejectedValueOnce(new Error('disk full'));
    const failed = await pair.crm.call('POST', '/crm2/api/v1/sync/settings', {
      as: ['sc12345', 'Pass-word1'],
      body: connection,
    });
    expect(failed.statusCode).toBe(500);
    insert.mockRestore();
    expect(await crm2.nodes.list()).toEqual([]);
    expect((await pair.api(pair.bp, 'GET', '/{ib}/api/v1/sync/settings')).data).toHaveLength(1);
  });
});
