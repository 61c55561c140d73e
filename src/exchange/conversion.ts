import type { StoredObject } from '../platform/objects/object-store.js';

/**
 * The contract between the exchange and an application's conversion rules. The exchange never imports
 * an application: the server hands it each application's rules. The rules only translate shapes; finding
 * local objects (mapping), ref translation and validation are the exchange's job.
 */

/** An object in the EnterpriseData object model as JSON: keys in the package's property order. */
export type FormatObject = { readonly [property: string]: unknown };

/** One object of a message body: `{ type: 'Справочник.Контрагенты', object: {...} }`. */
export type FormatEntry = { type: string; object: FormatObject };

/** A reference inside an incoming object, before the exchange resolves it to a local object. */
export type IncomingRef = {
  kind: 'ref';
  localType: string;
  /** The sender's ref of the referenced object; may be absent when the format sent only key properties. */
  peerRef: string | null;
  /** The referenced object's search-field values, in local field names (e.g. inn, kpp, name, code). */
  keys: SearchKeys;
  /** All its key properties as local field values: enough to create a classifier item (a unit, a currency). */
  values: Record<string, IncomingValue>;
};

/** Whether a value is a reference (rather than a scalar). */
export function isIncomingRef(value: unknown): value is IncomingRef {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ref';
}

export type SearchKeyValue = string | null | IncomingRef;
export type SearchKeys = Readonly<Record<string, SearchKeyValue>>;

export type IncomingValue = string | number | boolean | null | IncomingRef;
export type IncomingLine = Record<string, IncomingValue>;

export type IncomingObject = {
  action: 'put';
  localType: string;
  /** КлючевыеСвойства.Ссылка: the sender's ref of this object. */
  peerRef: string;
  /** This object's own search-field values (local names), for mapping. */
  keys: SearchKeys;
  /** Local field values, references unresolved; tabular sections as arrays of lines. */
  values: Record<string, IncomingValue | IncomingLine[]>;
  /** System properties travelling with the object (AdditionalInfo). */
  system: {
    deleted?: boolean;
    posted?: boolean;
    createdIn?: string;
    number?: string;
    date?: string;
    code?: string;
  };
};

export type IncomingDeletion = { action: 'delete'; localType: string; peerRef: string };

export type ExchangedType = { localType: string; formatType: string; kind: 'catalog' | 'document' };

/** What the exporter offers a rule that must express a reference: the referenced object's key properties. */
export type OutgoingContext = {
  /** КлючевыеСвойства of a referenced object, with its ref as the peer knows it; undefined if it does not exist. */
  keyProperties(localType: string, ref: string): Promise<FormatObject | undefined>;
  /**
   * A field of a referenced object, when a rule needs more than its key properties (a product's kind);
   * only the fields the rules declare (`ConversionRules.referencedFields`). Undefined if it does not exist.
   */
  fieldOf(localType: string, ref: string, field: string): Promise<unknown>;
};

/** Thrown by `fromFormat` for an object that cannot be read; the exchange holds it back with this reason. */
export class ConversionError extends Error {
  readonly path: string;
  /** What is wrong there, without the path. */
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'ConversionError';
    this.path = path;
    this.reason = reason;
  }
}

export interface ConversionRules {
  /** The EnterpriseData version the rules emit, e.g. "1.8". */
  readonly formatVersion: string;
  /** Format extensions the rules use beyond the base package (declared in the message header). */
  readonly extensions: readonly { namespace: string; baseVersion: string }[];
  /** The exchanged types in dependency order: whatever a type refers to comes before it. */
  readonly types: readonly ExchangedType[];
  /** The fields of referenced objects the rules read beyond their key properties, by type. */
  readonly referencedFields: Readonly<Record<string, readonly string[]>>;
  /** КлючевыеСвойства of a local object, carrying `peerRef` as its Ссылка. */
  keyProperties(
    localType: string,
    object: StoredObject,
    peerRef: string,
    context: OutgoingContext,
  ): Promise<FormatObject>;
  /** The whole format object of a local object. */
  toFormat(
    localType: string,
    object: StoredObject,
    peerRef: string,
    context: OutgoingContext,
  ): Promise<FormatEntry>;
  /** The `УдалениеОбъекта` entry for a deleted object. */
  deletion(localType: string, peerRef: string): FormatEntry;
  /**
   * Reads one body entry; throws ConversionError for what it cannot read. `keysOnly` reads AdditionalInfo
   * and КлючевыеСвойства and leaves the rest unread: all that identifying the object takes (a mapping
   * analysis), and a small part of a document.
   */
  fromFormat(entry: FormatEntry, options?: { keysOnly?: boolean }): IncomingObject | IncomingDeletion;
}
