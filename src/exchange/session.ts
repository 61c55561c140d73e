import { AppError } from '../platform/errors.js';
import { hasPendingChanges } from './change-log.js';
import type { ExchangeContext } from './exchange-context.js';
import { exportMessage, stampedCounts } from './export.js';
import { createJournal, type JournalEntry, SessionRecord } from './journal.js';
import { withNodeLock } from './locks.js';
import type { ExchangeNode } from './nodes.js';
import { type SetupDeps, transportFor } from './setup.js';
import { deliverMessage, receiveMessage } from './transfer.js';

export type SyncPhase = 'connecting' | 'receiving' | 'sending' | 'done';
export type SyncProgress = (phase: SyncPhase, done?: number, total?: number) => void;

export type SyncResult = {
  settingId: string;
  status: 'ok' | 'warnings';
  /** Objects per type that went to the peer, and that came from it. */
  sent: Record<string, number>;
  received: Record<string, number>;
  journalId: string;
  journal: JournalEntry;
};

/** A pending setting cannot synchronize yet: say what is missing instead of failing (S18–S21). */
async function ensureReady(deps: SetupDeps, node: ExchangeNode): Promise<ExchangeNode> {
  if (node.state === 'ready') return node;
  if (!node.setup.initialExportDone) {
    throw new AppError('setup_pending', 'The setup is not finished: run the initial export first (S17)', {
      status: 409,
      details: { missing: ['initial export'] },
    });
  }
  const transport = await transportFor(deps, node);
  const remote = await transport.nodeStatus(await deps.context.ownCode());
  if (remote.state !== 'ready') {
    throw new AppError(
      'setup_pending',
      `The setup is not finished in "${node.peer.name}": ${remote.missing.join('; ')}. Synchronize will work after that`,
      { status: 409, details: { missing: remote.missing } },
    );
  }
  return deps.context.nodes.update(node.id, { state: 'ready' });
}

/**
 * Synchronize (S22): receive what the peer has for us, then send what we have for it, under the
 * setting's lock. Interrupted anywhere, the next Synchronize resumes with nothing lost or doubled.
 */
export async function synchronize(
  deps: SetupDeps,
  nodeId: string,
  options: { user: string | null; progress?: SyncProgress; waitMs?: number },
): Promise<SyncResult> {
  const { context } = deps;
  const journal = createJournal(context.infobase.db);
  let node = await context.nodes.require(nodeId);
  if (node.role !== 'initiator') {
    throw new AppError(
      'not_initiator',
      `This setting was created from "${node.peer.name}": press Synchronize there; this side answers it`,
      { status: 409 },
    );
  }
  node = await ensureReady(deps, node);
  const transport = await transportFor(deps, node);
  return withNodeLock(
    context.infobase.db,
    node.id,
    'synchronizing',
    async () => {
      const started = await journal.start(node.id, 'sync', options.user);
      const record = new SessionRecord();
      try {
        const ownCode = await context.ownCode();
        options.progress?.('receiving');
        const atStart = await context.nodes.require(node.id);
        const outbox = await transport.prepareOutbox(ownCode, atStart.receivedNo);
        await receiveMessage(context, transport, atStart, outbox, record, (done, total) =>
          options.progress?.('receiving', done, total),
        );
        options.progress?.('sending');
        const current = await context.nodes.require(node.id);
        const message = await reusableOrNewMessage(context, current, (done, total) =>
          options.progress?.('sending', done, total),
        );
        if (message) {
          for (const [type, count] of Object.entries(
            await stampedCounts(context, current.id, message.messageNo),
          )) {
            record.count(type, 'sent', count);
          }
          const result = await deliverMessage(context, transport, current, message, record);
          if (result.status === 'failed') {
            throw new AppError(
              result.error?.code ?? 'import_failed',
              `The other infobase could not apply our message: ${result.error?.message}`,
              {
                status: 502,
              },
            );
          }
        } else if (outbox.acknowledged !== current.receivedNo) {
          // Something came from the peer (or it took no acknowledgement with the outbox): say we have it.
          await transport.acknowledge(ownCode, current.receivedNo);
        }
        options.progress?.('done');
        const entry = await journal.finish(started, record, null);
        await context.nodes.update(node.id, { lastSyncAt: entry.finishedAt, lastSyncStatus: entry.status });
        return {
          settingId: node.id,
          status: entry.status === 'warnings' ? 'warnings' : 'ok',
          sent: pick(record, 'sent'),
          received: received(record),
          journalId: entry.id,
          journal: entry,
        };
      } catch (error) {
        const failure =
          error instanceof AppError
            ? { code: error.code, message: error.message }
            : { code: 'internal_error', message: 'the synchronization failed; the host log has the details' };
        const entry = await journal.finish(started, record, failure);
        await context.nodes.update(node.id, { lastSyncAt: entry.finishedAt, lastSyncStatus: 'failed' });
        throw error;
      }
    },
    { waitMs: options.waitMs ?? 0 },
  );
}

/** The unacknowledged message again if nothing new was written since (the peer resumes its parts), else a new one. */
async function reusableOrNewMessage(
  context: ExchangeContext,
  node: ExchangeNode,
  progress: (done: number, total: number) => void,
) {
  // No change waiting, stamped or not: nothing to send again, nothing new to export.
  if (!(await hasPendingChanges(context.infobase.db, context.infobase.sql, node.id))) return undefined;
  const latest = await context.messages.latest(node.id, 'out');
  if (latest && latest.messageNo === node.sentNo) {
    const unstamped = await context.infobase.db
      .selectFrom('exchange_changes')
      .select('ref')
      .where('node_id', '=', node.id)
      .where('message_no', 'is', null)
      .executeTakeFirst();
    const pending = await context.infobase.db
      .selectFrom('exchange_changes')
      .select('ref')
      .where('node_id', '=', node.id)
      .where('message_no', '=', latest.messageNo)
      .executeTakeFirst();
    if (!unstamped && pending) return latest;
  }
  return exportMessage(context, node.id, { progress });
}

function pick(record: SessionRecord, outcome: 'sent'): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record.counts)
      .filter(([, counts]) => counts[outcome] > 0)
      .map(([type, counts]) => [type, counts[outcome]]),
  );
}

function received(record: SessionRecord): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record.counts)
      .map(
        ([type, c]) =>
          [type, c.created + c.updated + c.unchanged + c.deleted + c.skipped + c.heldBack] as const,
      )
      .filter(([, count]) => count > 0),
  );
}
