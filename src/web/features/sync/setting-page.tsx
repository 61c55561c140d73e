import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { keys, useApi, useInfobaseName, useMe } from '../../api/queries';
import type { SyncSetting } from '../../api/types';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { useOperationLabel } from '../../components/operation-label';
import { PageHeader } from '../../components/page-header';
import { SessionStatusBadge, SettingStateBadge } from '../../components/status-badge';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { JobStep } from './job-card';
import { RulesCard } from './rules-card';
import { usePeerTitle } from './settings-list';
import { StageTwo } from './stage-two';
import { SyncButton } from './sync-button';

function Details({ setting }: { setting: SyncSetting }) {
  const { t, language } = useI18n();
  const rows: [string, ReactNode][] = [
    [t('setting.peerUrl'), setting.peer.url ?? t('common.none')],
    [t('setting.peerPrefix'), setting.peer.prefix ?? t('common.none')],
    [t('setting.role'), setting.role === 'initiator' ? t('sync.roleInitiator') : t('sync.roleResponder')],
    [t('sync.state'), <SettingStateBadge key="state" state={setting.state} />],
    [t('setting.messages'), `${setting.sentNo} / ${setting.receivedNo}`],
    [
      t('sync.lastSync'),
      setting.lastSyncAt ? (
        <Group gap="xs" key="last">
          {formatDateTime(setting.lastSyncAt, language)}
          {setting.lastSyncStatus && <SessionStatusBadge status={setting.lastSyncStatus} />}
        </Group>
      ) : (
        t('sync.never')
      ),
    ],
  ];
  return (
    <Card withBorder>
      <Table variant="vertical" withRowBorders={false} aria-label={t('sync.settingsTitle')}>
        <Table.Tbody>
          {rows.map(([name, value]) => (
            <Table.Tr key={name}>
              <Table.Th w={220}>{name}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function ScheduleCard({ setting }: { setting: SyncSetting }) {
  const { t, language } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const [minutes, setMinutes] = useState<number | string>(
    setting.scheduleSeconds ? setting.scheduleSeconds / 60 : '',
  );
  const save = useMutation({
    mutationFn: () =>
      api.setSchedule(
        setting.id,
        typeof minutes === 'number' && minutes > 0 ? Math.round(minutes * 60) : null,
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.syncSetting(ib, setting.id), saved);
      notifications.show({ color: 'green', message: t('setting.scheduleSaved') });
    },
  });
  return (
    <Card withBorder component="section" aria-label={t('setting.schedule')}>
      <Stack>
        <Title order={2} size="h4">
          {t('setting.schedule')}
        </Title>
        <Group align="flex-end">
          <NumberInput
            label={t('setting.scheduleEvery')}
            placeholder={t('setting.scheduleOff')}
            value={minutes}
            onChange={setMinutes}
            min={1}
            max={7 * 24 * 60}
            allowDecimal={false}
            w={200}
          />
          <Button variant="light" onClick={() => save.mutate()} loading={save.isPending}>
            {t('setting.scheduleSave')}
          </Button>
        </Group>
        {setting.nextRunAt && (
          <Text size="sm">{t('setting.nextRun', { time: formatDateTime(setting.nextRunAt, language) })}</Text>
        )}
        <ErrorAlert error={save.error} />
      </Stack>
    </Card>
  );
}

function RecentSessions({ settingId }: { settingId: string }) {
  const { t, language } = useI18n();
  const operationLabel = useOperationLabel();
  const ib = useInfobaseName();
  const api = useApi();
  const journal = useQuery({
    queryKey: [...keys.journal(ib), settingId, 'recent'],
    queryFn: () => api.journal({ setting: settingId, limit: 5 }),
  });
  if (!journal.data || journal.data.length === 0) return null;
  return (
    <Card withBorder component="section" aria-label={t('setting.recent')}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('setting.recent')}
          </Title>
          <Anchor component={Link} to={`/${ib}/sync/journal?setting=${settingId}`} size="sm">
            {t('sync.journal')}
          </Anchor>
        </Group>
        {journal.data.map((entry) => (
          <Group key={entry.id} gap="xs">
            <Anchor component={Link} to={`/${ib}/sync/journal/${entry.id}`} size="sm">
              {operationLabel(entry.operation)}
            </Anchor>
            <Text size="sm" c="dimmed">
              {formatDateTime(entry.startedAt, language)}
            </Text>
            <SessionStatusBadge status={entry.status} />
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

/** One synchronization setting: its state, the rest of its setup, Synchronize, rules, schedule, journal. */
export function SettingPage() {
  const { id = '' } = useParams();
  const ib = useInfobaseName();
  const api = useApi();
  const { t } = useI18n();
  const me = useMe(ib).data;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const peerTitle = usePeerTitle();
  const setting = useQuery({ queryKey: keys.syncSetting(ib, id), queryFn: () => api.syncSetting(id) });
  const remove = useMutation({
    mutationFn: () => api.removeSetting(id),
    onSuccess: async () => {
      notifications.show({ message: t('setting.removed') });
      await queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
      await navigate(`/${ib}/sync`);
    },
  });
  if (setting.isPending) return <Loading />;
  if (setting.error) return <ErrorAlert error={setting.error} />;
  const value = setting.data;
  const can = (permission: 'sync.setup' | 'sync.run') => me?.permissions.includes(permission) ?? false;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.syncSetting(ib, id) });
    void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
  };
  const stageTwo = value.role === 'responder' && value.state === 'pending' && can('sync.setup');
  const exportPending = value.role === 'initiator' && !value.setup.initialExportDone && can('sync.setup');
  return (
    <Stack>
      <PageHeader
        title={t('setting.title', { name: peerTitle(value) })}
        actions={
          <Button component={Link} to={`/${ib}/sync`} variant="default">
            {t('sync.title')}
          </Button>
        }
      />
      <Details setting={value} />
      {value.state === 'ready' && value.role === 'responder' && (
        <Alert color="green" data-testid="setup-complete">
          {t('setting.readyNotice', { name: peerTitle(value) })}{' '}
          {t('setting.synchronizeHere', { name: peerTitle(value) })}
        </Alert>
      )}
      {stageTwo && <StageTwo setting={value} />}
      {exportPending && (
        <Card withBorder>
          <Stack>
            <Text>{t('wizard.exportIntro')}</Text>
            <JobStep start={() => api.initialExport(id)} label={t('wizard.runExport')} onFinished={refresh} />
          </Stack>
        </Card>
      )}
      {value.role === 'initiator' && can('sync.run') && (
        <Card withBorder component="section" aria-label={t('sync.synchronize')}>
          <SyncButton settingId={value.id} />
        </Card>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {!stageTwo && <RulesCard setting={value} canSetup={can('sync.setup')} />}
        {value.role === 'initiator' && can('sync.setup') && <ScheduleCard setting={value} />}
      </SimpleGrid>
      <RecentSessions settingId={value.id} />
      {value.role === 'initiator' && can('sync.setup') && (
        <Group>
          <ConfirmButton
            variant="subtle"
            color="red"
            question={t('setting.removeConfirm')}
            onConfirm={() => remove.mutate()}
            loading={remove.isPending}
          >
            {t('setting.remove')}
          </ConfirmButton>
        </Group>
      )}
    </Stack>
  );
}
