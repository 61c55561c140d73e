import { AppError } from '../platform/errors.js';
import { can, type Role } from '../platform/rights.js';
import { acknowledge, hasPendingChanges } from './change-log.js';
import { EXCHANGE_PLAN, type ExchangeContext, PROTOCOL_VERSION } from './exchange-context.js';
import { exportMessage } from './export.js';
import { RESPONDER_DEFAULT_RULES } from './export-rules.js';
import { importMessage } from './import.js';
import { createJournal, SessionRecord } from './journal.js';
import { withNodeLock } from './locks.js';
import { sha256 } from './message-codec.js';
import { describe, missingParts } from './message-store.js';
import type { ExchangeNode } from './nodes.js';
import type {
  Announcement,
  CreateNodeRequest,
  InboxState,
  NodeStatus,
  Outbox,
  OutboxRequest,
  PeerImportResult,
  PeerInfo,
} from './peer-protocol.js';

export type Caller = { login: string; role: Role };

/** How long an import request waits for the result before answering "still importing". */
const IMPORT_WAIT_MS = 15_000;

/**
 * The answering side of the exchange (the peer the initiator calls): its parameters, creating its node,
 * handing out its messages, receiving the initiator's. Every answer is safe to ask for again.
 */
export function createPeerService(context: ExchangeContext) {
  const { infobase, nodes, messages } = context;
  const journal = createJournal(infobase.db);
  const imports = new Map<string, { promise: Promise<PeerImportResult>; result?: PeerImportResult }>();

  function objectTypes() {
    const names = context.rules.types.map((type) => type.formatType);
    return { send: names, receive: names };
  }

  async function requireNode(code: string): Promise<ExchangeNode> {
    const node = await nodes.byPeerCode(code);
    if (!node) {
      throw new AppError(
        'unknown_node',
        `This infobase has no synchronization setting for node ${code}; set it up again`,
        {
          status: 404,
        },
      );
    }
    return node;
  }

  async function requireSyncEnabled() {
    const settings = await infobase.settings.get();
    if (!settings.syncEnabled) {
      throw new AppError(
        'sync_disabled',
        `Data synchronization is disabled in the infobase "${infobase.name}"; enable it there (Administration → Data synchronization)`,
        { status: 409 },
      );
    }
    return settings;
  }

  function missingSteps(node: ExchangeNode): string[] {
    if (node.state === 'ready') return [];
    const peer = node.peer.name ?? 'the other infobase';
    const steps: string[] = [];
    if (node.role === 'initiator') {
      if (!node.setup.initialExportDone) steps.push(`run the initial export to ${peer}`);
      steps.push(`finish the setup in ${peer}: rules, map and load, initial export (stage 2)`);
      return steps;
    }
    if (!node.setup.loadDone) steps.push(`map and load the data received from ${peer}`);
    if (!node.setup.initialExportDone) steps.push('run the initial export of this infobase');
    return steps;
  }

  async function status(node: ExchangeNode): Promise<NodeStatus> {
    const settings = await infobase.settings.get();
    return {
      nodeCode: await context.ownCode(),
      prefix: settings.prefix,
      state: node.state,
      receivedNo: node.receivedNo,
      sentNo: node.sentNo,
      objectTypes: objectTypes(),
      rules: node.rules,
      missing: missingSteps(node),
    };
  }

  /** A part as it arrived, refused if it does not match the hash the sender declared. */
  async function storePart(
    node: ExchangeNode,
    messageNo: number,
    partNo: number,
    data: Buffer,
    declaredSha256: string | undefined,
  ) {
    if (declaredSha256 && sha256(data) !== declaredSha256) {
      throw new AppError(
        'bad_part',
        `Part ${partNo} of message ${messageNo} arrived corrupted (hash mismatch); send it again`,
        {
          status: 422,
        },
      );
    }
    await messages.storeIncomingPart(node.id, messageNo, partNo, data);
  }

  async function runImport(node: ExchangeNode, messageNo: number, caller: Caller): Promise<PeerImportResult> {
    const started = await journal.start(node.id, 'import', caller.login);
    try {
      const storeForMapping = node.role === 'responder' && node.state === 'pending' && !node.setup.loadDone;
      const result = await withNodeLock(
        infobase.db,
        node.id,
        'receiving a message',
        () => importMessage(context, node.id, messageNo, { storeForMapping }),
        { waitMs: 30_000 },
      );
      await journal.finish(started, result.record, null);
      return {
        status: result.outcome,
        messageNo,
        receivedNo: result.receivedNo,
        counts: result.record.counts,
      };
    } catch (error) {
      const failure =
        error instanceof AppError
          ? { code: error.code, message: error.message }
          : { code: 'internal_error', message: 'the import failed; see the host log' };
      await journal.finish(started, new SessionRecord(), failure);
      if (!(error instanceof AppError)) throw error;
      return {
        status: 'failed',
        messageNo,
        receivedNo: (await nodes.require(node.id)).receivedNo,
        error: failure,
      };
    }
  }

  async function waitFor(
    entry: { promise: Promise<PeerImportResult> },
    messageNo: number,
    node: ExchangeNode,
  ): Promise<PeerImportResult> {
    const timeout = new Promise<PeerImportResult>((resolve) =>
      setTimeout(
        () => resolve({ status: 'importing', messageNo, receivedNo: node.receivedNo }),
        IMPORT_WAIT_MS,
      ).unref(),
    );
    return Promise.race([entry.promise, timeout]);
  }

  /** Applies (or, during setup, keeps for mapping) a received message; asking again reports the same result. */
  async function importReceived(code: string, messageNo: number, caller: Caller): Promise<PeerImportResult> {
    const node = await requireNode(code);
    const key = `${node.id}:${messageNo}`;
    const running = imports.get(key);
    if (running && !running.result) return waitFor(running, messageNo, node);
    if (node.receivedNo >= messageNo && !(await messages.get(node.id, 'in', messageNo))) {
      return {
        status: running?.result?.status === 'applied' ? 'applied' : 'duplicate',
        messageNo,
        receivedNo: node.receivedNo,
      };
    }
    const stored = await messages.get(node.id, 'in', messageNo);
    if (stored?.status === 'awaiting-mapping') {
      return { status: 'stored-for-mapping', messageNo, receivedNo: node.receivedNo };
    }
    const entry: { promise: Promise<PeerImportResult>; result?: PeerImportResult } = {
      promise: runImport(node, messageNo, caller),
    };
    entry.promise.then(
      (result) => {
        entry.result = result;
      },
      () => imports.delete(key),
    );
    imports.set(key, entry);
    return waitFor(entry, messageNo, node);
  }

  /** The caller has received our messages up to `receivedNo`: their changes are done with. */
  async function acknowledgeFrom(code: string, receivedNo: number): Promise<void> {
    const node = await requireNode(code);
    if (receivedNo > node.sentNo) {
      throw new AppError(
        'bad_acknowledgement',
        `Acknowledged message ${receivedNo}, but only ${node.sentNo} were sent`,
        {
          status: 422,
        },
      );
    }
    await infobase.db.transaction().execute((trx) => acknowledge(trx, node.id, receivedNo));
  }

  return {
    async info(caller: Caller | undefined): Promise<PeerInfo> {
      const settings = await infobase.settings.get();
      const info: PeerInfo = {
        product: 'ibsync',
        protocolVersion: PROTOCOL_VERSION,
        formatVersions: [context.rules.formatVersion],
        application: infobase.app.name,
        applicationName: infobase.app.label.en,
        applicationVersion: infobase.app.version,
        infobase: infobase.name,
        prefix: settings.prefix,
        nodeCode: await context.ownCode(),
        syncEnabled: settings.syncEnabled,
        objectTypes: objectTypes(),
      };
      if (!caller) return info;
      return {
        ...info,
        caller: { login: caller.login, role: caller.role, canSync: can(caller.role, 'exchange'), node: null },
      };
    },

    async callerNode(code: string): Promise<{ id: string; state: string; ready: boolean } | null> {
      const node = await nodes.byPeerCode(code);
      return node ? { id: node.id, state: node.state, ready: node.state === 'ready' } : null;
    },

    /** Creates (or finds again) this side's node for the initiator; sets this side's prefix if it has none. */
    async createNode(request: CreateNodeRequest): Promise<NodeStatus> {
      const settings = await requireSyncEnabled();
      if (request.protocolVersion !== PROTOCOL_VERSION) {
        throw new AppError(
          'incompatible_version',
          `The other infobase speaks exchange protocol ${request.protocolVersion}, this one ${PROTOCOL_VERSION}; update the older one`,
          { status: 409 },
        );
      }
      if (request.formatVersion !== context.rules.formatVersion) {
        throw new AppError(
          'incompatible_version',
          `The other infobase sends EnterpriseData ${request.formatVersion}, this one reads ${context.rules.formatVersion}`,
          { status: 409 },
        );
      }
      let prefix = settings.prefix;
      if (!prefix && request.setPrefix) {
        prefix = (await infobase.settings.setPrefix(request.setPrefix, { continueNumbering: true })).prefix;
      }
      if (prefix && prefix === request.initiator.prefix) {
        throw new AppError(
          'prefix_clash',
          `Both infobases use the prefix "${prefix}"; give one of them another prefix so numbers and codes stay apart`,
          { status: 409 },
        );
      }
      const peer = {
        application: request.initiator.application,
        name: request.initiator.name,
        prefix: request.initiator.prefix,
        version: request.initiator.version,
        url: null,
        login: null,
      };
      const existing = await nodes.byPeerCode(request.initiator.code);
      const node = existing
        ? await nodes.update(existing.id, { peer, peerObjectTypes: request.initiator.objectTypes })
        : await nodes.insert({
            ...(request.settingId ? { id: request.settingId } : {}),
            peerCode: request.initiator.code,
            role: 'responder',
            state: 'pending',
            peer,
            peerSecret: null,
            peerObjectTypes: request.initiator.objectTypes,
            rules: RESPONDER_DEFAULT_RULES,
          });
      return status(node);
    },

    async nodeStatus(code: string): Promise<NodeStatus> {
      return status(await requireNode(code));
    },

    async deleteNode(code: string): Promise<void> {
      const node = await nodes.byPeerCode(code);
      if (!node) return;
      await withNodeLock(infobase.db, node.id, 'deleting the setting', () =>
        infobase.db.transaction().execute((trx) => nodes.remove(node.id, trx)),
      );
    },

    /** "Export for me": the next message for the initiator, or only the acknowledgement if nothing is new. */
    async prepareOutbox(code: string, caller: Caller, request: OutboxRequest = {}): Promise<Outbox> {
      let node = await requireNode(code);
      if (request.receivedNo !== undefined) {
        await acknowledgeFrom(code, request.receivedNo);
        node = await requireNode(code);
      }
      const acknowledged = request.receivedNo;
      // A session starts here: what a repeated announcement left (its import never came) goes now.
      await messages.dropApplied(node.id, node.receivedNo);
      const answer = (message: Outbox['message'], receivedNo: number): Outbox => ({
        message,
        receivedNo,
        ...(acknowledged !== undefined ? { acknowledged } : {}),
      });
      if (node.role === 'responder' && !node.setup.initialExportDone) return answer(null, node.receivedNo);
      // Nothing written for the caller since: answered as the export below would, without its lock,
      // journal entry and transaction (a Synchronize with nothing to carry is most of them).
      if (!(await hasPendingChanges(infobase.db, infobase.sql, node.id))) {
        const latest = await messages.latest(node.id, 'out');
        return answer(latest && latest.messageNo === node.sentNo ? describe(latest) : null, node.receivedNo);
      }
      return withNodeLock(
        infobase.db,
        node.id,
        'preparing a message',
        async () => {
          const current = await nodes.require(node.id);
          const latest = await messages.latest(current.id, 'out');
          const unstamped = await infobase.db
            .selectFrom('exchange_changes')
            .select('ref')
            .where('node_id', '=', current.id)
            .where('message_no', 'is', null)
            .executeTakeFirst();
          // The same message again while nothing new was written: a transfer cut short resumes where it stopped.
          if (latest && latest.messageNo === current.sentNo && !unstamped) {
            return answer(describe(latest), current.receivedNo);
          }
          const started = await journal.start(current.id, 'export', caller.login);
          const record = new SessionRecord();
          const message = await exportMessage(context, current.id);
          if (message) {
            record.sentMessageNo = message.messageNo;
            record.bytesSent = message.size;
            record.count('*', 'sent', message.objectCount);
            await journal.finish(started, record, null);
          } else {
            await infobase.db.deleteFrom('exchange_journal').where('id', '=', started.id).execute();
          }
          return answer(message ? describe(message) : null, current.receivedNo);
        },
        { waitMs: 30_000 },
      );
    },

    async readPart(code: string, messageNo: number, partNo: number): Promise<Buffer> {
      const node = await requireNode(code);
      const part = await messages.readPart(node.id, 'out', messageNo, partNo);
      if (!part) {
        throw new AppError(
          'unknown_part',
          `Message ${messageNo} has no part ${partNo} here (it may have been replaced by a newer one)`,
          {
            status: 404,
          },
        );
      }
      return part.data;
    },

    async announce(code: string, announcement: Announcement, caller: Caller): Promise<InboxState> {
      const { inline, import: importWhole, ...descriptor } = announcement;
      if (inline !== undefined && descriptor.partCount !== 1) {
        throw new AppError(
          'bad_request',
          `Only a message of one part travels inside its announcement; message ${descriptor.messageNo} has ${descriptor.partCount}`,
          { status: 422 },
        );
      }
      const node = await requireNode(code);
      const message = await messages.beginIncoming(node.id, descriptor);
      // Its one part's hash is the whole message's.
      if (inline !== undefined)
        await storePart(node, message.messageNo, 1, Buffer.from(inline, 'base64'), message.sha256);
      const received = await messages.receivedParts(node.id, message.messageNo);
      const missing = missingParts(received, message.partCount);
      const state = { messageNo: message.messageNo, received, missing };
      if (!importWhole || missing.length > 0) return state;
      return { ...state, imported: await importReceived(code, message.messageNo, caller) };
    },

    async storePart(
      code: string,
      messageNo: number,
      partNo: number,
      data: Buffer,
      declaredSha256: string | undefined,
    ) {
      await storePart(await requireNode(code), messageNo, partNo, data, declaredSha256);
    },

    async inboxState(code: string, messageNo: number): Promise<InboxState> {
      const node = await requireNode(code);
      const message = await messages.get(node.id, 'in', messageNo);
      const received = await messages.receivedParts(node.id, messageNo);
      return { messageNo, received, missing: message ? missingParts(received, message.partCount) : [] };
    },

    importMessage: importReceived,
    acknowledge: acknowledgeFrom,
  };
}

export type PeerService = ReturnType<typeof createPeerService>;
export { EXCHANGE_PLAN };
