import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, type FieldError, notFound, validationError } from './errors.js';
import { hashPassword, spendDecoyVerification, verifyPassword } from './passwords.js';
import { isRole, ROLES, type Role } from './rights.js';
import type { Db, StorageDialect, TableSpec } from './storage/index.js';
import { boolean, integer, text } from './storage/index.js';

export const usersTable: TableSpec = {
  name: 'users',
  columns: [
    { name: 'login', type: text, notNull: true },
    // Logins compare without case, as people type them.
    { name: 'login_key', type: text, notNull: true },
    { name: 'password_hash', type: text },
    { name: 'role', type: text, notNull: true },
    { name: 'show_in_list', type: boolean, notNull: true },
    { name: 'created_at', type: text, notNull: true },
    { name: 'failed_attempts', type: integer, notNull: true },
    { name: 'locked_until', type: text },
    { name: 'last_login_at', type: text },
  ],
  primaryKey: ['login'],
  indexes: [{ name: 'users__login_key__uq', columns: ['login_key'], unique: true }],
};

export const sessionsTable: TableSpec = {
  name: 'sessions',
  columns: [
    { name: 'token_hash', type: text, notNull: true },
    { name: 'login', type: text, notNull: true },
    { name: 'created_at', type: text, notNull: true },
    { name: 'expires_at', type: text, notNull: true },
  ],
  primaryKey: ['token_hash'],
};

export type User = {
  login: string;
  role: Role;
  hasPassword: boolean;
  showInList: boolean;
  createdAt: string;
  lockedUntil: string | null;
  lastLoginAt: string | null;
};

export type CredentialWarning = { field: 'login' | 'password'; code: string; message: string };

/** After this many wrong passwords in a row the account locks, for longer after each further one. */
export const FREE_FAILURES = 5;
const FIRST_LOCK_SECONDS = 30;
const LONGEST_LOCK_SECONDS = 15 * 60;
const SESSION_HOURS = 12;

/** A colon cannot travel in HTTP Basic credentials; control characters cannot be typed. */
function isAcceptableLogin(login: string): boolean {
  return (
    login.trim().length > 0 &&
    login.length <= 64 &&
    ![...login].some((char) => char < ' ' || char === '\x7f' || char === ':')
  );
}

export function lockSeconds(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(LONGEST_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - FREE_FAILURES));
}

/**
 * The mistakes of seed S3 that later show up as an obscure connection error: spaces at either end and
 * characters typed in another keyboard layout. Warnings, not errors: the user may mean them.
 */
export function credentialWarnings(login: string, password: string | undefined): CredentialWarning[] {
  const warnings: CredentialWarning[] = [];
  const check = (field: 'login' | 'password', value: string) => {
    if (value !== value.trim()) {
      warnings.push({
        field,
        code: 'surrounding_spaces',
        message: `The ${field} starts or ends with a space`,
      });
    }
    const foreign = [...value].filter((char) => char > '~' || char < ' ');
    if (foreign.length > 0) {
      warnings.push({
        field,
        code: 'non_latin',
        message: `The ${field} contains characters outside the Latin keyboard layout (${[...new Set(foreign)].join('')}); the other infobase must have exactly the same`,
      });
    }
  };
  check('login', login);
  if (password) check('password', password);
  return warnings;
}

export type UserStore = ReturnType<typeof createUserStore>;

export function createUserStore(deps: { db: Db; dialect: StorageDialect; now?: () => Date }) {
  const { db, dialect } = deps;
  const now = deps.now ?? (() => new Date());

  function decode(row: Record<string, unknown>): User {
    return {
      login: String(row.login),
      role: String(row.role) as Role,
      hasPassword: row.password_hash !== null && row.password_hash !== undefined,
      showInList: dialect.decodeBoolean(row.show_in_list),
      createdAt: String(row.created_at),
      lockedUntil: row.locked_until ? String(row.locked_until) : null,
      lastLoginAt: row.last_login_at ? String(row.last_login_at) : null,
    };
  }

  async function findRow(login: string) {
    return db.selectFrom('users').selectAll().where('login_key', '=', login.toLowerCase()).executeTakeFirst();
  }

  async function requireRow(login: string) {
    const row = await findRow(login);
    if (!row) throw notFound(`The user "${login}"`);
    return row;
  }

  async function adminCount(): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('count'))
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  function checkRole(role: string): Role {
    if (!isRole(role)) {
      throw validationError(
        [{ field: 'role', code: 'bad_enum', message: `must be one of: ${ROLES.join(', ')}` }],
        'The user',
      );
    }
    return role;
  }

  async function recordFailure(login: string, previousFailures: number, error: AppError): Promise<never> {
    const failures = previousFailures + 1;
    const seconds = lockSeconds(failures);
    await db
      .updateTable('users')
      .set({
        failed_attempts: failures,
        locked_until: seconds > 0 ? new Date(now().getTime() + seconds * 1000).toISOString() : null,
      })
      .where('login', '=', login)
      .execute();
    throw seconds > 0
      ? new AppError(error.code, error.message, { status: 401, details: { lockedForSeconds: seconds } })
      : error;
  }

  async function count(): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  return {
    count,

    async list(): Promise<User[]> {
      const rows = await db.selectFrom('users').selectAll().orderBy('login_key').execute();
      return rows.map(decode);
    },

    async get(login: string): Promise<User | undefined> {
      const row = await findRow(login);
      return row ? decode(row) : undefined;
    },

    /** Seed S4: the first user of an infobase is its administrator, whatever role was asked for. */
    async add(input: { login: string; password?: string | null; role?: string; showInList?: boolean }) {
      const fields: FieldError[] = [];
      if (!isAcceptableLogin(input.login)) {
        fields.push({
          field: 'login',
          code: 'invalid',
          message: 'must be 1 to 64 characters, without a colon or control characters',
        });
      }
      if (input.password !== undefined && input.password !== null && input.password.length > 256) {
        fields.push({ field: 'password', code: 'too_long', message: 'must be at most 256 characters' });
      }
      if (fields.length > 0) throw validationError(fields, 'The user');
      const requested = checkRole(input.role ?? 'user');
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('users')
          .select('login')
          .where('login_key', '=', input.login.toLowerCase())
          .executeTakeFirst();
        if (existing) {
          throw new AppError(
            'user_exists',
            `A user "${String(existing.login)}" already exists in this infobase`,
            {
              status: 409,
            },
          );
        }
        const count = await trx
          .selectFrom('users')
          .select(sql<number>`count(*)`.as('count'))
          .executeTakeFirstOrThrow();
        const first = Number(count.count) === 0;
        const role: Role = first ? 'admin' : requested;
        await trx
          .insertInto('users')
          .values({
            login: input.login,
            login_key: input.login.toLowerCase(),
            password_hash: input.password ? await hashPassword(input.password) : null,
            role,
            show_in_list: dialect.encodeBoolean(input.showInList ?? true),
            created_at: now().toISOString(),
            failed_attempts: 0,
          })
          .execute();
        const warnings = credentialWarnings(input.login, input.password ?? undefined);
        if (first && requested !== 'admin') {
          warnings.push({
            field: 'login',
            code: 'first_user_admin',
            message: 'The first user of an infobase becomes its administrator',
          });
        }
        const user = decode(
          await trx
            .selectFrom('users')
            .selectAll()
            .where('login', '=', input.login)
            .executeTakeFirstOrThrow(),
        );
        return { user, warnings };
      });
    },

    async update(login: string, change: { password?: string | null; role?: string; showInList?: boolean }) {
      const row = await requireRow(login);
      const values: Record<string, unknown> = {};
      if (change.role !== undefined) {
        const role = checkRole(change.role);
        if (row.role === 'admin' && role !== 'admin' && (await adminCount()) === 1) {
          throw new AppError(
            'last_admin',
            `"${String(row.login)}" is the only administrator; make another user an administrator first`,
            {
              status: 409,
            },
          );
        }
        values.role = role;
      }
      if (change.password !== undefined) {
        values.password_hash = change.password ? await hashPassword(change.password) : null;
        values.failed_attempts = 0;
        values.locked_until = null;
      }
      if (change.showInList !== undefined) values.show_in_list = dialect.encodeBoolean(change.showInList);
      if (Object.keys(values).length > 0)
        await db.updateTable('users').set(values).where('login', '=', row.login).execute();
      const user = decode(await requireRow(login));
      return { user, warnings: credentialWarnings(user.login, change.password ?? undefined) };
    },

    async remove(login: string): Promise<void> {
      const row = await requireRow(login);
      if (row.role === 'admin' && (await adminCount()) === 1 && (await count()) > 1) {
        throw new AppError(
          'last_admin',
          `"${String(row.login)}" is the only administrator; make another user an administrator first`,
          {
            status: 409,
          },
        );
      }
      await db.deleteFrom('sessions').where('login', '=', row.login).execute();
      await db.deleteFrom('users').where('login', '=', row.login).execute();
    },

    /**
     * Checks a login and password. Wrong passwords count towards a lockout that grows with each further
     * failure; a locked account is refused even with the right password until the lock ends. For the
     * exchange (`exchange: true`) the answer names the cause, as the connection test must (seed S3), and
     * a user without a password is never admitted.
     */
    async authenticate(
      login: string,
      password: string,
      context: { loopback: boolean; exchange?: boolean },
    ): Promise<User> {
      const wrong = (code: 'unknown_user' | 'wrong_password') =>
        context.exchange
          ? new AppError(
              code,
              code === 'unknown_user'
                ? `There is no user "${login}" in this infobase; create it with the same login as in the other infobase`
                : `The password of "${login}" is wrong for this infobase; it must be exactly the same as in the other infobase`,
              { status: 401 },
            )
          : new AppError('bad_credentials', 'Wrong login or password for this infobase', { status: 401 });
      const row = await findRow(login);
      if (!row) {
        await spendDecoyVerification(password);
        throw wrong('unknown_user');
      }
      const lockedUntil = row.locked_until ? new Date(String(row.locked_until)) : undefined;
      if (lockedUntil && lockedUntil > now()) {
        const seconds = Math.ceil((lockedUntil.getTime() - now().getTime()) / 1000);
        throw new AppError(
          'account_locked',
          `The user "${String(row.login)}" is locked for ${seconds} s after repeated wrong passwords; try again later`,
          { status: 429, details: { retryAfterSeconds: seconds } },
        );
      }
      const hash =
        row.password_hash === null || row.password_hash === undefined ? null : String(row.password_hash);
      if (hash === null && context.exchange) {
        throw new AppError(
          'passwordless_user',
          `The user "${String(row.login)}" has no password; synchronization over the Internet needs a user with a password`,
          { status: 401 },
        );
      }
      if (hash === null) {
        if (!context.loopback) {
          throw new AppError(
            'passwordless_remote',
            `The user "${String(row.login)}" has no password, so may log in only on this computer (loopback); set a password to log in over the network`,
            { status: 401 },
          );
        }
        if (password !== '')
          return recordFailure(String(row.login), Number(row.failed_attempts), wrong('wrong_password'));
      } else if (!(await verifyPassword(password, hash))) {
        return recordFailure(String(row.login), Number(row.failed_attempts), wrong('wrong_password'));
      }
      await db
        .updateTable('users')
        .set({ failed_attempts: 0, locked_until: null, last_login_at: now().toISOString() })
        .where('login', '=', row.login)
        .execute();
      return decode({ ...row, failed_attempts: 0, locked_until: null });
    },

    async createSession(login: string): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      const created = now();
      await db
        .insertInto('sessions')
        .values({
          token_hash: hashToken(token),
          login,
          created_at: created.toISOString(),
          expires_at: new Date(created.getTime() + SESSION_HOURS * 3600_000).toISOString(),
        })
        .execute();
      return token;
    },

    async resolveSession(token: string): Promise<User | undefined> {
      const session = await db
        .selectFrom('sessions')
        .select(['login', 'expires_at'])
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!session || new Date(String(session.expires_at)) <= now()) return undefined;
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('login', '=', session.login)
        .executeTakeFirst();
      return row ? decode(row) : undefined;
    },

    async endSession(token: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
    },
  };
}

/** Only a hash of a session token is stored, so a copy of the database does not log anyone in. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
