import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { keys, useApi, useInfobaseName, useSyncSettings } from '../../api/queries';
import type { JournalEntry } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { useOperationLabel } from '../../components/operation-label';
import { PageHeader } from '../../components/page-header';
import { SessionStatusBadge } from '../../components/status-badge';
import { useI18n } from '../../i18n';
import { formatDateTime, formatDuration } from '../../lib/format';
import { usePeerTitle } from '../sync/settings-list';

const OPERATIONS = ['sync', 'initial-export', 'load', 'dry-run', 'import', 'export'] as const;
const STATUSES = ['ok', 'warnings', 'failed', 'running'] as const;

function objectsMoved(entry: JournalEntry): number {
  return Object.values(entry.counts).reduce(
    (sum, counts) =>
      sum + (counts.sent ?? 0) + (counts.created ?? 0) + (counts.updated ?? 0) + (counts.deleted ?? 0),
    0,
  );
}

/** The journal of synchronization sessions (S22, DESIGN 6.6), filtered by setting, operation and result. */
export function JournalPage() {
  const ib = useInfobaseName();
  const api = useApi();
  const { t, language } = useI18n();
  const operationLabel = useOperationLabel();
  const navigate = useNavigate();
  const peerTitle = usePeerTitle();
  const [params, setParams] = useSearchParams();
  const setting = params.get('setting');
  const operation = params.get('operation');
  const status = params.get('status');
  const settings = useSyncSettings();
  const journal = useQuery({
    queryKey: [...keys.journal(ib), setting ?? 'all'],
    queryFn: () => api.journal({ ...(setting ? { setting } : {}), limit: 200 }),
  });
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const entries = (journal.data ?? []).filter(
    (entry) => (!operation || entry.operation === operation) && (!status || entry.status === status),
  );
  return (
    <Stack>
      <PageHeader title={t('journal.title')} />
      <Group align="flex-end">
        <Select
          label={t('journal.setting')}
          placeholder={t('journal.allSettings')}
          data={(settings.data ?? []).map((value) => ({ value: value.id, label: peerTitle(value) }))}
          value={setting}
          onChange={(value) => set('setting', value)}
          clearable
          w={260}
        />
        <Select
          label={t('journal.operation')}
          placeholder={t('journal.all')}
          data={OPERATIONS.map((value) => ({ value, label: t(`journal.operations.${value}`) }))}
          value={operation}
          onChange={(value) => set('operation', value)}
          clearable
          w={200}
        />
        <Select
          label={t('journal.status')}
          placeholder={t('journal.all')}
          data={STATUSES.map((value) => ({ value, label: t(`journal.statuses.${value}`) }))}
          value={status}
          onChange={(value) => set('status', value)}
          clearable
          w={200}
        />
      </Group>
      <ErrorAlert error={journal.error} />
      {journal.isPending ? (
        <Loading />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table
            striped
            highlightOnHover
            withTableBorder
            aria-label={t('journal.title')}
            data-testid="journal"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('journal.started')}</Table.Th>
                <Table.Th>{t('journal.operation')}</Table.Th>
                <Table.Th>{t('journal.status')}</Table.Th>
                <Table.Th ta="right">{t('journal.objects')}</Table.Th>
                <Table.Th>{t('journal.messagesNo')}</Table.Th>
                <Table.Th>{t('journal.duration')}</Table.Th>
                <Table.Th>{t('journal.user')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <Table.Tr
                  key={entry.id}
                  data-operation={entry.operation}
                  data-status={entry.status}
                  style={{ cursor: 'pointer' }}
                  onClick={() => navigate(`/${ib}/sync/journal/${entry.id}`)}
                >
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/${ib}/sync/journal/${entry.id}`}
                      onClick={(event) => event.stopPropagation()}
                    >
                      {formatDateTime(entry.startedAt, language)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{operationLabel(entry.operation)}</Table.Td>
                  <Table.Td>
                    <SessionStatusBadge status={entry.status} />
                  </Table.Td>
                  <Table.Td ta="right">{objectsMoved(entry)}</Table.Td>
                  <Table.Td>
                    {entry.sentMessageNo ?? '—'} / {entry.receivedMessageNo ?? '—'}
                  </Table.Td>
                  <Table.Td>{formatDuration(entry.durationMs)}</Table.Td>
                  <Table.Td>{entry.user ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {journal.data && entries.length === 0 && <Text c="dimmed">{t('journal.empty')}</Text>}
    </Stack>
  );
}
