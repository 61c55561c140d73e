import { randomUUID } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { Db } from '../platform/storage/index.js';
import { forgetTransactionCache, transactionCache } from '../platform/storage/transaction-cache.js';
import { type ExportRules, exportRulesSchema } from './export-rules.js';

export type NodeRole = 'initiator' | 'responder';
/** `pending`: the setup is not finished on one of the two sides yet; `ready`: Synchronize works. */
export type NodeState = 'pending' | 'ready';

export type ObjectTypeSupport = { send: string[]; receive: string[] };

export type SetupProgress = {
  /** Initiator: the initial export reached the peer. Responder: its own initial export is made. */
  initialExportDone: boolean;
  /** Responder: the initiator's initial message was mapped and loaded. */
  loadDone: boolean;
};

export type ExchangeNode = {
  id: string;
  peerCode: string;
  role: NodeRole;
  state: NodeState;
  peer: {
    application: string;
    name: string | null;
    prefix: string | null;
    version: string | null;
    url: string | null;
    login: string | null;
  };
  peerObjectTypes: ObjectTypeSupport;
  rules: ExportRules;
  sentNo: number;
  receivedNo: number;
  scheduleSeconds: number | null;
  nextRunAt: string | null;
  lastSyncAt: string | null;
  lastSyncStatus: string | null;
  setup: SetupProgress;
  createdAt: string;
  updatedAt: string;
};

/** Whether the peer takes objects of the format type: it declared no list (it takes all), or this one. */
export function peerReceives(node: ExchangeNode, formatType: string | undefined): boolean {
  const { receive } = node.peerObjectTypes;
  return receive.length === 0 || (formatType !== undefined && receive.includes(formatType));
}

type Row = Record<string, unknown>;

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

function decode(row: Row): ExchangeNode {
  return {
    id: String(row.id),
    peerCode: String(row.peer_code),
    role: String(row.role) as NodeRole,
    state: String(row.state) as NodeState,
    peer: {
      application: String(row.peer_application),
      name: text(row.peer_name),
      prefix: text(row.peer_prefix),
      version: text(row.peer_version),
      url: text(row.peer_url),
      login: text(row.peer_login),
    },
    peerObjectTypes: row.peer_object_types
      ? JSON.parse(String(row.peer_object_types))
      : { send: [], receive: [] },
    rules: exportRulesSchema.parse(JSON.parse(String(row.rules))),
    sentNo: Number(row.sent_no),
    receivedNo: Number(row.received_no),
    scheduleSeconds:
      row.schedule_seconds === null || row.schedule_seconds === undefined
        ? null
        : Number(row.schedule_seconds),
    nextRunAt: text(row.next_run_at),
    lastSyncAt: text(row.last_sync_at),
    lastSyncStatus: text(row.last_sync_status),
    setup: JSON.parse(String(row.setup)),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

export type NewNode = {
  /** Given when the other side already named the setting, so both sides share its id. */
  id?: string;
  peerCode: string;
  role: NodeRole;
  state: NodeState;
  peer: ExchangeNode['peer'];
  peerSecret: string | null;
  peerObjectTypes: ObjectTypeSupport;
  rules: ExportRules;
};

export type NodeChange = Partial<{
  state: NodeState;
  peer: Partial<ExchangeNode['peer']>;
  peerSecret: string | null;
  peerObjectTypes: ObjectTypeSupport;
  rules: ExportRules;
  sentNo: number;
  receivedNo: number;
  scheduleSeconds: number | null;
  nextRunAt: string | null;
  lastSyncAt: string | null;
  lastSyncStatus: string | null;
  setup: Partial<SetupProgress>;
}>;

const PEER_COLUMNS = {
  application: 'peer_application',
  name: 'peer_name',
  prefix: 'peer_prefix',
  version: 'peer_version',
  url: 'peer_url',
  login: 'peer_login',
} as const;

const CACHE = 'exchange.nodes';

/** The sync settings of one infobase. */
export function createNodeStore(db: Db) {
  async function find(db2: Db, column: 'id' | 'peer_code', value: string) {
    const row = await db2
      .selectFrom('exchange_nodes')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? decode(row) : undefined;
  }

  return {
    get: (id: string, trx: Db = db) => find(trx, 'id', id),
    byPeerCode: (code: string, trx: Db = db) => find(trx, 'peer_code', code),

    async require(id: string, trx: Db = db): Promise<ExchangeNode> {
      const node = await find(trx, 'id', id);
      if (!node) {
        throw new AppError(
          'unknown_setting',
          `There is no synchronization setting "${id}" in this infobase`,
          {
            status: 404,
          },
        );
      }
      return node;
    },

    async list(trx: Db = db): Promise<ExchangeNode[]> {
      const rows = await trx.selectFrom('exchange_nodes').selectAll().orderBy('created_at').execute();
      return rows.map(decode);
    },

    /**
     * The settings as this transaction last read them: the change log asks on every object written, and a
     * load writes many. Changing a setting in the transaction makes it read them again.
     */
    listCached(trx: Db): Promise<ExchangeNode[]> {
      if (!trx.isTransaction) return this.list(trx);
      const cache = transactionCache(trx, CACHE, () => ({
        nodes: undefined as Promise<ExchangeNode[]> | undefined,
      }));
      cache.nodes ??= this.list(trx);
      return cache.nodes;
    },

    async secret(id: string, trx: Db = db): Promise<string | null> {
      const row = await trx
        .selectFrom('exchange_nodes')
        .select('peer_secret')
        .where('id', '=', id)
        .executeTakeFirst();
      return text(row?.peer_secret);
    },

    async insert(node: NewNode, trx: Db = db): Promise<ExchangeNode> {
      const now = new Date().toISOString();
      const id = node.id && !(await find(trx, 'id', node.id)) ? node.id : randomUUID();
      const row: Row = {
        id,
        peer_code: node.peerCode,
        role: node.role,
        state: node.state,
        peer_secret: node.peerSecret,
        peer_object_types: JSON.stringify(node.peerObjectTypes),
        rules: JSON.stringify(node.rules),
        sent_no: 0,
        received_no: 0,
        setup: JSON.stringify({ initialExportDone: false, loadDone: false } satisfies SetupProgress),
        created_at: now,
        updated_at: now,
      };
      for (const [key, column] of Object.entries(PEER_COLUMNS)) {
        row[column] = node.peer[key as keyof typeof PEER_COLUMNS];
      }
      await trx.insertInto('exchange_nodes').values(row).execute();
      forgetTransactionCache(trx, CACHE);
      return (await find(trx, 'id', id))!;
    },

    async update(id: string, change: NodeChange, trx: Db = db): Promise<ExchangeNode> {
      const current = await find(trx, 'id', id);
      if (!current)
        throw new AppError('unknown_setting', `There is no synchronization setting "${id}"`, { status: 404 });
      const row: Row = { updated_at: new Date().toISOString() };
      if (change.state !== undefined) row.state = change.state;
      if (change.peerSecret !== undefined) row.peer_secret = change.peerSecret;
      if (change.peerObjectTypes !== undefined)
        row.peer_object_types = JSON.stringify(change.peerObjectTypes);
      if (change.rules !== undefined) row.rules = JSON.stringify(change.rules);
      if (change.sentNo !== undefined) row.sent_no = change.sentNo;
      if (change.receivedNo !== undefined) row.received_no = change.receivedNo;
      if (change.scheduleSeconds !== undefined) row.schedule_seconds = change.scheduleSeconds;
      if (change.nextRunAt !== undefined) row.next_run_at = change.nextRunAt;
      if (change.lastSyncAt !== undefined) row.last_sync_at = change.lastSyncAt;
      if (change.lastSyncStatus !== undefined) row.last_sync_status = change.lastSyncStatus;
      if (change.setup !== undefined) row.setup = JSON.stringify({ ...current.setup, ...change.setup });
      for (const [key, value] of Object.entries(change.peer ?? {})) {
        if (value !== undefined) row[PEER_COLUMNS[key as keyof typeof PEER_COLUMNS]] = value;
      }
      await trx.updateTable('exchange_nodes').set(row).where('id', '=', id).execute();
      forgetTransactionCache(trx, CACHE);
      return (await find(trx, 'id', id))!;
    },

    /** Removes a setting and everything the exchange kept for it. */
    async remove(id: string, trx: Db): Promise<void> {
      for (const table of [
        'exchange_changes',
        'exchange_sent_objects',
        'exchange_public_ids',
        'exchange_messages',
        'exchange_message_parts',
        'exchange_held_back',
        'exchange_mapping_decisions',
        'exchange_mapping_analysis',
        'exchange_locks',
      ]) {
        await trx.deleteFrom(table).where('node_id', '=', id).execute();
      }
      await trx.deleteFrom('exchange_nodes').where('id', '=', id).execute();
      forgetTransactionCache(trx, CACHE);
    },
  };
}

export type NodeStore = ReturnType<typeof createNodeStore>;
