import { Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useInfobaseName, useMe, useSyncSettings } from '../../api/queries';
import type { SyncSetting } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { SessionStatusBadge, SettingStateBadge } from '../../components/status-badge';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { SyncButton } from './sync-button';

export function usePeerTitle() {
  const { t } = useI18n();
  return (setting: SyncSetting) => {
    const app = ['accounting', 'crm'].includes(setting.peer.application)
      ? t(`apps.${setting.peer.application as 'accounting' | 'crm'}`)
      : setting.peer.application;
    return setting.peer.name ? `${app} (${setting.peer.name})` : app;
  };
}

function SettingCard({ setting }: { setting: SyncSetting }) {
  const { t, language } = useI18n();
  const ib = useInfobaseName();
  const me = useMe(ib).data;
  const peerTitle = usePeerTitle();
  const canRun = me?.permissions.includes('sync.run') ?? false;
  const pendingHere =
    setting.state === 'pending' &&
    ((setting.role === 'responder' && !(setting.setup.loadDone && setting.setup.initialExportDone)) ||
      (setting.role === 'initiator' && !setting.setup.initialExportDone));
  return (
    <Card
      withBorder
      component="article"
      aria-label={peerTitle(setting)}
      data-setting={setting.id}
      data-state={setting.state}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={3} size="h5">
            {peerTitle(setting)}
          </Title>
          <SettingStateBadge state={setting.state} />
        </Group>
        <Text size="sm" c="dimmed">
          {setting.role === 'initiator' ? t('sync.roleInitiator') : t('sync.roleResponder')}
          {setting.peer.prefix ? ` · ${t('setting.peerPrefix')}: ${setting.peer.prefix}` : ''}
        </Text>
        <Group gap="xs">
          <Text size="sm">{t('sync.lastSync')}:</Text>
          {setting.lastSyncAt ? (
            <>
              <Text size="sm" data-testid="last-sync-time">
                {formatDateTime(setting.lastSyncAt, language)}
              </Text>
              {setting.lastSyncStatus && <SessionStatusBadge status={setting.lastSyncStatus} />}
            </>
          ) : (
            <Text size="sm" c="dimmed">
              {t('sync.never')}
            </Text>
          )}
        </Group>
        <Group gap="sm">
          <Button
            component={Link}
            to={`/${ib}/sync/${setting.id}`}
            variant={pendingHere ? 'filled' : 'light'}
            size="sm"
          >
            {pendingHere ? t('sync.continueSetup') : t('sync.openSetting')}
          </Button>
          <Anchor component={Link} to={`/${ib}/sync/journal?setting=${setting.id}`} size="sm">
            {t('sync.journal')}
          </Anchor>
        </Group>
        {setting.role === 'initiator' && setting.state === 'ready' && canRun && (
          <SyncButton settingId={setting.id} />
        )}
      </Stack>
    </Card>
  );
}

/** Seed S12, S18: "Data synchronization settings" with each setting's state and last result. */
export function SettingsList({ canSetup }: { canSetup: boolean }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const settings = useSyncSettings();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('sync.settingsTitle')}
        </Title>
        {canSetup && (
          <Button component={Link} to={`/${ib}/sync/new`}>
            {t('sync.newSync')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={settings.error} />
      {settings.isPending && <Loading />}
      {settings.data?.length === 0 && <Text c="dimmed">{t('sync.noSettings')}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {settings.data?.map((setting) => (
          <SettingCard key={setting.id} setting={setting} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
