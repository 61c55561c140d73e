import { Card, Stack, Switch, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { InfobaseSettings } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { useI18n } from '../../i18n';

/** Seed S9: the "Data synchronization" checkbox. */
export function EnableCard({ settings, canWrite }: { settings: InfobaseSettings; canWrite: boolean }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  // The switch follows the click at once; a refusal puts it back.
  const [checked, setChecked] = useState(settings.syncEnabled);
  const toggle = useMutation({
    mutationFn: (syncEnabled: boolean) => api.changeSettings({ syncEnabled }),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.settings(ib), saved);
      notifications.show({ message: saved.syncEnabled ? t('sync.enabled') : t('sync.disabled') });
    },
    onError: () => setChecked(settings.syncEnabled),
  });
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Switch
          size="md"
          label={t('sync.enable')}
          description={t('sync.enableHint')}
          checked={checked}
          onChange={(event) => {
            setChecked(event.currentTarget.checked);
            toggle.mutate(event.currentTarget.checked);
          }}
          disabled={!canWrite || toggle.isPending}
          data-testid="sync-enabled"
        />
        <Text size="sm" c={settings.syncEnabled ? 'green' : 'dimmed'} data-testid="sync-enabled-state">
          {settings.syncEnabled ? t('sync.enabled') : t('sync.disabled')}
        </Text>
        <ErrorAlert error={toggle.error} />
      </Stack>
    </Card>
  );
}
