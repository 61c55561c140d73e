import { randomUUID } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { SecretBox } from '../platform/secret-box.js';
import { type CredentialWarning, credentialWarnings } from '../platform/users.js';
import type { ExchangeContext } from './exchange-context.js';
import { PROTOCOL_VERSION } from './exchange-context.js';
import { exportMessage, type Progress } from './export.js';
import { type ExportRules, exportRulesSchema, INITIATOR_DEFAULT_RULES } from './export-rules.js';
import { applyStoredMessages } from './import.js';
import { SessionRecord } from './journal.js';
import { withNodeLock } from './locks.js';
import type { ExchangeNode } from './nodes.js';
import type { PeerInfo } from './peer-protocol.js';
import { registerByRules } from './registration.js';
import { deliverMessage } from './transfer.js';
import type { PeerTransport, TransportFactory } from './transport.js';

export type ConnectionParameters = {
  peerApplication: string;
  peerUrl: string;
  peerLogin: string;
  peerPassword: string;
};

/** Every way a connection test can fail, each named (seed S3, S13). */
export type ConnectionFailure =
  | 'not_reachable'
  | 'not_ibsync_publication'
  | 'incompatible_version'
  | 'wrong_application'
  | 'sync_disabled'
  | 'sync_disabled_here'
  | 'unknown_user'
  | 'wrong_password'
  | 'passwordless_user'
  | 'account_locked'
  | 'no_sync_right'
  | 'prefix_clash';

export type ConnectionTest =
  | { ok: true; peer: PeerInfo; warnings: CredentialWarning[] }
  | {
      ok: false;
      cause: ConnectionFailure | string;
      message: string;
      warnings: CredentialWarning[];
      peer?: PeerInfo;
    };

const FAILURES = new Set<string>([
  'not_reachable',
  'not_ibsync_publication',
  'peer_timeout',
  'peer_unavailable',
  'unknown_user',
  'wrong_password',
  'passwordless_user',
  'account_locked',
]);

export type SetupDeps = { context: ExchangeContext; transport: TransportFactory; secrets: SecretBox };

export function connectionOf(deps: SetupDeps, node: ExchangeNode, password: string): PeerTransport {
  return deps.transport({ url: node.peer.url ?? '', login: node.peer.login ?? '', password });
}

export async function transportFor(deps: SetupDeps, node: ExchangeNode): Promise<PeerTransport> {
  const sealed = await deps.context.nodes.secret(node.id);
  if (!node.peer.url || !node.peer.login || !sealed) {
    throw new AppError(
      'not_initiator',
      'This setting was created by the other infobase: synchronize from there',
      {
        status: 409,
      },
    );
  }
  return connectionOf(deps, node, deps.secrets.open(sealed));
}

/** The connection test of stage 1: one named cause per failure, and the peer's parameters when it passes. */
export async function testConnection(
  deps: SetupDeps,
  parameters: ConnectionParameters,
): Promise<ConnectionTest> {
  const { context } = deps;
  const warnings = credentialWarnings(parameters.peerLogin, parameters.peerPassword);
  const fail = (cause: string, message: string, peer?: PeerInfo): ConnectionTest => ({
    ok: false,
    cause,
    message,
    warnings,
    ...(peer ? { peer } : {}),
  });
  const own = await context.infobase.settings.get();
  if (!own.syncEnabled) {
    return fail(
      'sync_disabled_here',
      'Data synchronization is disabled in this infobase; enable it first (S9)',
    );
  }
  if (!/^https?:\/\/[^\s/]+/.test(parameters.peerUrl)) {
    return fail(
      'not_reachable',
      `"${parameters.peerUrl}" is not a web address; it must start with http:// or https://`,
    );
  }
  const transport = deps.transport({
    url: parameters.peerUrl,
    login: parameters.peerLogin,
    password: parameters.peerPassword,
  });
  let peer: PeerInfo;
  try {
    peer = await transport.publicInfo();
  } catch (error) {
    if (error instanceof AppError && FAILURES.has(error.code)) {
      return fail(error.code.startsWith('peer_') ? 'not_reachable' : error.code, error.message);
    }
    if (error instanceof AppError && error.status === 404) {
      return fail(
        'not_ibsync_publication',
        `${parameters.peerUrl} is not an infobase of that host: ${error.message}`,
      );
    }
    throw error;
  }
  if (
    peer.protocolVersion !== PROTOCOL_VERSION ||
    !peer.formatVersions.includes(context.rules.formatVersion)
  ) {
    return fail(
      'incompatible_version',
      `The other infobase speaks exchange protocol ${peer.protocolVersion} with EnterpriseData ${peer.formatVersions.join(', ')}; this one speaks protocol ${PROTOCOL_VERSION} with EnterpriseData ${context.rules.formatVersion}; update the older one`,
      peer,
    );
  }
  if (peer.application !== parameters.peerApplication) {
    return fail(
      'wrong_application',
      `${parameters.peerUrl} publishes ${peer.applicationName} ("${peer.application}"), not "${parameters.peerApplication}"; check the address`,
      peer,
    );
  }
  if (!peer.syncEnabled) {
    return fail(
      'sync_disabled',
      `Data synchronization is disabled in "${peer.infobase}"; enable it there first`,
      peer,
    );
  }
  let authenticated: PeerInfo;
  try {
    authenticated = await transport.info();
  } catch (error) {
    if (error instanceof AppError && FAILURES.has(error.code)) return fail(error.code, error.message, peer);
    throw error;
  }
  if (!authenticated.caller?.canSync) {
    return fail(
      'no_sync_right',
      `The user "${parameters.peerLogin}" may not synchronize data in "${peer.infobase}"; give it the administrator or synchronization role there`,
      peer,
    );
  }
  if (own.prefix && own.prefix === peer.prefix) {
    return fail(
      'prefix_clash',
      `Both infobases use the prefix "${own.prefix}"; give one of them another prefix so numbers and codes stay apart`,
      peer,
    );
  }
  return { ok: true, peer: authenticated, warnings };
}

/**
 * Stage 1 on the initiator (S12–S15): tests the connection, creates the peer's node (setting its prefix
 * if it has none) and then this side's. Idempotent: the same call again finds both and changes nothing;
 * if this side cannot be saved, the peer's node is removed again.
 */
export async function connect(
  deps: SetupDeps,
  parameters: ConnectionParameters & {
    peerPrefix?: string | undefined;
    rules?: Partial<ExportRules> | undefined;
  },
): Promise<{ node: ExchangeNode; warnings: CredentialWarning[] }> {
  const { context } = deps;
  const test = await testConnection(deps, parameters);
  if (!test.ok) throw new AppError(test.cause, test.message, { status: 409, details: { cause: test.cause } });
  const own = await context.infobase.settings.get();
  if (!own.prefix) {
    throw new AppError(
      'prefix_required',
      'Set the prefix of this infobase first (S10): it becomes part of its numbers',
      {
        status: 409,
      },
    );
  }
  const peer = test.peer;
  let setPrefix: string | undefined;
  if (!peer.prefix) {
    if (!parameters.peerPrefix) {
      throw new AppError(
        'peer_prefix_required',
        `The infobase "${peer.infobase}" has no prefix yet: give one for it (S15), e.g. --peer-prefix BP`,
        { status: 409 },
      );
    }
    setPrefix = parameters.peerPrefix;
    if (setPrefix.trim().toUpperCase() === own.prefix) {
      throw new AppError(
        'prefix_clash',
        `The prefix "${own.prefix}" is this infobase's own; choose another for the other one`,
        {
          status: 409,
        },
      );
    }
  } else if (parameters.peerPrefix && parameters.peerPrefix.trim().toUpperCase() !== peer.prefix) {
    throw new AppError(
      'peer_prefix_set',
      `The infobase "${peer.infobase}" already has the prefix "${peer.prefix}"; change it there if it must change`,
      { status: 409 },
    );
  }
  const rules = exportRulesSchema.parse({ ...INITIATOR_DEFAULT_RULES, ...parameters.rules });
  const transport = deps.transport({
    url: parameters.peerUrl,
    login: parameters.peerLogin,
    password: parameters.peerPassword,
  });
  const ownCode = await context.ownCode();
  // One id for the setting on both sides, so that a person can name it the same in either infobase.
  const settingId = (await context.nodes.byPeerCode(peer.nodeCode))?.id ?? randomUUID();
  const remote = await transport.createNode({
    settingId,
    protocolVersion: PROTOCOL_VERSION,
    formatVersion: context.rules.formatVersion,
    initiator: {
      code: ownCode,
      application: context.infobase.app.name,
      name: context.infobase.name,
      prefix: own.prefix,
      version: context.infobase.app.version,
      objectTypes: {
        send: context.rules.types.map((t) => t.formatType),
        receive: context.rules.types.map((t) => t.formatType),
      },
    },
    ...(setPrefix ? { setPrefix } : {}),
  });
  const peerFields = {
    application: peer.application,
    name: peer.infobase,
    prefix: remote.prefix,
    version: peer.applicationVersion,
    url: parameters.peerUrl.replace(/\/+$/, ''),
    login: parameters.peerLogin,
  };
  const peerSecret = deps.secrets.seal(parameters.peerPassword);
  try {
    const existing = await context.nodes.byPeerCode(remote.nodeCode);
    const node = existing
      ? await context.nodes.update(existing.id, {
          peer: peerFields,
          peerSecret,
          peerObjectTypes: remote.objectTypes,
        })
      : await context.nodes.insert({
          id: settingId,
          peerCode: remote.nodeCode,
          role: 'initiator',
          state: 'pending',
          peer: peerFields,
          peerSecret,
          peerObjectTypes: remote.objectTypes,
          rules,
        });
    return { node, warnings: test.warnings };
  } catch (error) {
    await transport.deleteNode(ownCode).catch(() => undefined);
    throw error;
  }
}

/** Rules of either side (S16, S19); a change registers what now matches and deletes what no longer does. */
export async function setRules(
  deps: SetupDeps,
  nodeId: string,
  change: Partial<ExportRules>,
): Promise<ExchangeNode> {
  const { context } = deps;
  const node = await context.nodes.require(nodeId);
  const rules = exportRulesSchema.parse({ ...node.rules, ...change });
  if (rules.documents === 'since' && !rules.documentsSince) {
    throw new AppError('validation_failed', 'Documents "since a date" need the date (documentsSince)', {
      status: 422,
      fields: [
        {
          field: 'documentsSince',
          code: 'required',
          message: 'is required when documents are sent since a date',
        },
      ],
    });
  }
  return withNodeLock(context.infobase.db, node.id, 'changing the rules', () =>
    context.infobase.db.transaction().execute(async (trx) => {
      const updated = await context.nodes.update(node.id, { rules }, trx);
      if (updated.setup.initialExportDone) await registerByRules(context, trx, updated);
      return updated;
    }),
  );
}

/**
 * An initiator's setting waits for the peer's stage 2; only the peer knows when that is done, so the
 * initiator asks (when its setting is looked at) and is ready as soon as the peer is.
 */
export async function refreshState(deps: SetupDeps, node: ExchangeNode): Promise<ExchangeNode> {
  if (node.role !== 'initiator' || node.state !== 'pending' || !node.setup.initialExportDone) return node;
  try {
    const transport = await transportFor(deps, node);
    const remote = await transport.nodeStatus(await deps.context.ownCode());
    return remote.state === 'ready' ? await deps.context.nodes.update(node.id, { state: 'ready' }) : node;
  } catch {
    // The peer cannot be asked now: the setting stays pending and Synchronize will ask again.
    return node;
  }
}

/** S17 on the initiator: everything the rules send goes to the peer, which keeps it for mapping. */
export async function initialExport(
  deps: SetupDeps,
  nodeId: string,
  progress?: (phase: 'exporting' | 'sending', done: number, total: number) => void,
): Promise<SessionRecord> {
  const { context } = deps;
  const node = await context.nodes.require(nodeId);
  if (node.role !== 'initiator') return responderInitialExport(context, node);
  const transport = await transportFor(deps, node);
  return withNodeLock(context.infobase.db, node.id, 'the initial export', async () => {
    await context.infobase.db.transaction().execute((trx) => registerByRules(context, trx, node));
    const record = new SessionRecord();
    const message =
      (await exportMessage(context, node.id, {
        progress: (done, total) => progress?.('exporting', done, total),
        evenIfEmpty: true,
      })) ?? (await context.messages.latest(node.id, 'out'));
    if (message) {
      const result = await deliverMessage(context, transport, node, message, record, (done, total) =>
        progress?.('sending', done, total),
      );
      if (result.status === 'failed') {
        throw new AppError(
          result.error?.code ?? 'import_failed',
          `The other infobase refused the initial data: ${result.error?.message}`,
          {
            status: 502,
          },
        );
      }
    }
    await context.nodes.update(node.id, { setup: { initialExportDone: true } });
    return record;
  });
}

/** S21 on the peer: register what its own rules send; the initiator collects it at its next Synchronize. */
async function responderInitialExport(context: ExchangeContext, node: ExchangeNode): Promise<SessionRecord> {
  if (!node.setup.loadDone) {
    throw new AppError(
      'load_first',
      'Map and load the data received from the other infobase first (S20), then run the initial export',
      {
        status: 409,
      },
    );
  }
  return withNodeLock(context.infobase.db, node.id, 'the initial export', () =>
    context.infobase.db.transaction().execute(async (trx) => {
      const record = new SessionRecord();
      record.count('*', 'sent', await registerByRules(context, trx, node));
      await context.nodes.update(node.id, { setup: { initialExportDone: true }, state: 'ready' }, trx);
      return record;
    }),
  );
}

/**
 * S20 on the peer: applies the initiator's initial data with the mapping decisions, identifying objects by
 * decision, public ID, ref and then search fields. A dry run reports what it would do and writes nothing.
 */
export async function load(
  deps: SetupDeps,
  nodeId: string,
  options: { progress?: Progress; dryRun?: boolean } = {},
): Promise<SessionRecord> {
  const progress = options.progress;
  const { context } = deps;
  const node = await context.nodes.require(nodeId);
  if (node.role !== 'responder') {
    throw new AppError('not_responder', 'Map and load runs in the infobase that received the initial data', {
      status: 409,
    });
  }
  return withNodeLock(context.infobase.db, node.id, 'map and load', async () => {
    const waiting = (await context.messages.list(node.id, 'in')).filter(
      (message) => message.status === 'awaiting-mapping',
    );
    if (waiting.length === 0 && !node.setup.loadDone) {
      throw new AppError(
        'nothing_to_load',
        `Nothing has arrived from ${node.peer.name ?? 'the other infobase'} yet: run the initial export there first (S17)`,
        { status: 409 },
      );
    }
    const record = await applyStoredMessages(
      context,
      node.id,
      waiting.map((message) => message.messageNo),
      { progress, dryRun: options.dryRun ?? false },
    );
    if (!options.dryRun) await context.nodes.update(node.id, { setup: { loadDone: true } });
    return record;
  });
}

/** Removes a setting here and, from the initiator, on the peer too. */
export async function removeSetting(deps: SetupDeps, nodeId: string): Promise<void> {
  const { context } = deps;
  const node = await context.nodes.require(nodeId);
  if (node.role === 'initiator') {
    const transport = await transportFor(deps, node);
    await transport.deleteNode(await context.ownCode()).catch((error) => {
      if (!(error instanceof AppError) || !['unknown_node', 'not_reachable'].includes(error.code))
        throw error;
    });
  }
  await withNodeLock(context.infobase.db, node.id, 'deleting the setting', () =>
    context.infobase.db.transaction().execute((trx) => context.nodes.remove(node.id, trx)),
  );
}
