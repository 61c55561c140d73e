import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ExchangeHub, InfobaseExchange } from '../../../exchange/exchange-service.js';
import { exportRulesSchema } from '../../../exchange/export-rules.js';
import type { Job } from '../../../exchange/jobs.js';
import type { ExchangeNode } from '../../../exchange/nodes.js';
import { AppError } from '../../../platform/errors.js';
import type { Infobase } from '../../../platform/infobase.js';

const params = z.object({ ib: z.string() });
const settingParams = params.extend({ id: z.string().min(1).max(100) });
const waitQuery = z.object({ wait: z.coerce.number().int().min(0).max(600).optional() });

const connectionSchema = z.object({
  peerApplication: z.string().min(1),
  peerUrl: z.string().min(1).max(500),
  peerLogin: z.string().min(1).max(64),
  peerPassword: z.string().max(256),
});

/** Rules as the API takes them: organizations by ref or by INN. */
const rulesInput = exportRulesSchema.partial();

/** A sync setting as clients see it: never its stored password. */
function view(node: ExchangeNode) {
  return {
    id: node.id,
    state: node.state,
    role: node.role,
    peer: node.peer,
    rules: node.rules,
    sentNo: node.sentNo,
    receivedNo: node.receivedNo,
    scheduleSeconds: node.scheduleSeconds,
    nextRunAt: node.nextRunAt,
    lastSyncAt: node.lastSyncAt,
    lastSyncStatus: node.lastSyncStatus,
    setup: node.setup,
    createdAt: node.createdAt,
  };
}

async function organizationRefs(infobase: Infobase, values: readonly string[]): Promise<string[]> {
  const refs: string[] = [];
  for (const value of values) {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value)) {
      refs.push((await infobase.objects.require('organization', value)).ref);
      continue;
    }
    const found = await infobase.objects.list('organization', { filter: { inn: value } });
    if (found.items.length !== 1) {
      throw new AppError(
        'validation_failed',
        found.items.length === 0
          ? `No organization has the INN ${value}`
          : `Several organizations have the INN ${value}; give its ref`,
        {
          status: 422,
          fields: [{ field: 'organizations', code: 'unknown_organization', message: `INN ${value}` }],
        },
      );
    }
    refs.push(found.items[0]!.ref);
  }
  return refs;
}

async function jobAnswer(
  hub: ExchangeHub,
  started: { job: Job; alreadyRunning: boolean },
  waitSeconds: number | undefined,
) {
  const job = waitSeconds
    ? ((await hub.jobs.wait(started.job.id, waitSeconds * 1000)) ?? started.job)
    : started.job;
  return { ...job, alreadyRunning: started.alreadyRunning };
}

/** Data synchronization as users drive it (S9–S22): settings, connection test, setup steps, Synchronize, journal. */
export function syncRoutes(app: FastifyInstance, hub: ExchangeHub) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const exchangeOf = (request: FastifyRequest): Promise<InfobaseExchange> =>
    hub.of((request.params as { ib: string }).ib);
  const user = (request: FastifyRequest) => request.principal?.login ?? null;

  api.get('/:ib/api/v1/sync/settings', {
    schema: {
      params,
      tags: ['sync'],
      summary: 'The synchronization settings of this infobase with their state',
    },
    config: { access: 'sync.read' },
    handler: async (request) => (await (await exchangeOf(request)).listSettings()).map(view),
  });

  api.get('/:ib/api/v1/sync/settings/:id', {
    schema: { params: settingParams, tags: ['sync'], summary: 'One synchronization setting' },
    config: { access: 'sync.read' },
    handler: async (request) => view(await (await exchangeOf(request)).getSetting(request.params.id)),
  });

  api.post('/:ib/api/v1/sync/connection-test', {
    schema: {
      params,
      body: connectionSchema,
      tags: ['sync'],
      summary: 'Test the connection to another infobase; names the cause of any failure',
    },
    config: { access: 'sync.setup' },
    handler: async (request) => (await exchangeOf(request)).testConnection(request.body),
  });

  api.post('/:ib/api/v1/sync/settings', {
    schema: {
      params,
      body: connectionSchema.extend({ peerPrefix: z.string().optional(), rules: rulesInput.optional() }),
      tags: ['sync'],
      summary:
        'New data synchronization, stage 1: connect, set the peer prefix, create both sides (idempotent)',
    },
    config: { access: 'sync.setup' },
    handler: async (request, reply) => {
      const exchange = await exchangeOf(request);
      const { rules, ...parameters } = request.body;
      const resolved = rules?.organizations
        ? { ...rules, organizations: await organizationRefs(exchange.context.infobase, rules.organizations) }
        : rules;
      const { node, warnings } = await exchange.connect({ ...parameters, rules: resolved });
      return reply.status(201).send({ ...view(node), warnings });
    },
  });

  api.patch('/:ib/api/v1/sync/settings/:id/rules', {
    schema: {
      params: settingParams,
      body: rulesInput,
      tags: ['sync'],
      summary: 'What this side sends (S16, S19)',
    },
    config: { access: 'sync.setup' },
    handler: async (request) => {
      const exchange = await exchangeOf(request);
      const rules = request.body.organizations
        ? {
            ...request.body,
            organizations: await organizationRefs(exchange.context.infobase, request.body.organizations),
          }
        : request.body;
      return view(await exchange.setRules(request.params.id, rules));
    },
  });

  api.patch('/:ib/api/v1/sync/settings/:id/schedule', {
    schema: {
      params: settingParams,
      body: z.object({
        intervalSeconds: z
          .number()
          .int()
          .min(10)
          .max(7 * 86400)
          .nullable(),
      }),
      tags: ['sync'],
      summary: 'Synchronize on a schedule every N seconds (null: only by hand)',
    },
    config: { access: 'sync.setup' },
    handler: async (request) =>
      view(await (await exchangeOf(request)).setSchedule(request.params.id, request.body.intervalSeconds)),
  });

  api.delete('/:ib/api/v1/sync/settings/:id', {
    schema: {
      params: settingParams,
      tags: ['sync'],
      summary: 'Delete a setting (from the initiator, on both sides)',
    },
    config: { access: 'sync.setup' },
    handler: async (request, reply) => {
      await (await exchangeOf(request)).removeSetting(request.params.id);
      return reply.status(204).send();
    },
  });

  api.post('/:ib/api/v1/sync/settings/:id/initial-export', {
    schema: {
      params: settingParams,
      querystring: waitQuery,
      tags: ['sync'],
      summary: 'The initial export (S17, S21); a job',
    },
    config: { access: 'sync.setup' },
    handler: async (request, reply) => {
      const exchange = await exchangeOf(request);
      await exchange.getSetting(request.params.id);
      const started = exchange.startInitialExport(request.params.id, user(request));
      return reply.status(202).send(await jobAnswer(hub, started, request.query.wait));
    },
  });

  api.post('/:ib/api/v1/sync/settings/:id/load', {
    schema: {
      params: settingParams,
      querystring: waitQuery.extend({ dryRun: z.enum(['true', 'false']).optional() }),
      tags: ['sync'],
      summary:
        'Map and load the data received during setup (S20); with dryRun=true, what it would do, writing nothing; a job',
    },
    config: { access: 'sync.setup' },
    handler: async (request, reply) => {
      const exchange = await exchangeOf(request);
      await exchange.getSetting(request.params.id);
      const started = exchange.startLoad(request.params.id, user(request), {
        dryRun: request.query.dryRun === 'true',
      });
      return reply.status(202).send(await jobAnswer(hub, started, request.query.wait));
    },
  });

  api.get('/:ib/api/v1/sync/settings/:id/mapping', {
    schema: {
      params: settingParams,
      tags: ['sync'],
      summary:
        'Mapping analysis of the data waiting to be loaded: per type, matched by decision, public ID, ref, search fields; ambiguous; unmatched',
    },
    config: { access: 'sync.setup' },
    handler: async (request) => ({
      types: await (await exchangeOf(request)).analyzeMapping(request.params.id),
    }),
  });

  api.get('/:ib/api/v1/sync/settings/:id/mapping/items', {
    schema: {
      params: settingParams,
      querystring: z.object({
        type: z.string().optional(),
        status: z
          .enum(['matched', 'ambiguous', 'unmatched', 'linked-by-hand', 'new-by-hand', 'review', 'all'])
          .optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        offset: z.coerce.number().int().min(0).optional(),
      }),
      tags: ['sync'],
      summary: 'The analysed objects with their match or candidates (status=review: ambiguous and unmatched)',
    },
    config: { access: 'sync.setup' },
    handler: async (request) => {
      const { type, status, limit, offset } = request.query;
      return (await exchangeOf(request)).mappingItems(request.params.id, {
        ...(type ? { type } : {}),
        ...(status ? { status } : {}),
        ...(limit ? { limit } : {}),
        ...(offset ? { offset } : {}),
      });
    },
  });

  api.post('/:ib/api/v1/sync/settings/:id/mapping/decisions', {
    schema: {
      params: settingParams,
      body: z.object({
        type: z.string(),
        peerRef: z.string(),
        action: z.enum(['link', 'unlink', 'create-new']),
        localRef: z.string().optional(),
      }),
      tags: ['sync'],
      summary:
        'Link an incoming object to a local one, unlink it, or have it created new; kept on the setting',
    },
    config: { access: 'sync.setup' },
    handler: async (request, reply) => {
      await (await exchangeOf(request)).decide(request.params.id, request.body, user(request));
      return reply.status(204).send();
    },
  });

  api.post('/:ib/api/v1/sync/settings/:id/run', {
    schema: {
      params: settingParams,
      querystring: waitQuery,
      tags: ['sync'],
      summary: 'Synchronize (S22); a job — a second request joins the running one',
    },
    config: { access: 'sync.run' },
    handler: async (request, reply) => {
      const exchange = await exchangeOf(request);
      await exchange.getSetting(request.params.id);
      const started = exchange.startSync(request.params.id, user(request));
      return reply.status(202).send(await jobAnswer(hub, started, request.query.wait));
    },
  });

  api.get('/:ib/api/v1/sync/jobs/:id', {
    schema: {
      params: settingParams,
      querystring: waitQuery,
      tags: ['sync'],
      summary: 'Progress and result of a job',
    },
    config: { access: 'sync.read' },
    handler: async (request) => {
      const job = request.query.wait
        ? await hub.jobs.wait(request.params.id, request.query.wait * 1000)
        : hub.jobs.get(request.params.id);
      if (!job || job.infobase !== request.params.ib)
        throw new AppError('unknown_job', `There is no job ${request.params.id}`, { status: 404 });
      return job;
    },
  });

  api.get('/:ib/api/v1/sync/journal', {
    schema: {
      params,
      querystring: z.object({
        setting: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
      tags: ['sync'],
      summary: 'The journal of synchronization sessions, newest first',
    },
    config: { access: 'sync.read' },
    handler: async (request) =>
      (await exchangeOf(request)).journal.list({
        ...(request.query.setting ? { settingId: request.query.setting } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      }),
  });

  api.get('/:ib/api/v1/sync/journal/:id', {
    schema: {
      params: settingParams,
      tags: ['sync'],
      summary: 'One session with its per-object warnings and errors',
    },
    config: { access: 'sync.read' },
    handler: async (request) => {
      const entry = await (await exchangeOf(request)).journal.get(request.params.id);
      if (!entry)
        throw new AppError('not_found', `There is no journal entry ${request.params.id}`, { status: 404 });
      return entry;
    },
  });
}
