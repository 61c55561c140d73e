import { Alert, Group, Stack, TextInput } from '@mantine/core';
import type { FieldDef } from '../../api/types';
import { useI18n } from '../../i18n';
import { formatDecimal } from '../../lib/decimal';

/** Figures the host computes from the rest, computed here as the user types and shown read-only. */
export function ComputedFigures({
  fields,
  values,
  incomplete,
}: {
  fields: FieldDef[];
  values: Record<string, string>;
  incomplete?: boolean;
}) {
  const { t, label, language } = useI18n();
  if (fields.length === 0) return null;
  return (
    <Stack gap="xs" data-testid="totals">
      <Group justify="flex-end" align="flex-end">
        {fields.map((field) => (
          <TextInput
            key={field.name}
            label={label(field.label)}
            description={t('objects.computed')}
            value={formatDecimal(values[field.name] ?? '', language)}
            readOnly
            data-field={field.name}
            styles={{ input: { textAlign: 'right', fontWeight: 600 } }}
            w={180}
          />
        ))}
      </Group>
      {incomplete && (
        <Alert color="yellow" p="xs">
          {t('objects.totalsIncomplete')}
        </Alert>
      )}
    </Stack>
  );
}
