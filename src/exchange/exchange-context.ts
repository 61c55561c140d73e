import { randomUUID } from 'node:crypto';
import type { Infobase } from '../platform/infobase.js';
import type { ObjectTypeDef } from '../platform/metadata.js';
import { readSetting } from '../platform/settings.js';
import type { ConversionRules, ExchangedType } from './conversion.js';
import { createMessageStore, type MessageStore } from './message-store.js';
import { createNodeStore, type NodeStore } from './nodes.js';

/** The protocol this host speaks with its peers; a peer on another protocol is refused by name. */
export const PROTOCOL_VERSION = 1;
export const EXCHANGE_PLAN = 'ibsync';

/** What every exchange operation of one infobase works with. */
export type ExchangeContext = {
  infobase: Infobase;
  nodes: NodeStore;
  messages: MessageStore;
  rules: ConversionRules;
  /** Local type name → its format type, for the types this application exchanges. */
  exchanged: ReadonlyMap<string, ExchangedType>;
  typeDef(localType: string): ObjectTypeDef;
  /** This infobase's own node code, made once and kept. */
  ownCode(): Promise<string>;
  partSize: number | undefined;
  /** Where large incoming messages are read: the reader thread's entry, if the host has one. */
  readerThread: URL | undefined;
  /** From what size (bytes) a message is read there. */
  readerThreadFrom: number | undefined;
};

export function createExchangeContext(
  infobase: Infobase,
  rules: ConversionRules,
  options: {
    partSize?: number | undefined;
    readerThread?: URL | undefined;
    readerThreadFrom?: number | undefined;
  } = {},
): ExchangeContext {
  let code: Promise<string> | undefined;
  return {
    infobase,
    nodes: createNodeStore(infobase.db),
    messages: createMessageStore(infobase.db),
    rules,
    exchanged: new Map(rules.types.map((type) => [type.localType, type])),
    typeDef: (localType) => infobase.objects.typeDef(localType),
    ownCode() {
      code ??= (async () => {
        // Insert-if-absent, then read: two processes starting at once still agree on one code.
        await infobase.db
          .insertInto('settings')
          .values({ key: 'exchange.nodeCode', value: randomUUID() })
          .onConflict((conflict) => conflict.column('key').doNothing())
          .execute();
        return (await readSetting(infobase.db, 'exchange.nodeCode'))!;
      })();
      return code;
    },
    partSize: options.partSize,
    readerThread: options.readerThread,
    readerThreadFrom: options.readerThreadFrom,
  };
}
