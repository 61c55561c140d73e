import type { Label } from '../../platform/metadata.js';

/** The rates in force (22%, 10%, 0%, without VAT) and the older ones documents may still carry. */
export const VAT_RATES = ['vat22', 'vat20', 'vat18', 'vat10', 'vat0', 'none'] as const;
export type VatRate = (typeof VAT_RATES)[number];

export const VAT_PERCENT: Record<VatRate, number> = {
  vat22: 22,
  vat20: 20,
  vat18: 18,
  vat10: 10,
  vat0: 0,
  none: 0,
};

export const VAT_LABELS: Record<VatRate, Label> = {
  vat22: { en: '22%', ru: '22%' },
  vat20: { en: '20%', ru: '20%' },
  vat18: { en: '18%', ru: '18%' },
  vat10: { en: '10%', ru: '10%' },
  vat0: { en: '0%', ru: '0%' },
  none: { en: 'Without VAT', ru: 'Без НДС' },
};
