import { MultiSelect, Radio, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { ExportRules } from '../../api/types';
import { useI18n } from '../../i18n';

type Props = { value: ExportRules; onChange: (rules: ExportRules) => void; disabled?: boolean };

/**
 * What this side sends (S16, S19): catalogs all / only those used in documents / none; documents all /
 * from a date / none; optionally only some organizations' data.
 */
export function RulesForm({ value, onChange, disabled }: Props) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const organizations = useQuery({
    queryKey: [...keys.objects(ib, 'organization'), 'all'],
    queryFn: () => api.list('organization', { limit: 200 }),
  });
  const set = (change: Partial<ExportRules>) => onChange({ ...value, ...change });
  return (
    <Stack>
      <Radio.Group
        label={t('wizard.catalogs')}
        value={value.catalogs}
        onChange={(catalogs) => set({ catalogs: catalogs as ExportRules['catalogs'] })}
      >
        <Stack gap="xs" mt="xs">
          <Radio value="used" label={t('wizard.catalogsUsed')} disabled={disabled} />
          <Radio value="all" label={t('wizard.catalogsAll')} disabled={disabled} />
          <Radio value="none" label={t('wizard.catalogsNone')} disabled={disabled} />
        </Stack>
      </Radio.Group>
      <Radio.Group
        label={t('wizard.documents')}
        value={value.documents}
        onChange={(documents) => set({ documents: documents as ExportRules['documents'] })}
      >
        <Stack gap="xs" mt="xs">
          <Radio value="all" label={t('wizard.documentsAll')} disabled={disabled} />
          <Radio value="since" label={t('wizard.documentsSince')} disabled={disabled} />
          <Radio value="none" label={t('wizard.documentsNone')} disabled={disabled} />
        </Stack>
      </Radio.Group>
      {value.documents === 'since' && (
        <TextInput
          type="date"
          label={t('wizard.documentsSinceDate')}
          value={value.documentsSince ?? ''}
          onChange={(event) => set({ documentsSince: event.currentTarget.value || null })}
          w={220}
          required
          disabled={disabled}
        />
      )}
      <MultiSelect
        label={t('wizard.organizations')}
        description={t('wizard.organizationsHint')}
        data={(organizations.data?.items ?? []).map((organization) => ({
          value: organization.ref,
          label: String(organization.name ?? organization.code),
        }))}
        value={value.organizations}
        onChange={(selected) => set({ organizations: selected })}
        clearable
        searchable
        disabled={disabled}
        data-testid="organizations-filter"
      />
    </Stack>
  );
}
