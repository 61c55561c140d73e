import { useI18n } from '../i18n';

const OPERATIONS = ['sync', 'initial-export', 'load', 'dry-run', 'import', 'export'] as const;
type Operation = (typeof OPERATIONS)[number];

/** A journal operation in words; one the UI does not know yet keeps its code. */
export function useOperationLabel(): (operation: string) => string {
  const { t } = useI18n();
  return (operation) =>
    (OPERATIONS as readonly string[]).includes(operation)
      ? t(`journal.operations.${operation as Operation}`)
      : operation;
}
