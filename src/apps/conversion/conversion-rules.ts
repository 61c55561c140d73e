import {
  ConversionError,
  type ConversionRules,
  type FormatEntry,
  type FormatObject,
  type IncomingDeletion,
  type IncomingObject,
  type IncomingRef,
  isIncomingRef,
  type SearchKeys,
  type SearchKeyValue,
} from '../../exchange/conversion.js';
import type { ApplicationDef, ObjectTypeDef } from '../../platform/metadata.js';
import { findType } from '../../platform/metadata.js';
import type { StoredObject } from '../../platform/objects/object-store.js';
import {
  booleanAt,
  describeValue,
  isRecord,
  type JsonRecord,
  join,
  propertyOf,
  recordAt,
  stringAt,
  uuidAt,
} from './format-input.js';
import { FORMAT_VERSION, VAT22_EXTENSION } from './format-values.js';
import { LINE_REFERENCED_FIELDS } from './line-rules.js';
import {
  type ConversionContext,
  emptyIncoming,
  type Incoming,
  type ReadScope,
  readRules,
  writeRules,
} from './property-rules.js';
import { EXCHANGED_TYPES, type TypeRule } from './shared-rules.js';

const DELETION = 'УдалениеОбъекта';
const KEYS = 'КлючевыеСвойства';
const INFO = 'AdditionalInfo';
const IBSYNC = 'ibsync';

type Exchanged = { readonly rule: TypeRule; readonly def: ObjectTypeDef; readonly deletionChoice: string };

/**
 * An application's conversion rules: the shared type rules over the application's own declarations,
 * which give the search fields (`keys`) and tell a natural code (in ДанныеКлассификатора) from our own
 * (in AdditionalInfo). Types the application does not declare are not exchanged.
 */
export function createConversionRules(app: ApplicationDef): ConversionRules {
  const exchanged: Exchanged[] = EXCHANGED_TYPES.flatMap((rule) => {
    const def = findType(app, rule.localType);
    return def === undefined ? [] : [{ rule, def, deletionChoice: deletionChoiceOf(rule) }];
  });
  const byLocalType = new Map(exchanged.map((entry) => [entry.rule.localType, entry]));
  const byFormatType = new Map(exchanged.map((entry) => [entry.rule.formatType, entry]));
  const byDeletionChoice = new Map(exchanged.map((entry) => [entry.deletionChoice, entry]));

  function exchangedType(localType: string): Exchanged {
    const entry = byLocalType.get(localType);
    if (entry === undefined) {
      throw new Error(
        `${localType} is not exchanged by the ${app.name} application; it exchanges ${[...byLocalType.keys()].join(', ')}`,
      );
    }
    return entry;
  }

  async function keyProperties(
    localType: string,
    object: StoredObject,
    peerRef: string,
    context: ConversionContext,
  ): Promise<FormatObject> {
    const { rule } = exchangedType(localType);
    return { Ссылка: peerRef, ...(await writeRules(rule.keys, object, { context, path: KEYS })) };
  }

  function readRef(localType: string, value: unknown, path: string): IncomingRef {
    const { rule, def } = exchangedType(localType);
    const input = recordAt(value, path);
    const ref = propertyOf(input, 'Ссылка');
    // An object the message carried before is named by its ref alone (exchange/export.ts).
    if (ref !== undefined && Object.keys(input).length === 1) {
      return { kind: 'ref', localType, peerRef: uuidAt(ref, join(path, 'Ссылка')), keys: {}, values: {} };
    }
    const into = emptyIncoming();
    readRules(rule.keys, input, { path, into, absent: false, readRef });
    return {
      kind: 'ref',
      localType,
      peerRef: ref === undefined ? null : uuidAt(ref, join(path, 'Ссылка')),
      keys: searchKeys(def, into),
      // Key properties are scalars and references: none of them reads a section.
      values: into.values as IncomingRef['values'],
    };
  }

  function readObject({ rule, def }: Exchanged, object: JsonRecord, keysOnly: boolean): IncomingObject {
    const keysInput = requiredRecord(object, KEYS, KEYS);
    const peerRef = uuidAt(propertyOf(keysInput, 'Ссылка'), join(KEYS, 'Ссылка'));
    const into = emptyIncoming();
    const scope: ReadScope = { path: KEYS, into, absent: false, readRef };
    readSystem(rule, def, object, into);
    readRules(rule.keys, keysInput, scope);
    if (!keysOnly) readRules(rule.body, object, { ...scope, path: '' });
    return {
      action: 'put',
      localType: rule.localType,
      peerRef,
      keys: searchKeys(def, into),
      values: into.values,
      system: into.system,
    };
  }

  function readDeletion(object: JsonRecord): IncomingDeletion {
    const outer = requiredRecord(object, 'СсылкаНаОбъект', 'СсылкаНаОбъект');
    const path = 'СсылкаНаОбъект.СсылкаНаОбъект';
    const choice = requiredRecord(outer, 'СсылкаНаОбъект', path);
    const names = Object.keys(choice);
    const [name] = names;
    if (name === undefined || names.length !== 1) {
      throw new ConversionError(
        path,
        `expected exactly one reference, got ${names.length === 0 ? 'none' : names.join(' and ')}`,
      );
    }
    const entry = byDeletionChoice.get(name);
    if (entry === undefined) {
      throw new ConversionError(
        join(path, name),
        `is not a reference to a type the ${app.name} application exchanges`,
      );
    }
    return {
      action: 'delete',
      localType: entry.rule.localType,
      peerRef: uuidAt(propertyOf(choice, name), join(path, name)),
    };
  }

  return {
    formatVersion: FORMAT_VERSION,
    extensions: [VAT22_EXTENSION],
    types: exchanged.map(({ rule }) => ({
      localType: rule.localType,
      formatType: rule.formatType,
      kind: rule.kind,
    })),
    referencedFields: LINE_REFERENCED_FIELDS,

    keyProperties,

    async toFormat(localType, object, peerRef, context: ConversionContext) {
      const { rule, def } = exchangedType(localType);
      return {
        type: rule.formatType,
        object: {
          [INFO]: { [IBSYNC]: systemOf(rule, def, object) },
          [KEYS]: await keyProperties(localType, object, peerRef, context),
          ...(await writeRules(rule.body, object, { context, path: '' })),
        },
      };
    },

    deletion(localType, peerRef) {
      const { deletionChoice } = exchangedType(localType);
      return {
        type: DELETION,
        object: { СсылкаНаОбъект: { СсылкаНаОбъект: { [deletionChoice]: peerRef } } },
      };
    },

    fromFormat(entry: FormatEntry, options: { keysOnly?: boolean } = {}) {
      const input = recordAt(entry, 'entry');
      const type = propertyOf(input, 'type');
      if (typeof type !== 'string')
        throw new ConversionError('type', `expected a type name, got ${describeValue(type)}`);
      const object = recordAt(propertyOf(input, 'object'), 'object');
      if (type === DELETION) return readDeletion(object);
      const exchangedEntry = byFormatType.get(type);
      if (exchangedEntry === undefined) {
        const known = [...byFormatType.keys(), DELETION].join(', ');
        throw new ConversionError(
          'type',
          `${describeValue(type)} is not a type the ${app.name} application reads (${known})`,
        );
      }
      return readObject(exchangedEntry, object, options.keysOnly === true);
    },
  };
}

/** The УдалениеОбъекта choice of a type: `Справочник.Контрагенты` → `КонтрагентыСсылка`. */
function deletionChoiceOf(rule: TypeRule): string {
  return `${rule.formatType.slice(rule.formatType.indexOf('.') + 1)}Ссылка`;
}

/** A natural code (OKEI, ISO) travels in ДанныеКлассификатора; our own code has no place but AdditionalInfo. */
function carriesOwnCode(rule: TypeRule, def: ObjectTypeDef): boolean {
  return rule.kind === 'catalog' && def.code?.kind !== 'natural';
}

/** What travels in AdditionalInfo.ibsync: system properties and the fields the package has no place for. */
function systemOf(rule: TypeRule, def: ObjectTypeDef, object: StoredObject): FormatObject {
  const ibsync: Record<string, unknown> = { deleted: object.deleted };
  if (rule.kind === 'document') ibsync.posted = object.posted === true;
  ibsync.createdIn = object.createdIn;
  if (carriesOwnCode(rule, def)) ibsync.code = object.code;
  for (const field of rule.carried ?? []) {
    if (object[field] !== null && object[field] !== undefined) ibsync[field] = object[field];
  }
  return ibsync;
}

/** Whatever else a sender keeps in AdditionalInfo (it is xs:anyType) is not ours to read. */
function readSystem(rule: TypeRule, def: ObjectTypeDef, object: JsonRecord, into: Incoming): void {
  const info = propertyOf(object, INFO);
  const path = join(INFO, IBSYNC);
  const raw = isRecord(info) ? propertyOf(info, IBSYNC) : undefined;
  const ibsync = raw === undefined ? {} : recordAt(raw, path);
  const read = <T>(name: string, check: (value: unknown, at: string) => T): T | undefined => {
    const value = propertyOf(ibsync, name);
    return value === undefined ? undefined : check(value, join(path, name));
  };
  const deleted = read('deleted', booleanAt);
  if (deleted !== undefined) into.system.deleted = deleted;
  const posted = rule.kind === 'document' ? read('posted', booleanAt) : undefined;
  if (posted !== undefined) into.system.posted = posted;
  const createdIn = read('createdIn', stringAt);
  if (createdIn !== undefined) into.system.createdIn = createdIn;
  const code = carriesOwnCode(rule, def) ? read('code', stringAt) : undefined;
  if (code !== undefined) into.system.code = code;
  for (const field of rule.carried ?? []) into.values[field] = read(field, stringAt) ?? null;
}

const searchFieldNames = new WeakMap<ObjectTypeDef, readonly string[]>();

/** The declaration's search fields (contracts: counterparty, number, date; units: code…), in local names. */
function searchKeys(def: ObjectTypeDef, into: Incoming): SearchKeys {
  const system: Readonly<Record<string, unknown>> = into.system;
  const keys: Record<string, SearchKeyValue> = {};
  // Every reference in a message asks this: the names are worked out once per type.
  let names = searchFieldNames.get(def);
  if (!names) {
    names = [...new Set((def.searchFields ?? []).flat())];
    searchFieldNames.set(def, names);
  }
  for (const name of names) keys[name] = searchKeyValue(into.values[name] ?? system[name]);
  return keys;
}

function searchKeyValue(value: unknown): SearchKeyValue {
  if (typeof value === 'string') return value;
  return isIncomingRef(value) ? value : null;
}

function requiredRecord(input: JsonRecord, name: string, path: string): JsonRecord {
  const value = propertyOf(input, name);
  if (value === undefined) throw new ConversionError(path, 'is required, got nothing');
  return recordAt(value, path);
}
