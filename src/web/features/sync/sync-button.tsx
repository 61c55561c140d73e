import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { Job, SyncResult } from '../../api/types';
import { CountsTable } from '../../components/counts-table';
import { JobProgress } from '../../components/job-progress';
import { useJob } from '../../components/use-job';
import { useI18n } from '../../i18n';

function isSyncResult(result: unknown): result is SyncResult {
  return typeof result === 'object' && result !== null && 'sent' in result && 'received' in result;
}

/** What a Synchronize carried each way, per type. */
export function SyncResultView({ job }: { job: Job }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  if (job.state !== 'done' || !isSyncResult(job.result)) return null;
  const { sent, received, journalId } = job.result;
  const rows: Record<string, Record<string, number>> = {};
  for (const [type, count] of Object.entries(sent)) rows[type] = { ...rows[type], sent: count };
  for (const [type, count] of Object.entries(received)) rows[type] = { ...rows[type], received: count };
  return (
    <Stack gap="xs" data-testid="sync-result">
      {Object.keys(rows).length === 0 ? (
        <Text size="sm">{t('job.nothing')}</Text>
      ) : (
        <CountsTable
          caption={t('job.resultTitle')}
          rows={rows}
          columns={[
            { key: 'sent', label: t('job.sent') },
            { key: 'received', label: t('job.received') },
          ]}
        />
      )}
      <Anchor component={Link} to={`/${ib}/sync/journal/${journalId}`} size="sm">
        {t('job.openJournal')}
      </Anchor>
    </Stack>
  );
}

/** Seed S22: Synchronize, with live progress and the result. */
export function SyncButton({ settingId, disabled }: { settingId: string; disabled?: boolean }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const sync = useJob(
    () => api.run(settingId),
    () => {
      void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
      void queryClient.invalidateQueries({ queryKey: keys.journal(ib) });
      void queryClient.invalidateQueries({ queryKey: ['objects', ib] });
    },
  );
  return (
    <Stack gap="sm">
      <div>
        <Button onClick={sync.start} loading={sync.running} disabled={disabled} data-testid="synchronize">
          {t('sync.synchronize')}
        </Button>
      </div>
      <JobProgress job={sync.job} label={t('sync.synchronize')} />
      {sync.job && <SyncResultView job={sync.job} />}
    </Stack>
  );
}
