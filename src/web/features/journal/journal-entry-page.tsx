import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApi, useInfobaseName } from '../../api/queries';
import type { JournalEntry } from '../../api/types';
import { CountsTable } from '../../components/counts-table';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { useOperationLabel } from '../../components/operation-label';
import { PageHeader } from '../../components/page-header';
import { SessionStatusBadge } from '../../components/status-badge';
import { useTypeLabel } from '../../components/type-label';
import { useI18n } from '../../i18n';
import { formatDateTime, formatDuration } from '../../lib/format';

const COUNT_COLUMNS = ['sent', 'created', 'updated', 'unchanged', 'deleted', 'skipped', 'heldBack'] as const;

function Items({ entry }: { entry: JournalEntry }) {
  const { t } = useI18n();
  const typeLabel = useTypeLabel();
  const [level, setLevel] = useState<'all' | 'warning' | 'error'>('all');
  // Items have no id of their own; their place in the session names them.
  const items = (entry.items ?? [])
    .map((item, position) => ({ ...item, id: `item-${position}` }))
    .filter((item) => level === 'all' || item.level === level);
  return (
    <Card withBorder component="section" aria-label={t('journal.items')}>
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t('journal.items')}
          </Title>
          <SegmentedControl
            aria-label={t('journal.level')}
            value={level}
            onChange={(value) => setLevel(value as typeof level)}
            data={(['all', 'warning', 'error'] as const).map((value) => ({
              value,
              label: t(`journal.levels.${value}`),
            }))}
          />
        </Group>
        {items.length === 0 ? (
          <Text c="dimmed">{t('journal.noItems')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table withTableBorder striped aria-label={t('journal.items')} data-testid="journal-items">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('journal.level')}</Table.Th>
                  <Table.Th>{t('journal.object')}</Table.Th>
                  <Table.Th>{t('journal.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.id} data-level={item.level}>
                    <Table.Td>
                      <Badge color={item.level === 'error' ? 'red' : 'yellow'} variant="light">
                        {t(`journal.levels.${item.level}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.type ? typeLabel(item.type, false) : ''}</Text>
                      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                        {item.ref ?? ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.message}</Text>
                      <Text size="xs" c="dimmed">
                        {item.code}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

/** One session: when, what, how many objects of each type, and each warning or error with its reason. */
export function JournalEntryPage() {
  const { entryId = '' } = useParams();
  const ib = useInfobaseName();
  const api = useApi();
  const { t, language } = useI18n();
  const operationLabel = useOperationLabel();
  const entry = useQuery({
    queryKey: ['journal-entry', ib, entryId],
    queryFn: () => api.journalEntry(entryId),
  });
  if (entry.isPending) return <Loading />;
  if (entry.error) return <ErrorAlert error={entry.error} />;
  const value = entry.data;
  const facts: [string, ReactNode][] = [
    [t('journal.status'), <SessionStatusBadge key="status" status={value.status} />],
    [t('journal.duration'), formatDuration(value.durationMs)],
    [t('journal.messagesNo'), `${value.sentMessageNo ?? '—'} / ${value.receivedMessageNo ?? '—'}`],
    [t('journal.bytes'), `${value.bytesSent} / ${value.bytesReceived}`],
    [t('journal.user'), value.user ?? ''],
  ];
  return (
    <Stack>
      <PageHeader
        title={t('journal.entryTitle', {
          operation: operationLabel(value.operation),
          time: formatDateTime(value.startedAt, language),
        })}
        actions={
          <Button component={Link} to={`/${ib}/sync/journal`} variant="default">
            {t('journal.back')}
          </Button>
        }
      />
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        {facts.map(([name, fact]) => (
          <Card key={name} withBorder padding="sm">
            <Text size="xs" c="dimmed">
              {name}
            </Text>
            <Text size="sm" component="div">
              {fact}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      {value.error && (
        <Alert color="red" title={t('journal.error')}>
          {value.error.message}
        </Alert>
      )}
      <CountsTable
        caption={t('journal.counts')}
        rows={value.counts}
        columns={COUNT_COLUMNS.map((key) => ({ key, label: t(`journal.columns.${key}`) }))}
      />
      <Items entry={value} />
    </Stack>
  );
}
