import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../platform/rights.js';
import type { CredentialCache } from '../../auth.js';

const params = z.object({ ib: z.string() });
const userParams = params.extend({ login: z.string() });

/** Users and rights (S2–S4). Any change forgets remembered credentials, so it takes effect at once. */
export function usersRoutes(app: FastifyInstance, cache: CredentialCache) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/:ib/api/v1/users', {
    schema: { params, tags: ['users'], summary: 'List users' },
    config: { access: 'users.read' },
    handler: async (request) => request.infobase.users.list(),
  });

  api.post('/:ib/api/v1/users', {
    schema: {
      params,
      body: z.object({
        login: z.string().min(1).max(64),
        password: z.string().max(256).nullable().optional(),
        role: z.enum(ROLES).optional(),
        showInList: z.boolean().optional(),
      }),
      tags: ['users'],
      summary:
        'Create a user; the first one becomes an administrator. Warns about spaces and non-Latin characters',
    },
    config: { access: 'users.manage' },
    handler: async (request, reply) => {
      const created = await request.infobase.users.add(request.body);
      cache.clear();
      return reply.status(201).send(created);
    },
  });

  api.patch('/:ib/api/v1/users/:login', {
    schema: {
      params: userParams,
      body: z.object({
        password: z.string().max(256).nullable().optional(),
        role: z.enum(ROLES).optional(),
        showInList: z.boolean().optional(),
      }),
      tags: ['users'],
      summary: 'Change a user',
    },
    config: { access: 'users.manage' },
    handler: async (request) => {
      const changed = await request.infobase.users.update(request.params.login, request.body);
      cache.clear();
      return changed;
    },
  });

  api.delete('/:ib/api/v1/users/:login', {
    schema: { params: userParams, tags: ['users'], summary: 'Delete a user' },
    config: { access: 'users.manage' },
    handler: async (request, reply) => {
      await request.infobase.users.remove(request.params.login);
      cache.clear();
      return reply.status(204).send();
    },
  });
}
