import type { ApplicationDef } from '../platform/metadata.js';
import { sharedCatalogs } from './shared/catalogs.js';
import { sharedDocuments } from './shared/documents.js';
import { label } from './shared/fields.js';

export const accounting: ApplicationDef = {
  name: 'accounting',
  label: label('Enterprise Accounting, edition 3.0', 'Бухгалтерия предприятия, редакция 3.0'),
  version: '3.0.150',
  types: [...sharedCatalogs, ...sharedDocuments],
};
