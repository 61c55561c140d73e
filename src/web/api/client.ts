import type {
  ConnectionParameters,
  ConnectionTest,
  CredentialWarning,
  ExportRules,
  InfobaseEntry,
  InfobaseSettings,
  Job,
  JournalEntry,
  ListQuery,
  ListResult,
  LoginChoices,
  Me,
  Metadata,
  NumberingPlan,
  Role,
  StoredObject,
  SyncSetting,
  User,
} from './types';

export type FieldError = { field: string; code: string; message: string };

/** A refusal of the API: its stable code (for translations), its message, and field errors for forms. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    body: { code?: string; message?: string; fields?: FieldError[]; details?: Record<string, unknown> },
  ) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? 'http_error';
    this.fields = body.fields ?? [];
    this.details = body.details ?? {};
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Every call goes through here. The session cookie travels by itself; the custom header is what the
 * host asks of cookie-authenticated writes, so a cross-site form cannot forge one.
 */
export async function request<T>(method: Method, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { 'x-ibsync-request': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(withQuery(path, query), {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { code: 'bad_response', message: text.slice(0, 200) };
  }
  if (!response.ok)
    throw new ApiError(response.status, (data ?? {}) as ConstructorParameters<typeof ApiError>[1]);
  return data as T;
}

export const hostApi = {
  infobases: () => request<InfobaseEntry[]>('GET', '/api/v1/infobases'),
};

function listQuery(query: ListQuery): Query {
  return {
    limit: query.limit,
    offset: query.offset,
    sort: query.sort,
    order: query.order,
    search: query.search,
    includeDeleted: query.includeDeleted ? 'true' : undefined,
    ...query.filter,
  };
}

/** The API of one infobase, `/<ib>/api/v1/…`. */
export function infobaseApi(ib: string) {
  const base = `/${encodeURIComponent(ib)}/api/v1`;
  const data = (type: string) => `${base}/data/${encodeURIComponent(type)}`;
  const setting = (id: string) => `${base}/sync/settings/${encodeURIComponent(id)}`;
  return {
    base,
    loginChoices: () => request<LoginChoices>('GET', `${base}/auth/users`),
    login: (login: string, password: string) =>
      request<{ login: string; role: Role }>('POST', `${base}/auth/login`, { login, password }),
    logout: () => request<void>('POST', `${base}/auth/logout`),
    me: () => request<Me>('GET', `${base}/auth/me`),
    metadata: () => request<Metadata>('GET', `${base}/metadata`),

    list: (type: string, query: ListQuery = {}) =>
      request<ListResult>('GET', data(type), undefined, listQuery(query)),
    get: (type: string, ref: string) =>
      request<StoredObject>('GET', `${data(type)}/${encodeURIComponent(ref)}`),
    create: (type: string, values: Record<string, unknown>) =>
      request<StoredObject>('POST', data(type), values),
    update: (type: string, ref: string, values: Record<string, unknown>) =>
      request<StoredObject>('PATCH', `${data(type)}/${encodeURIComponent(ref)}`, values),
    markForDeletion: (type: string, ref: string, marked: boolean) =>
      request<StoredObject>(
        'DELETE',
        `${data(type)}/${encodeURIComponent(ref)}`,
        undefined,
        marked ? undefined : { undo: 'true' },
      ),

    users: () => request<User[]>('GET', `${base}/users`),
    addUser: (input: { login: string; password: string | null; role?: Role; showInList: boolean }) =>
      request<{ user: User; warnings: CredentialWarning[] }>('POST', `${base}/users`, input),
    changeUser: (login: string, change: { password?: string | null; role?: Role; showInList?: boolean }) =>
      request<{ user: User; warnings: CredentialWarning[] }>(
        'PATCH',
        `${base}/users/${encodeURIComponent(login)}`,
        change,
      ),
    removeUser: (login: string) => request<void>('DELETE', `${base}/users/${encodeURIComponent(login)}`),

    settings: () => request<InfobaseSettings>('GET', `${base}/settings`),
    prefixPreview: (prefix: string) =>
      request<NumberingPlan[]>('GET', `${base}/settings/prefix-preview`, undefined, { prefix }),
    changeSettings: (change: { prefix?: string; continueNumbering?: boolean; syncEnabled?: boolean }) =>
      request<InfobaseSettings>('PATCH', `${base}/settings`, change),

    syncSettings: () => request<SyncSetting[]>('GET', `${base}/sync/settings`),
    syncSetting: (id: string) => request<SyncSetting>('GET', setting(id)),
    testConnection: (parameters: ConnectionParameters) =>
      request<ConnectionTest>('POST', `${base}/sync/connection-test`, parameters),
    connect: (parameters: ConnectionParameters & { peerPrefix?: string; rules?: Partial<ExportRules> }) =>
      request<SyncSetting>('POST', `${base}/sync/settings`, parameters),
    setRules: (id: string, rules: Partial<ExportRules>) =>
      request<SyncSetting>('PATCH', `${setting(id)}/rules`, rules),
    setSchedule: (id: string, intervalSeconds: number | null) =>
      request<SyncSetting>('PATCH', `${setting(id)}/schedule`, { intervalSeconds }),
    removeSetting: (id: string) => request<void>('DELETE', setting(id)),
    initialExport: (id: string) => request<Job>('POST', `${setting(id)}/initial-export`),
    load: (id: string, options: { dryRun?: boolean } = {}) =>
      request<Job>('POST', `${setting(id)}/load`, undefined, options.dryRun ? { dryRun: 'true' } : undefined),
    run: (id: string) => request<Job>('POST', `${setting(id)}/run`),
    job: (id: string, waitSeconds = 0) =>
      request<Job>('GET', `${base}/sync/jobs/${encodeURIComponent(id)}`, undefined, {
        wait: waitSeconds || undefined,
      }),
    journal: (query: { setting?: string; limit?: number } = {}) =>
      request<JournalEntry[]>('GET', `${base}/sync/journal`, undefined, query),
    journalEntry: (id: string) =>
      request<JournalEntry>('GET', `${base}/sync/journal/${encodeURIComponent(id)}`),
  };
}

export type InfobaseApi = ReturnType<typeof infobaseApi>;
