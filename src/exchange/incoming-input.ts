import type { ObjectTypeDef } from '../platform/metadata.js';
import type { IncomingObject } from './conversion.js';

/**
 * The write path's input for an incoming object, from its values with references resolved: the system
 * properties it carries (deletion mark, a document's number, date and posting, a natural code) over
 * the values. The importer and the reader thread (which prepares new documents' rows) make it alike.
 */
export function inputOf(
  def: ObjectTypeDef,
  incoming: IncomingObject,
  values: Record<string, unknown>,
  creating: boolean,
): Record<string, unknown> {
  const input: Record<string, unknown> = Object.assign({}, values);
  const { system } = incoming;
  if (system.deleted !== undefined) input.deleted = system.deleted;
  if (def.kind === 'document') {
    if (system.number) input.number = system.number;
    if (system.date) input.date = system.date;
    if (system.posted !== undefined) input.posted = system.posted;
  } else if (def.code?.kind === 'natural') {
    const code = system.code ?? (typeof incoming.keys.code === 'string' ? incoming.keys.code : undefined);
    if (code) input.code = code;
  } else if (creating && system.code) {
    // A mapped catalog item keeps this infobase's own code; a new one keeps the sender's.
    input.code = system.code;
  }
  return input;
}

/**
 * The incoming values with every value and line cell passed through `resolve`, which answers undefined
 * for a reference it cannot resolve: then the whole is undefined. The importer resolves from what a chunk
 * fetched, the reader thread by peer ref; either goes the long way when this gives up.
 */
export function resolveValues(
  incoming: IncomingObject,
  resolve: (value: unknown) => unknown,
): Record<string, unknown> | undefined {
  const values: Record<string, unknown> = {};
  for (const field in incoming.values) {
    const value = incoming.values[field];
    if (!Array.isArray(value)) {
      const local = resolve(value);
      if (local === undefined && value !== undefined) return undefined;
      values[field] = local;
      continue;
    }
    const lines: Record<string, unknown>[] = [];
    for (const line of value) {
      const cells: Record<string, unknown> = {};
      for (const name in line) {
        const cell = line[name];
        const local = resolve(cell);
        if (local === undefined && cell !== undefined) return undefined;
        cells[name] = local;
      }
      lines.push(cells);
    }
    values[field] = lines;
  }
  return values;
}
