import type { ConversionRules } from '../../exchange/conversion.js';
import { accounting } from '../accounting.js';
import { createConversionRules } from './conversion-rules.js';

/** Accounting's rules: the shared catalogs and documents, which are all it declares today. */
export const accountingConversion: ConversionRules = createConversionRules(accounting);
