import type { StoredObject, TypeDef } from '../../api/types';
import { formatDocumentDate } from '../../lib/format';

/** How an object is named to a person: a catalog item by its name, a document by number and date. */
export function presentationOf(
  def: TypeDef | undefined,
  object: StoredObject | undefined,
  language: string,
): string {
  if (!object) return '';
  if (!def) return String(object.ref);
  if (def.kind === 'document') {
    return `${object.number ?? ''} (${formatDocumentDate(object.date, language)})`;
  }
  const parts = def.presentation
    .map((name) => object[name])
    .filter((part) => typeof part === 'string' && part);
  return parts.length > 0 ? parts.join(' ') : String(object.code ?? object.ref);
}
