import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/storage/index.js';
import { isProcessGone, PROCESS_TOKEN } from './process-token.js';

export type JournalOperation = 'sync' | 'initial-export' | 'load' | 'dry-run' | 'import' | 'export';
export type JournalStatus = 'running' | 'ok' | 'warnings' | 'failed';

export type TypeCounts = {
  sent: number;
  created: number;
  /** Of the created and updated (or unchanged): matched to an existing object by search fields or by hand. */
  linked: number;
  updated: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  heldBack: number;
};

export type JournalItem = {
  level: 'warning' | 'error';
  type: string | null;
  ref: string | null;
  code: string;
  message: string;
};

export type JournalEntry = {
  id: string;
  settingId: string;
  operation: JournalOperation;
  status: JournalStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  sentMessageNo: number | null;
  receivedMessageNo: number | null;
  bytesSent: number;
  bytesReceived: number;
  counts: Record<string, TypeCounts>;
  error: { code: string; message: string } | null;
  user: string | null;
  items?: JournalItem[];
};

/** Keeps a session's journal small however bad a message is: the first items, and a count of the rest. */
const MAX_ITEMS = 1000;

export function emptyCounts(): TypeCounts {
  return { sent: 0, created: 0, linked: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0, heldBack: 0 };
}

/** What one session did, per object type, with the warnings and errors per object (DESIGN.md 6.6). */
export class SessionRecord {
  readonly counts: Record<string, TypeCounts> = {};
  readonly items: JournalItem[] = [];
  omittedItems = 0;
  sentMessageNo: number | null = null;
  receivedMessageNo: number | null = null;
  bytesSent = 0;
  bytesReceived = 0;

  count(type: string, outcome: keyof TypeCounts, by = 1) {
    this.counts[type] ??= emptyCounts();
    this.counts[type][outcome] += by;
  }

  note(item: JournalItem) {
    if (this.items.length < MAX_ITEMS) this.items.push(item);
    else this.omittedItems += 1;
  }

  merge(other: SessionRecord) {
    for (const [type, counts] of Object.entries(other.counts)) {
      for (const [outcome, value] of Object.entries(counts))
        this.count(type, outcome as keyof TypeCounts, value);
    }
    for (const item of other.items) this.note(item);
    this.omittedItems += other.omittedItems;
    this.bytesSent += other.bytesSent;
    this.bytesReceived += other.bytesReceived;
    this.sentMessageNo = other.sentMessageNo ?? this.sentMessageNo;
    this.receivedMessageNo = other.receivedMessageNo ?? this.receivedMessageNo;
  }
}

function decode(row: Record<string, unknown>): JournalEntry {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: String(row.id),
    settingId: String(row.node_id),
    operation: String(row.operation) as JournalOperation,
    status: String(row.status) as JournalStatus,
    startedAt: String(row.started_at),
    finishedAt: row.finished_at ? String(row.finished_at) : null,
    durationMs: number(row.duration_ms),
    sentMessageNo: number(row.sent_message_no),
    receivedMessageNo: number(row.received_message_no),
    bytesSent: Number(row.bytes_sent),
    bytesReceived: Number(row.bytes_received),
    counts: JSON.parse(String(row.counts)),
    error: row.error_code ? { code: String(row.error_code), message: String(row.error_message) } : null,
    user: row.user_login ? String(row.user_login) : null,
  };
}

export function createJournal(db: Db) {
  return {
    async start(
      settingId: string,
      operation: JournalOperation,
      user: string | null,
    ): Promise<{ id: string; startedAt: Date }> {
      const id = randomUUID();
      const startedAt = new Date();
      await db
        .insertInto('exchange_journal')
        .values({
          id,
          node_id: settingId,
          operation,
          status: 'running',
          started_at: startedAt.toISOString(),
          bytes_sent: 0,
          bytes_received: 0,
          counts: '{}',
          user_login: user,
          process: PROCESS_TOKEN,
        })
        .execute();
      return { id, startedAt };
    },

    /**
     * Sessions left "running" by a host process that was killed or crashed are closed as failed, with that
     * cause, so the journal explains what happened; the next Synchronize resumes their work.
     */
    async closeInterrupted(): Promise<number> {
      const running = await db
        .selectFrom('exchange_journal')
        .select(['id', 'started_at', 'process'])
        .where('status', '=', 'running')
        .execute();
      const finishedAt = new Date();
      let closed = 0;
      for (const row of running) {
        if (!row.process || !isProcessGone(String(row.process))) continue;
        await db
          .updateTable('exchange_journal')
          .set({
            status: 'failed',
            finished_at: finishedAt.toISOString(),
            duration_ms: finishedAt.getTime() - new Date(String(row.started_at)).getTime(),
            error_code: 'interrupted',
            error_message:
              'The host process stopped before this session finished (it was killed, crashed or restarted); the next Synchronize resumes where it stopped',
          })
          .where('id', '=', String(row.id))
          .where('status', '=', 'running')
          .execute();
        closed += 1;
      }
      return closed;
    },

    async finish(
      started: { id: string; startedAt: Date },
      record: SessionRecord,
      error: { code: string; message: string } | null,
    ): Promise<JournalEntry> {
      const finishedAt = new Date();
      const hasWarnings = record.items.length > 0 || record.omittedItems > 0;
      const status: JournalStatus = error ? 'failed' : hasWarnings ? 'warnings' : 'ok';
      const items = [...record.items];
      if (record.omittedItems > 0) {
        items.push({
          level: 'warning',
          type: null,
          ref: null,
          code: 'more_items',
          message: `${record.omittedItems} more items not recorded`,
        });
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('exchange_journal')
          .set({
            status,
            finished_at: finishedAt.toISOString(),
            duration_ms: finishedAt.getTime() - started.startedAt.getTime(),
            sent_message_no: record.sentMessageNo,
            received_message_no: record.receivedMessageNo,
            bytes_sent: record.bytesSent,
            bytes_received: record.bytesReceived,
            counts: JSON.stringify(record.counts),
            error_code: error?.code ?? null,
            error_message: error?.message ?? null,
          })
          .where('id', '=', started.id)
          .execute();
        for (const [seq, item] of items.entries()) {
          await trx
            .insertInto('exchange_journal_items')
            .values({
              journal_id: started.id,
              seq,
              level: item.level,
              type: item.type,
              ref: item.ref,
              code: item.code,
              message: item.message,
            })
            .execute();
        }
      });
      return (await this.get(started.id))!;
    },

    async get(id: string): Promise<JournalEntry | undefined> {
      const row = await db.selectFrom('exchange_journal').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const items = await db
        .selectFrom('exchange_journal_items')
        .selectAll()
        .where('journal_id', '=', id)
        .orderBy('seq')
        .execute();
      return {
        ...decode(row),
        items: items.map((item) => ({
          level: String(item.level) as JournalItem['level'],
          type: item.type ? String(item.type) : null,
          ref: item.ref ? String(item.ref) : null,
          code: String(item.code),
          message: String(item.message),
        })),
      };
    },

    async list(filter: { settingId?: string; limit?: number } = {}): Promise<JournalEntry[]> {
      let query = db.selectFrom('exchange_journal').selectAll();
      if (filter.settingId) query = query.where('node_id', '=', filter.settingId);
      const rows = await query
        .orderBy('started_at', 'desc')
        .orderBy('id')
        .limit(filter.limit ?? 50)
        .execute();
      return rows.map(decode);
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;
