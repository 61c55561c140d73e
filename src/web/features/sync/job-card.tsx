import { Button, Stack } from '@mantine/core';
import type { Job, JournalEntry } from '../../api/types';
import { CountsTable } from '../../components/counts-table';
import { JobProgress } from '../../components/job-progress';
import { useJob } from '../../components/use-job';
import { useI18n } from '../../i18n';

function isJournalEntry(result: unknown): result is JournalEntry {
  return typeof result === 'object' && result !== null && 'counts' in result && 'operation' in result;
}

/** A setup step run as a job (initial export, load): its button, progress and the journal's counts. */
export function JobStep({
  start,
  label,
  disabled,
  onFinished,
  testId,
}: {
  start: () => Promise<Job>;
  label: string;
  disabled?: boolean;
  onFinished?: (job: Job) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  const step = useJob(start, onFinished);
  const result = step.job?.state === 'done' && isJournalEntry(step.job.result) ? step.job.result : undefined;
  return (
    <Stack gap="sm">
      <div>
        <Button onClick={step.start} loading={step.running} disabled={disabled} data-testid={testId}>
          {label}
        </Button>
      </div>
      <JobProgress job={step.job} label={label} />
      {result && (
        <CountsTable
          rows={result.counts}
          columns={(['sent', 'created', 'updated', 'unchanged', 'skipped', 'heldBack'] as const).map(
            (key) => ({
              key,
              label: t(`journal.columns.${key}`),
            }),
          )}
        />
      )}
    </Stack>
  );
}
