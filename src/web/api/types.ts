/** The shapes of the HTTP API as this client reads them (see /api/docs). */

// The exchange's own types where the API sends them as they are: imported as types only, so nothing of
// the server is bundled, and the UI cannot drift from what the host sends.
import type { ExportRules } from '../../exchange/export-rules.js';
import type { JournalEntry } from '../../exchange/journal.js';

export type { JournalEntry, JournalItem, TypeCounts } from '../../exchange/journal.js';
export type { ExportRules };

export type Label = { en: string; ru: string };

export type InfobaseEntry = {
  name: string;
  title: string;
  application: string;
  applicationLabel: Label;
  publicationUrl: string;
};

export type Role = 'admin' | 'sync' | 'user' | 'readonly';
export const ROLES: readonly Role[] = ['admin', 'sync', 'user', 'readonly'];

export type Permission =
  | 'data.read'
  | 'data.write'
  | 'data.purge'
  | 'users.read'
  | 'users.manage'
  | 'settings.read'
  | 'settings.write'
  | 'sync.read'
  | 'sync.run'
  | 'sync.setup'
  | 'exchange';

export type LoginChoices = {
  hasUsers: boolean;
  loopback: boolean;
  users: { login: string; hasPassword: boolean }[];
};

export type Me = {
  login: string | null;
  role: Role;
  via: 'session' | 'basic' | 'loopback';
  permissions: Permission[];
};

export type FieldType =
  | { kind: 'string'; maxLength: number; minLength?: number; pattern?: string; multiline?: boolean }
  | { kind: 'decimal'; precision: number; scale: number; nonNegative?: boolean }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'ref'; to: string }
  | { kind: 'enum'; values: string[]; labels?: Record<string, Label> };

export type FieldValue = string | number | boolean | null;

export type FieldDef = {
  name: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  default?: FieldValue;
};

export type TabularSectionDef = { name: string; label: Label; fields: FieldDef[] };

export type CodeRule = { kind: 'auto' } | { kind: 'natural'; maxLength: number; pattern?: string };

export type TypeDef = {
  name: string;
  kind: 'catalog' | 'document';
  label: Label;
  pluralLabel: Label;
  presentation: string[];
  code?: CodeRule;
  fields: FieldDef[];
  tabularSections: TabularSectionDef[];
};

export type Metadata = { application: string; label: Label; version: string; types: TypeDef[] };

export type LineValues = Record<string, FieldValue>;

/** A catalog item or document as the API returns it: system fields, declared fields, lines. */
export type StoredObject = {
  ref: string;
  version: number;
  deleted: boolean;
  createdIn: string;
  code?: string;
  number?: string;
  date?: string;
  posted?: boolean;
  [field: string]: FieldValue | LineValues[] | undefined;
};

export type ListResult = { items: StoredObject[]; total: number };

export type ListQuery = {
  limit?: number;
  offset?: number;
  sort?: string;
  order?: 'asc' | 'desc';
  search?: string;
  includeDeleted?: boolean;
  filter?: Record<string, string>;
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

export type InfobaseSettings = { name: string; application: string; prefix: string; syncEnabled: boolean };

export type NumberingPlan = { type: string; year: number; scope: string; restart: string; continue: string };

export type SyncSetting = {
  id: string;
  state: 'pending' | 'ready';
  role: 'initiator' | 'responder';
  peer: {
    application: string;
    name: string | null;
    prefix: string | null;
    version: string | null;
    url: string | null;
    login: string | null;
  };
  rules: ExportRules;
  sentNo: number;
  receivedNo: number;
  scheduleSeconds: number | null;
  nextRunAt: string | null;
  lastSyncAt: string | null;
  lastSyncStatus: string | null;
  setup: { initialExportDone: boolean; loadDone: boolean };
  createdAt: string;
};

export type ConnectionParameters = {
  peerApplication: string;
  peerUrl: string;
  peerLogin: string;
  peerPassword: string;
};

export type PeerInfo = {
  application: string;
  applicationName: string;
  applicationVersion: string;
  infobase: string;
  prefix: string;
  syncEnabled: boolean;
  protocolVersion: number;
  formatVersions: string[];
};

export type ConnectionTest =
  | { ok: true; peer: PeerInfo; warnings: CredentialWarning[] }
  | { ok: false; cause: string; message: string; warnings: CredentialWarning[]; peer?: PeerInfo };

export type JobState = 'running' | 'done' | 'failed';

export type Job = {
  id: string;
  kind: string;
  infobase: string;
  settingId: string;
  state: JobState;
  progress: { phase: string; done: number; total: number };
  startedAt: string;
  finishedAt: string | null;
  result: unknown;
  error: { code: string; message: string } | null;
  alreadyRunning?: boolean;
};

export type SyncResult = {
  settingId: string;
  status: 'ok' | 'warnings';
  sent: Record<string, number>;
  received: Record<string, number>;
  journalId: string;
  journal: JournalEntry;
};
