import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import type { Infobase } from '../platform/infobase.js';
import { can, type Permission, type Role } from '../platform/rights.js';

/** Who makes a request: a user, or the local operator of an infobase that has no users yet. */
export type Principal = { login: string | null; role: Role; via: 'session' | 'basic' | 'loopback' };

/** Routes name what they need; `public` ones are open to anyone. */
/**
 * `public`: anyone; `authenticated`: any user; `peer`: the exchange's pass-through user (see
 * authenticatePeer); `peer-optional`: as `peer` when credentials are sent, public otherwise.
 */
export type RouteAccess = Permission | 'public' | 'authenticated' | 'peer' | 'peer-optional';

export const CSRF_HEADER = 'x-ibsync-request';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(request: FastifyRequest): boolean {
  return LOOPBACK.has(request.socket.remoteAddress ?? '');
}

export function sessionCookieName(infobase: string): string {
  return `ibsync_${infobase}`;
}

export function parseBasic(header: string | undefined): { login: string; password: string } | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Verifying a password costs tens of milliseconds of scrypt; a client that sends Basic credentials with
 * every request (the CLI, the exchange) would pay it each time. Successful checks are remembered briefly,
 * keyed by a hash of the credentials, and forgotten on any change to the infobase's users.
 */
export function createCredentialCache(ttlMs = 30_000) {
  const entries = new Map<string, { principal: Principal; expires: number }>();
  const key = (infobase: string, login: string, password: string) =>
    createHash('sha256').update(`${infobase}\0${login}\0${password}`).digest('base64');
  return {
    get(infobase: string, login: string, password: string): Principal | undefined {
      const entry = entries.get(key(infobase, login, password));
      if (!entry || entry.expires < Date.now()) return undefined;
      return entry.principal;
    },
    set(infobase: string, login: string, password: string, principal: Principal) {
      if (entries.size > 10_000) entries.clear();
      entries.set(key(infobase, login, password), { principal, expires: Date.now() + ttlMs });
    },
    clear() {
      entries.clear();
    },
  };
}

export type CredentialCache = ReturnType<typeof createCredentialCache>;

/** Seed S5: once an infobase has a user, every request names one; before that only this computer may enter. */
export async function authenticate(
  request: FastifyRequest,
  infobase: Infobase,
  cache: CredentialCache,
): Promise<Principal> {
  const basic = parseBasic(request.headers.authorization);
  const token = request.cookies[sessionCookieName(infobase.name)];
  if ((await infobase.users.count()) === 0) {
    if (isLoopback(request)) return { login: null, role: 'admin', via: 'loopback' };
    throw new AppError(
      'loopback_only',
      `The infobase "${infobase.name}" has no users yet, so it accepts requests only from the host computer itself; create its first user (an administrator) there`,
      { status: 403 },
    );
  }
  if (basic) {
    const cached = cache.get(infobase.name, basic.login, basic.password);
    if (cached) return cached;
    const user = await infobase.users.authenticate(basic.login, basic.password, {
      loopback: isLoopback(request),
    });
    const principal: Principal = { login: user.login, role: user.role, via: 'basic' };
    cache.set(infobase.name, basic.login, basic.password, principal);
    return principal;
  }
  if (token) {
    const user = await infobase.users.resolveSession(token);
    if (user) {
      // Cookies travel with cross-site requests; a custom header cannot be sent cross-site without CORS.
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.headers[CSRF_HEADER] !== '1') {
        throw new AppError('csrf', `A browser session may change data only with the ${CSRF_HEADER} header`, {
          status: 403,
        });
      }
      return { login: user.login, role: user.role, via: 'session' };
    }
  }
  throw new AppError(
    'authentication_required',
    `The infobase "${infobase.name}" has users: log in, or send a login and password (HTTP Basic)`,
    { status: 401 },
  );
}

/**
 * The exchange's own check: only HTTP Basic, never the loopback grace or a browser session, and a user
 * without a password is refused; failures name their cause, as the initiator's connection test needs.
 */
export async function authenticatePeer(
  request: FastifyRequest,
  infobase: Infobase,
  cache: CredentialCache,
): Promise<Principal> {
  const basic = parseBasic(request.headers.authorization);
  if (!basic) {
    throw new AppError(
      'authentication_required',
      `The exchange with "${infobase.name}" needs the login and password of a user of that infobase (HTTP Basic)`,
      { status: 401 },
    );
  }
  const cacheKey = `exchange:${infobase.name}`;
  const cached = cache.get(cacheKey, basic.login, basic.password);
  if (cached) return cached;
  const user = await infobase.users.authenticate(basic.login, basic.password, {
    loopback: isLoopback(request),
    exchange: true,
  });
  const principal: Principal = { login: user.login, role: user.role, via: 'basic' };
  cache.set(cacheKey, basic.login, basic.password, principal);
  return principal;
}

export function requirePermission(principal: Principal, permission: Permission) {
  if (!can(principal.role, permission)) {
    throw new AppError(
      'forbidden',
      `The ${principal.role} role may not do this (it needs the "${permission}" right); ask an administrator`,
      { status: 403 },
    );
  }
}

export function setSessionCookie(reply: FastifyReply, infobase: string, token: string, secure: boolean) {
  reply.setCookie(sessionCookieName(infobase), token, {
    path: `/${infobase}`,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: 12 * 3600,
  });
}
