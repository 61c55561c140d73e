import type { FieldDef, StoredObject } from '../../api/types';
import { useI18n } from '../../i18n';
import { formatDecimal } from '../../lib/decimal';
import { formatDocumentDate } from '../../lib/format';
import { RefText } from './use-ref-label';

/** One field of an object as text for a list or a read-only spot of a form. */
export function FieldText({ field, value }: { field: FieldDef; value: StoredObject[string] }) {
  const { t, language, label } = useI18n();
  if (value === null || value === undefined || Array.isArray(value)) return null;
  switch (field.type.kind) {
    case 'ref':
      return <RefText type={field.type.to} value={String(value)} />;
    case 'enum':
      return <>{label(field.type.labels?.[String(value)], String(value))}</>;
    case 'decimal':
      return <>{formatDecimal(String(value), language)}</>;
    case 'boolean':
      return <>{value ? t('common.yes') : t('common.no')}</>;
    case 'date':
      return <>{formatDocumentDate(String(value), language)}</>;
    default:
      return <>{String(value)}</>;
  }
}
