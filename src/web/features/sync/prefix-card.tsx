import { Button, Card, Group, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { InfobaseSettings } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { useTypeLabel } from '../../components/type-label';
import { useI18n } from '../../i18n';

const PREFIX = /^[\p{L}\p{N}]{2}$/u;

/**
 * Seed S10, S11: the infobase prefix, and what happens to the numbering when it changes: the next numbers
 * under each choice are shown before anything is saved, and continuing is the default.
 */
export function PrefixCard({ settings, canWrite }: { settings: InfobaseSettings; canWrite: boolean }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const typeLabel = useTypeLabel();
  const [prefix, setPrefix] = useState(settings.prefix);
  const [mode, setMode] = useState<'continue' | 'restart'>('continue');
  const normalized = prefix.trim().toUpperCase();
  const [debounced] = useDebouncedValue(normalized, 200);
  const changed = normalized !== settings.prefix;
  const valid = PREFIX.test(normalized);
  const preview = useQuery({
    queryKey: ['prefix-preview', ib, debounced],
    queryFn: () => api.prefixPreview(debounced),
    enabled: changed && PREFIX.test(debounced),
  });
  const save = useMutation({
    mutationFn: () => api.changeSettings({ prefix: normalized, continueNumbering: mode === 'continue' }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(keys.settings(ib), saved);
      setPrefix(saved.prefix);
      notifications.show({ color: 'green', message: t('sync.prefixSaved', { prefix: saved.prefix }) });
      await queryClient.invalidateQueries({ queryKey: ['objects', ib] });
    },
  });
  // The types whose numbering the choice changes; when none has numbers yet, all of them.
  const plans = preview.data ?? [];
  const differing = plans.filter((plan) => plan.restart !== plan.continue);
  const rows = differing.length > 0 ? differing : plans;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (changed && valid) save.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={onSubmit} noValidate>
      <Stack>
        <TextInput
          label={t('sync.prefix')}
          description={t('sync.prefixHint')}
          value={prefix}
          onChange={(event) => setPrefix(event.currentTarget.value)}
          maxLength={2}
          w={{ base: '100%', sm: 360 }}
          readOnly={!canWrite}
          styles={{ input: { textTransform: 'uppercase', fontFamily: 'monospace', width: 80 } }}
          data-testid="prefix-input"
        />
        {changed && valid && (
          <Stack gap="xs">
            <Radio.Group
              label={t('sync.numbering')}
              value={mode}
              onChange={(value) => setMode(value as 'continue' | 'restart')}
            >
              <Stack gap="xs" mt="xs">
                <Radio value="continue" label={t('sync.continue')} description={t('sync.continueHint')} />
                <Radio value="restart" label={t('sync.restart')} />
              </Stack>
            </Radio.Group>
            {rows.length > 0 && (
              <>
                <Title order={3} size="h5">
                  {t('sync.preview')}
                </Title>
                <Table.ScrollContainer minWidth={480}>
                  <Table withTableBorder striped aria-label={t('sync.preview')} data-testid="prefix-preview">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('sync.previewType')}</Table.Th>
                        <Table.Th>{t('sync.previewRestart')}</Table.Th>
                        <Table.Th>{t('sync.previewContinue')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rows.map((plan) => (
                        <Table.Tr key={`${plan.type}:${plan.scope}`} data-type={plan.type}>
                          <Table.Td>{typeLabel(plan.type)}</Table.Td>
                          <Table.Td c={mode === 'restart' ? undefined : 'dimmed'} data-column="restart">
                            {plan.restart}
                          </Table.Td>
                          <Table.Td
                            c={mode === 'continue' ? undefined : 'dimmed'}
                            fw={mode === 'continue' ? 600 : undefined}
                            data-column="continue"
                          >
                            {plan.continue}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </>
            )}
          </Stack>
        )}
        <ErrorAlert error={save.error ?? preview.error} />
        {canWrite && (
          <Group>
            <Button type="submit" disabled={!changed || !valid} loading={save.isPending}>
              {t('sync.prefixSave')}
            </Button>
            {settings.prefix && (
              <Text size="sm" c="dimmed">
                {t('sync.prefix')}: <b data-testid="current-prefix">{settings.prefix}</b>
              </Text>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
