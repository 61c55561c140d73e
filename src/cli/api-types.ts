/**
 * The JSON the HTTP API sends, as the CLI reads it. Derived from the platform's own types (type-only
 * imports: nothing of the platform runs in the CLI) where the wire shape is the same.
 */
import type { Job } from '../exchange/jobs.js';
import type { JournalEntry, JournalItem, TypeCounts } from '../exchange/journal.js';
import type { MappingItem, TypeSummary } from '../exchange/mapping.js';
import type { ExchangeNode } from '../exchange/nodes.js';
import type { SyncResult } from '../exchange/session.js';
import type { ConnectionTest } from '../exchange/setup.js';
import type { FieldError } from '../platform/errors.js';
import type { InfobaseSettings, PrefixChange } from '../platform/infobase.js';
import type { FieldDef, FieldType, Label, ObjectKind } from '../platform/metadata.js';
import type { NumberingPlan } from '../platform/numbering.js';
import type { CredentialWarning, User } from '../platform/users.js';

export type {
  ConnectionTest,
  CredentialWarning,
  FieldError,
  JournalEntry,
  JournalItem,
  Label,
  MappingItem,
  NumberingPlan,
  PrefixChange,
  SyncResult,
  TypeCounts,
  TypeSummary,
  User,
};

type StringType = Extract<FieldType, { kind: 'string' }>;

/** Regular expressions travel as their source text. */
export type WireFieldType =
  | Exclude<FieldType, StringType>
  | (Omit<StringType, 'pattern'> & { pattern?: string });

export type MetadataField = Omit<FieldDef, 'type'> & { type: WireFieldType };

export type MetadataSection = { name: string; label: Label; fields: MetadataField[] };

export type MetadataType = {
  name: string;
  kind: ObjectKind;
  label: Label;
  pluralLabel: Label;
  presentation: string[];
  code?: { kind: 'auto' } | { kind: 'natural'; maxLength: number; pattern?: string; patternHint?: string };
  fields: MetadataField[];
  tabularSections: MetadataSection[];
};

export type Metadata = { application: string; label: Label; version: string; types: MetadataType[] };

export type InfobaseListEntry = {
  name: string;
  title: string;
  application: string;
  applicationLabel: Label;
  publicationUrl: string;
};

/** A catalog item or document: system fields, declared fields, tabular sections as arrays of lines. */
export type ApiObject = Record<string, unknown> & {
  ref: string;
  version: number;
  deleted: boolean;
  createdIn: string;
};

export type ObjectList = { items: ApiObject[]; total: number };

export type UserWrite = { user: User; warnings: CredentialWarning[] };

export type SettingsResponse = InfobaseSettings & {
  name: string;
  application: string;
  prefixChange?: PrefixChange;
};

/** A sync setting as the API shows it: never its stored password, nor the internal node code. */
export type SyncSetting = Omit<ExchangeNode, 'peerCode' | 'peerObjectTypes' | 'updatedAt'>;

/** A started or followed job; `alreadyRunning` only on the answer that started it. */
export type SyncJob = Job & { alreadyRunning?: boolean };
