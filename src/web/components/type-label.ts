import { findTypeDef, useMetadata } from '../api/queries';
import { useI18n } from '../i18n';

/** A type's name as people read it (`customer-invoice` → "Customer invoices"). */
export function useTypeLabel(): (type: string, plural?: boolean) => string {
  const { data } = useMetadata();
  const { label } = useI18n();
  return (type, plural = true) => {
    const def = findTypeDef(data, type);
    return def ? label(plural ? def.pluralLabel : def.label) : type;
  };
}
