import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { SyncSetting } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { useI18n } from '../../i18n';
import { RulesForm } from './rules-form';

/** The rules for sending and receiving of one setting (S16, S19), saved on demand. */
export function RulesCard({
  setting,
  canSetup,
  onSaved,
}: {
  setting: SyncSetting;
  canSetup: boolean;
  onSaved?: () => void;
}) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const [rules, setRules] = useState(setting.rules);
  const save = useMutation({
    mutationFn: () => api.setRules(setting.id, rules),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.syncSetting(ib, setting.id), saved);
      void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
      notifications.show({ color: 'green', message: t('setting.rulesSaved') });
      onSaved?.();
    },
  });
  return (
    <Card withBorder component="section" aria-label={t('setting.rules')}>
      <Stack>
        <Title order={2} size="h4">
          {t('setting.rules')}
        </Title>
        {setting.role === 'responder' && (
          <Text size="sm" c="dimmed">
            {t('setting.rulesHint')}
          </Text>
        )}
        <RulesForm value={rules} onChange={setRules} disabled={!canSetup} />
        <ErrorAlert error={save.error} />
        {canSetup && (
          <div>
            <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="save-rules">
              {t('setting.saveRules')}
            </Button>
          </div>
        )}
      </Stack>
    </Card>
  );
}
