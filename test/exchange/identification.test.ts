import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SearchKeys } from '../../src/exchange/conversion.js';
import { exchangeTables } from '../../src/exchange/exchange-tables.js';
import { createIdentifier, type Identification } from '../../src/exchange/identification.js';
import { link } from '../../src/exchange/public-ids.js';
import type { Infobase } from '../../src/platform/infobase.js';
import type { Db } from '../../src/platform/storage/index.js';
import { ensureTable } from '../../src/platform/storage/table-spec.js';
import { createTestHost, describeEachDialect, type TestHost } from '../helpers/dialects.js';

const user = { kind: 'user', login: 'tester' } as const;

describeEachDialect(
  'identification: a catalog read whole answers as look-ups do; an import remembers within bounds',
  (dialect) => {
    let test: TestHost;
    let bp: Infobase;
    const refs: Record<string, string> = {};

    beforeAll(async () => {
      test = await createTestHost(dialect);
      bp = await test.host.create('bp', 'accounting');
      for (const table of exchangeTables) await ensureTable(bp.db, bp.dialect, table);
      const counterparty = async (key: string, values: Record<string, unknown>) => {
        refs[key] = (await bp.objects.create('counterparty', values, user)).ref;
      };
      await counterparty('romashka', { name: 'Ромашка ООО', inn: '7702345678', kpp: '770201001' });
      await counterparty('north', { name: 'Север', inn: '7703000000', kpp: '770301001' });
      await counterparty('south', { name: 'Север, филиал', inn: '7703000000', kpp: '770302001' });
      await counterparty('vector', { name: 'Вектор' });
      await counterparty('gone', { name: 'Закрыто', inn: '7704000000', kpp: '770401001' });
      await bp.objects.update('counterparty', refs.gone!, { deleted: true }, user);
    });
    afterAll(() => test.cleanup());

    const lookups: { name: string; keys: SearchKeys; peerRef?: () => string }[] = [
      { name: 'same INN and KPP', keys: { inn: '7702345678', kpp: '770201001', name: 'Romashka LLC' } },
      { name: 'an INN two branches share', keys: { inn: '7703000000', kpp: null, name: 'Sever' } },
      { name: 'a name alone', keys: { inn: null, kpp: null, name: ' ВЕКТОР ' } },
      { name: 'only a deleted one', keys: { inn: '7704000000', kpp: '770401001', name: 'Закрыто' } },
      { name: 'nothing', keys: { inn: '7709999999', kpp: '770901001', name: 'Новая' } },
      // The peer has it under our ref (it came from here), even marked for deletion.
      { name: 'our own ref', keys: { inn: null, kpp: null, name: 'x' }, peerRef: () => refs.gone! },
    ];

    /** An identifier of Accounting's objects for the node, in the transaction. */
    const identifierIn = (
      trx: Db,
      nodeId: string,
      options: Pick<
        Parameters<typeof createIdentifier>[0],
        'readOnly' | 'incomingObjects' | 'markedForPeer' | 'linkFilterFrom' | 'beforeRead'
      >,
    ) =>
      createIdentifier({
        trx,
        dialect: bp.dialect,
        sql: bp.sql,
        nodeId,
        typeDef: (type) => bp.objects.typeDef(type),
        ...options,
      });

    /**
     * Identifies every lookup in one read-only analysis; `incomingObjects` decides how candidates are read.
     * What the chunk's prefetch fetched answers each of them without the database, as the look-up does.
     */
    async function identifyAll(incomingObjects: number, nodeId = randomUUID()): Promise<Identification[]> {
      return bp.db.transaction().execute(async (trx) => {
        const identifier = identifierIn(trx, nodeId, { readOnly: true, incomingObjects });
        const chunk = lookups.map(({ keys, peerRef }) => ({
          localType: 'counterparty',
          peerRef: peerRef?.() ?? randomUUID(),
          keys,
        }));
        await identifier.prefetch(chunk);
        const def = bp.objects.typeDef('counterparty');
        const fromMemory = chunk.map(({ peerRef, keys }) => identifier.identifyKnown(def, peerRef, keys));
        const found: Identification[] = [];
        for (const { peerRef, keys } of chunk) found.push(await identifier.identify(def, peerRef, keys));
        expect(fromMemory).toEqual(found);
        return found;
      });
    }

    it('finds the same objects by the same fields either way', async () => {
      // Five local counterparties: a message of 1,000 objects reads them whole, one of a single object
      // looks its keys up.
      const whole = await identifyAll(1000);
      const lookedUp = await identifyAll(1);
      const sorted = (found: Identification[]) =>
        found.map((one) =>
          one.kind === 'ambiguous' ? { ...one, candidates: [...one.candidates].sort() } : one,
        );
      expect(sorted(whole)).toEqual(sorted(lookedUp));
      expect(sorted(whole)).toEqual([
        { kind: 'search', localRef: refs.romashka, fields: ['inn', 'kpp'] },
        { kind: 'ambiguous', candidates: [refs.north, refs.south].sort(), fields: ['inn'] },
        { kind: 'search', localRef: refs.vector, fields: ['name'] },
        { kind: 'new', decided: false },
        { kind: 'new', decided: false },
        { kind: 'ref', localRef: refs.gone },
      ]);
    });

    it('never matches a local object that stands for another peer object, from memory as by look-up', async () => {
      const nodeId = randomUUID();
      await bp.db
        .insertInto('exchange_public_ids')
        .values({ node_id: nodeId, type: 'counterparty', peer_ref: randomUUID(), local_ref: refs.romashka! })
        .execute();
      const [romashka, branches] = await identifyAll(1000, nodeId);
      expect(romashka).toEqual({ kind: 'new', decided: false });
      expect(branches).toMatchObject({ kind: 'ambiguous', fields: ['inn'] });
      expect(await identifyAll(1, nodeId)).toEqual(await identifyAll(1000, nodeId));
    });

    it('tells which local objects are still free to suggest: none linked, decided, known there or matched', async () => {
      const nodeId = randomUUID();
      const now = new Date().toISOString();
      await bp.db
        .insertInto('exchange_public_ids')
        .values({ node_id: nodeId, type: 'counterparty', peer_ref: randomUUID(), local_ref: refs.north! })
        .execute();
      await bp.db
        .insertInto('exchange_mapping_decisions')
        .values({
          node_id: nodeId,
          type: 'counterparty',
          peer_ref: randomUUID(),
          action: 'link',
          local_ref: refs.south!,
          decided_at: now,
          decided_by: null,
        })
        .execute();
      await bp.db
        .insertInto('exchange_sent_objects')
        .values({ node_id: nodeId, type: 'counterparty', ref: refs.gone!, source: 'peer' })
        .execute();
      const free = await bp.db.transaction().execute(async (trx) => {
        const identifier = identifierIn(trx, nodeId, { readOnly: true });
        const def = bp.objects.typeDef('counterparty');
        identifier.take(def, refs.vector!, randomUUID());
        return identifier.free(def, Object.values(refs));
      });
      expect(free).toEqual([refs.romashka]);
    });

    it('in an import, forgets who stands for whom only where the database can say so', async () => {
      const nodeId = randomUUID();
      // Romashka came with the peer's own ref, and its mark says the peer has it; Vector, the same but the
      // mark not written. Products are of a type the peer does not receive: never marked, never forgotten.
      await bp.db
        .insertInto('exchange_sent_objects')
        .values({ node_id: nodeId, type: 'counterparty', ref: refs.romashka!, source: 'peer' })
        .execute();
      const product = (await bp.objects.create('product', { name: 'Шуруп', sku: 'SH-1' }, user)).ref;
      const free = await bp.db.transaction().execute(async (trx) => {
        const identifier = identifierIn(trx, nodeId, {
          markedForPeer: (def) => def.name === 'counterparty',
        });
        const counterparty = bp.objects.typeDef('counterparty');
        const products = bp.objects.typeDef('product');
        for (const ref of [refs.romashka!, refs.vector!]) identifier.take(counterparty, ref, ref);
        identifier.take(products, product, product);
        // Far more than any memory of an import holds, as a million-object load takes.
        for (let taken = 0; taken < 30_000; taken += 1) {
          identifier.take(counterparty, randomUUID(), randomUUID());
          identifier.take(products, randomUUID(), randomUUID());
        }
        return {
          counterparties: await identifier.free(counterparty, [refs.romashka!, refs.vector!]),
          products: await identifier.free(products, [product]),
        };
      });
      expect(free).toEqual({ counterparties: [refs.vector], products: [] });
    });

    it('in an import, remembers every catalog item known to exist, beyond the bounded memory', async () => {
      const known = await bp.db.transaction().execute(async (trx) => {
        const identifier = identifierIn(trx, randomUUID(), {});
        const counterparty = bp.objects.typeDef('counterparty');
        const invoice = bp.objects.typeDef('customer-invoice');
        const [item, removed, document] = [randomUUID(), randomUUID(), randomUUID()];
        identifier.created(counterparty, item);
        identifier.created(counterparty, removed);
        identifier.created(invoice, document);
        // Far more than the bounded memory holds, as the documents of a million-object load name.
        for (let created = 0; created < 30_000; created += 1) {
          identifier.created(counterparty, randomUUID());
          identifier.created(invoice, randomUUID());
        }
        identifier.deleted(counterparty, removed);
        for (let created = 0; created < 30_000; created += 1) identifier.created(counterparty, randomUUID());
        return [item, removed, document].map((ref, index) =>
          identifier.existsKnown(index < 2 ? counterparty : invoice, ref),
        );
      });
      // A document is asked about once: it is not kept beyond the bound.
      expect(known).toEqual([true, undefined, undefined]);
    });

    it('in a large import, asks for links only of the peer refs that may have one', async () => {
      const nodeId = randomUUID();
      const [linkedNorth, linkedSouth, linkedHere] = [randomUUID(), randomUUID(), randomUUID()];
      await bp.db
        .insertInto('exchange_public_ids')
        .values([
          { node_id: nodeId, type: 'counterparty', peer_ref: linkedNorth, local_ref: refs.north! },
          { node_id: nodeId, type: 'counterparty', peer_ref: linkedSouth, local_ref: refs.south! },
        ])
        .execute();
      let lookUps = 0;
      const found = await bp.db.transaction().execute(async (trx) => {
        const identifier = identifierIn(trx, nodeId, {
          linkFilterFrom: 3,
          beforeRead: async () => {
            lookUps += 1;
          },
        });
        const def = bp.objects.typeDef('counterparty');
        // Three peer refs asked about: the type's links are read into the filter.
        for (let asked = 0; asked < 3; asked += 1) await identifier.identify(def, randomUUID(), {});
        lookUps = 0;
        // Vector came with our ref and has no link: only whether it exists is asked.
        const vector = await identifier.identify(def, refs.vector!, {});
        const asked = lookUps;
        // A link this import writes after the filter was made is found, after a rollback as before it.
        await link(trx, bp.sql, nodeId, 'counterparty', linkedHere, refs.romashka!);
        identifier.linked(def, linkedHere, refs.romashka!);
        identifier.forget();
        return {
          vector,
          asked,
          north: await identifier.identify(def, linkedNorth, {}),
          here: await identifier.identify(def, linkedHere, {}),
        };
      });
      expect(found).toEqual({
        vector: { kind: 'ref', localRef: refs.vector },
        asked: 1,
        north: { kind: 'public-id', localRef: refs.north },
        here: { kind: 'public-id', localRef: refs.romashka },
      });
    });
  },
);
