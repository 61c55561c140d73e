import { z } from 'zod';
import { dateSchema } from '../platform/objects/object-schema.js';

/**
 * What a side sends (S16, S19): catalogs all / only those used in documents / none; documents all / none /
 * since a date; optionally only the given organizations' data.
 */
export const exportRulesSchema = z.strictObject({
  catalogs: z.enum(['all', 'used', 'none']),
  documents: z.enum(['all', 'none', 'since']),
  documentsSince: dateSchema.nullable().default(null),
  /** Local refs of organizations; empty means all. */
  organizations: z.array(z.string()).default([]),
});

export type ExportRules = z.infer<typeof exportRulesSchema>;

/** The seed's recommendations: the CRM sends catalogs only with documents; Accounting sends nothing. */
export const INITIATOR_DEFAULT_RULES: ExportRules = {
  catalogs: 'used',
  documents: 'all',
  documentsSince: null,
  organizations: [],
};
export const RESPONDER_DEFAULT_RULES: ExportRules = {
  catalogs: 'none',
  documents: 'none',
  documentsSince: null,
  organizations: [],
};

export type ObjectForRules = {
  kind: 'catalog' | 'document';
  type: string;
  ref: string;
  values: Record<string, unknown>;
};

/** Whether an object passes the date and organization filters (the mode is decided separately). */
export function passesFilters(rules: ExportRules, object: ObjectForRules): boolean {
  if (object.kind === 'document' && rules.documents === 'since' && rules.documentsSince) {
    if (String(object.values.date ?? '').slice(0, 10) < rules.documentsSince) return false;
  }
  if (rules.organizations.length > 0) {
    const organization = object.type === 'organization' ? object.ref : object.values.organization;
    if (typeof organization === 'string' && !rules.organizations.includes(organization)) return false;
  }
  return true;
}

export type ExportMode = 'always' | 'if-used' | 'never';

export function exportMode(rules: ExportRules, kind: 'catalog' | 'document'): ExportMode {
  if (kind === 'document') return rules.documents === 'none' ? 'never' : 'always';
  return rules.catalogs === 'all' ? 'always' : rules.catalogs === 'used' ? 'if-used' : 'never';
}
