/**
 * What real data varies in and a person would call "the same": case, spaces, quotes, the legal form
 * written out or abbreviated, ё/е, leading zeros in codes.
 */
const LEGAL_FORMS = [
  'общество с ограниченной ответственностью',
  'публичное акционерное общество',
  'закрытое акционерное общество',
  'открытое акционерное общество',
  'акционерное общество',
  'индивидуальный предприниматель',
  'ооо',
  'пао',
  'зао',
  'оао',
  'ао',
  'ип',
  'ooo',
  'llc',
  'ltd',
  'inc',
  'jsc',
  'pjsc',
  'gmbh',
];
const LEGAL_FORM_PATTERN = new RegExp(
  `(^|\\s)(${LEGAL_FORMS.map((form) => form.replace(/ /g, '\\s+')).join('|')})(?=\\s|$)`,
  'gu',
);

export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["'«»„“”`´‘’]/g, ' ')
    .replace(/[.,;:()]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(LEGAL_FORM_PATTERN, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function normalizeCode(code: string): string {
  const trimmed = code.trim().toLowerCase().replace(/\s+/g, '');
  return /^\d+$/.test(trimmed) ? trimmed.replace(/^0+(?=\d)/, '') : trimmed;
}

/** Name-like fields compare loosely; identifiers (INN, KPP, SKU, codes, numbers) compare as codes. */
export function normalizeSearchValue(field: string, value: string): string {
  return field === 'name' || field === 'fullName' ? normalizeName(value) : normalizeCode(value);
}
