import type { ConversionRules } from '../../exchange/conversion.js';
import type { ApplicationName } from '../../platform/metadata.js';
import { accountingConversion } from './accounting-conversion.js';
import { crmConversion } from './crm-conversion.js';

/** Each application's conversion rules, by name: the host's and the message reader thread's. */
export const conversions: Record<ApplicationName, ConversionRules> = {
  crm: crmConversion,
  accounting: accountingConversion,
};
