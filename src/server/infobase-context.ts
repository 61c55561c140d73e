import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Host } from '../platform/host.js';
import type { Infobase } from '../platform/infobase.js';
import {
  authenticate,
  authenticatePeer,
  type CredentialCache,
  type Principal,
  type RouteAccess,
  requirePermission,
} from './auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    infobase: Infobase;
    principal: Principal;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/**
 * One hook guards every route under `/:ib/...`: it opens the infobase named by the path, authenticates
 * the caller and checks the right the route declares in `config.access`. A route without one is refused,
 * so forgetting to declare a right cannot open a route to everyone.
 */
export function guardInfobaseRoutes(app: FastifyInstance, host: Host, cache: CredentialCache) {
  app.decorateRequest('infobase', null as unknown as Infobase);
  app.decorateRequest('principal', null as unknown as Principal);
  // onRequest, before the body is read: a stranger learns nothing from validation errors.
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const { ib } = request.params as { ib: string };
    request.infobase = await host.get(ib);
    const access = request.routeOptions.config.access;
    if (!access) throw new Error(`route ${request.routeOptions.url} declares no access rule`);
    if (access === 'public') return;
    if (access === 'peer' || access === 'peer-optional') {
      if (access === 'peer-optional' && !request.headers.authorization) return;
      request.principal = await authenticatePeer(request, request.infobase, cache);
      if (access === 'peer') requirePermission(request.principal, 'exchange');
      return;
    }
    request.principal = await authenticate(request, request.infobase, cache);
    if (access !== 'authenticated') requirePermission(request.principal, access);
  });
}

export function writeOrigin(request: FastifyRequest) {
  return { kind: 'user', login: request.principal?.login ?? null } as const;
}
