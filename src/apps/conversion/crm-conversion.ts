import type { ConversionRules } from '../../exchange/conversion.js';
import { crm } from '../crm.js';
import { createConversionRules } from './conversion-rules.js';

/**
 * The CRM's rules: the shared catalogs and documents. Partners, contact persons and deals are not
 * exchanged, and a counterparty's partner stays in the CRM: the format has no place for it, so incoming
 * counterparties leave it as it is.
 */
export const crmConversion: ConversionRules = createConversionRules(crm);
