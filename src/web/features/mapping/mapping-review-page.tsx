import {
  Alert,
  Button,
  Card,
  Group,
  Pagination,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  type DecisionInput,
  type MappingStatus,
  mappingApi,
  mappingAvailable,
  readDryRun,
} from '../../api/mapping';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import { CountsTable } from '../../components/counts-table';
import { ErrorAlert } from '../../components/error-alert';
import { JobProgress } from '../../components/job-progress';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useJob } from '../../components/use-job';
import { useI18n } from '../../i18n';
import { JobStep } from '../sync/job-card';
import { MappingItemRow } from './mapping-item-row';
import { MappingSummary } from './mapping-summary';

const PAGE_SIZE = 25;
const STATUSES: MappingStatus[] = ['unmatched', 'ambiguous', 'matched', 'all'];

/**
 * Seed S20, "map and load": what the received data matched here, before anything is written; the user
 * links, unlinks or has items created new, tries a dry run, then loads. Kept to this folder and
 * `api/mapping.ts`, so a change of the analysis API stays here.
 */
export function MappingReviewPage() {
  const { id = '' } = useParams();
  const ib = useInfobaseName();
  const api = useApi();
  const { t } = useI18n();
  const navigate = useNavigate();
  const available = useQuery({
    queryKey: ['mapping-available', ib, id],
    queryFn: () => mappingAvailable(ib, id),
    retry: false,
  });
  const back = `/${ib}/sync/${id}`;
  const header = (
    <PageHeader
      title={t('mapping.title')}
      description={t('mapping.intro')}
      actions={
        <Button component={Link} to={back} variant="default">
          {t('mapping.back')}
        </Button>
      }
    />
  );
  if (available.isPending) return <Loading />;
  if (available.error) return <ErrorAlert error={available.error} />;
  if (!available.data) {
    return (
      <Stack>
        {header}
        <Alert color="blue">{t('mapping.unavailable')}</Alert>
        <JobStep
          start={() => api.load(id)}
          label={t('mapping.load')}
          onFinished={(job) => job.state === 'done' && void navigate(back)}
        />
      </Stack>
    );
  }
  return (
    <Stack>
      {header}
      <MappingReview settingId={id} />
    </Stack>
  );
}

function MappingReview({ settingId }: { settingId: string }) {
  const ib = useInfobaseName();
  const api = useApi();
  const mapping = mappingApi(ib, settingId);
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [type, setType] = useState<string | null>(null);
  const [status, setStatus] = useState<MappingStatus>('unmatched');
  const [page, setPage] = useState(1);
  const summary = useQuery({ queryKey: ['mapping', ib, settingId, 'summary'], queryFn: mapping.summary });
  const items = useQuery({
    queryKey: ['mapping', ib, settingId, 'items', type, status, page],
    queryFn: () =>
      mapping.items({ ...(type ? { type } : {}), status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const decide = useMutation({
    mutationFn: (decision: DecisionInput) => mapping.decide(decision),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['mapping', ib, settingId] }),
  });
  const dryRun = useJob(mapping.dryRun);
  const load = useJob(
    () => api.load(settingId),
    async (job) => {
      if (job.state !== 'done') return;
      notifications.show({ color: 'green', message: t('mapping.loaded') });
      await queryClient.invalidateQueries({ queryKey: keys.syncSetting(ib, settingId) });
      await queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
      await queryClient.invalidateQueries({ queryKey: ['objects', ib] });
      await navigate(`/${ib}/sync/${settingId}`);
    },
  );
  const dryRunCounts = dryRun.job?.state === 'done' ? readDryRun(dryRun.job.result) : undefined;
  const pages = Math.max(1, Math.ceil((items.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <ErrorAlert error={summary.error ?? items.error ?? decide.error ?? dryRun.error ?? load.error} />
      {summary.data ? (
        <MappingSummary
          types={summary.data}
          selected={type}
          onSelect={(selected) => {
            setType(selected);
            setPage(1);
          }}
        />
      ) : (
        <Loading />
      )}
      <Card withBorder>
        <Stack>
          <Group justify="space-between">
            <Title order={2} size="h4">
              {t('mapping.incoming')}
            </Title>
            <SegmentedControl
              aria-label={t('mapping.status')}
              value={status}
              onChange={(value) => {
                setStatus(value as MappingStatus);
                setPage(1);
              }}
              data={STATUSES.map((value) => ({ value, label: t(`mapping.statuses.${value}`) }))}
            />
          </Group>
          <Table.ScrollContainer minWidth={880}>
            <Table withTableBorder aria-label={t('mapping.incoming')} data-testid="mapping-items">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('mapping.incoming')}</Table.Th>
                  <Table.Th>{t('journal.status')}</Table.Th>
                  <Table.Th>{t('mapping.match')}</Table.Th>
                  <Table.Th>{t('mapping.candidates')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.data?.items.map((item) => (
                  <MappingItemRow
                    key={`${item.type}:${item.peerRef}`}
                    item={item}
                    onDecide={(decision) => decide.mutate(decision)}
                    busy={decide.isPending}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {items.data?.items.length === 0 && <Text c="dimmed">{t('mapping.noItems')}</Text>}
          {pages > 1 && (
            <Pagination
              total={pages}
              value={page}
              onChange={setPage}
              getItemProps={(n) => ({ 'aria-label': `${t('common.pageOf')} ${n}` })}
            />
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Group>
            <Button variant="light" onClick={dryRun.start} loading={dryRun.running} data-testid="dry-run">
              {t('mapping.dryRun')}
            </Button>
            <Button onClick={load.start} loading={load.running} data-testid="mapping-load">
              {t('mapping.load')}
            </Button>
          </Group>
          <JobProgress job={dryRun.job} label={t('mapping.dryRun')} />
          {dryRunCounts && (
            <Title order={3} size="h5">
              {t('mapping.dryRunTitle')}
            </Title>
          )}
          {dryRunCounts && (
            <CountsTable
              rows={dryRunCounts}
              columns={(['create', 'update', 'link', 'skip', 'conflict'] as const).map((key) => ({
                key,
                label: t(`mapping.dryRunColumns.${key}`),
              }))}
            />
          )}
          <JobProgress job={load.job} label={t('mapping.load')} />
        </Stack>
      </Card>
    </Stack>
  );
}
