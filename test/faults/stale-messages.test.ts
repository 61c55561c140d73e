import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../src/exchange/message-codec.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { createSyncPair, crmBasics, type SyncPair } from '../helpers/sync-pair.js';

/**
 * Findings of the fault suite: an announcement delivered twice, late or out of order left an incoming
 * message in Accounting that nothing would ever apply or remove.
 */
describeEachDialect('incoming messages that can never be applied are not kept', (dialect) => {
  let pair: SyncPair;
  let crmCode: string;
  let basics: Awaited<ReturnType<typeof crmBasics>>;

  beforeAll(async () => {
    pair = await createSyncPair(dialect, {
      partSize: 512,
      before: async (partial) => {
        basics = await crmBasics(partial);
        await basics.invoice();
      },
    });
    crmCode = await pair.crmExchange.ownCode();
  });
  afterAll(() => pair?.cleanup());

  const incoming = async () =>
    (
      await pair.bpExchange.infobase.db
        .selectFrom('exchange_messages')
        .select('message_no')
        .where('direction', '=', 'in')
        .execute()
    ).map((row) => Number(row.message_no));

  it('drops a repeated announcement of an applied message when the next session starts', async () => {
    const applied = await pair.crmExchange.messages.latest(pair.settingId, 'out');
    expect(applied).toBeDefined();
    expect((await pair.bpExchange.nodes.require(pair.peerSettingId)).receivedNo).toBe(applied!.messageNo);
    // The network delivers the announcement once more, long after; its parts and import never follow.
    const { messageNo, partCount, size, sha256: hash, objectCount } = applied!;
    await pair.peerTransport().announce(crmCode, { messageNo, partCount, size, sha256: hash, objectCount });
    expect(await incoming()).toEqual([messageNo]);

    const next = await pair.run();
    expect(next).toMatchObject({ status: 'ok' });
    expect(await incoming()).toEqual([]);
  });

  it('drops a message still arriving when the sender announces a newer one', async () => {
    const node = await pair.bpExchange.nodes.require(pair.peerSettingId);
    const part = Buffer.from('part one of two');
    const older = {
      messageNo: node.receivedNo + 1,
      partCount: 2,
      size: 100,
      sha256: sha256(part),
      objectCount: 3,
    };
    const transport = pair.peerTransport();
    await transport.announce(crmCode, older);
    await transport.uploadPart(crmCode, older.messageNo, 1, part, sha256(part));
    // The sender restarted and wrote its changes into a newer message; the older one can never be completed.
    await transport.announce(crmCode, { ...older, messageNo: older.messageNo + 1 });
    expect(await incoming()).toEqual([older.messageNo + 1]);
    const parts = await pair.bpExchange.infobase.db
      .selectFrom('exchange_message_parts')
      .select('message_no')
      .where('direction', '=', 'in')
      .execute();
    expect(parts).toEqual([]);
    // The CRM's counter moves past the hand-made numbers; its next real message replaces them all.
    await pair.crmExchange.nodes.update(pair.settingId, { sentNo: older.messageNo + 1 });
    await basics.invoice();
    expect(await pair.run()).toMatchObject({ status: 'ok', sent: { 'customer-invoice': 1 } });
    expect(await incoming()).toEqual([]);
  });
});
