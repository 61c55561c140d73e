import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, PERMISSIONS } from '../../../platform/rights.js';
import { isLoopback, sessionCookieName, setSessionCookie } from '../../auth.js';

const params = z.object({ ib: z.string() });

export function authRoutes(app: FastifyInstance, options: { secureCookies: boolean }) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  /** The login screen's list of users (S5): only those shown in the list, and whether any user exists. */
  api.get('/:ib/api/v1/auth/users', {
    schema: { params, tags: ['auth'], summary: 'Users to choose from on the login screen' },
    config: { access: 'public' },
    handler: async (request) => {
      const users = await request.infobase.users.list();
      return {
        hasUsers: users.length > 0,
        loopback: isLoopback(request),
        users: users
          .filter((user) => user.showInList)
          .map((user) => ({ login: user.login, hasPassword: user.hasPassword })),
      };
    },
  });

  api.post('/:ib/api/v1/auth/login', {
    schema: {
      params,
      body: z.object({ login: z.string().min(1).max(64), password: z.string().max(256).default('') }),
      tags: ['auth'],
      summary: 'Log in: sets an HttpOnly session cookie for this infobase',
    },
    config: { access: 'public' },
    handler: async (request, reply) => {
      const { infobase } = request;
      const user = await infobase.users.authenticate(request.body.login, request.body.password, {
        loopback: isLoopback(request),
      });
      setSessionCookie(
        reply,
        infobase.name,
        await infobase.users.createSession(user.login),
        options.secureCookies,
      );
      return { login: user.login, role: user.role };
    },
  });

  api.post('/:ib/api/v1/auth/logout', {
    schema: { params, tags: ['auth'], summary: 'Log out of this infobase' },
    config: { access: 'public' },
    handler: async (request, reply) => {
      const token = request.cookies[sessionCookieName(request.infobase.name)];
      if (token) await request.infobase.users.endSession(token);
      reply.clearCookie(sessionCookieName(request.infobase.name), { path: `/${request.infobase.name}` });
      return reply.status(204).send();
    },
  });

  api.get('/:ib/api/v1/auth/me', {
    schema: { params, tags: ['auth'], summary: 'Who I am here, and what I may do' },
    config: { access: 'authenticated' },
    handler: async (request) => {
      const { role, login, via } = request.principal;
      return { login, role, via, permissions: PERMISSIONS.filter((permission) => can(role, permission)) };
    },
  });
}
