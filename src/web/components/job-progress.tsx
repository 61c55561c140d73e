import { Alert, Group, Progress, Stack, Text } from '@mantine/core';
import type { Job } from '../api/types';
import { useI18n } from '../i18n';
import { formatDuration } from '../lib/format';

type Phase =
  | 'starting'
  | 'connecting'
  | 'receiving'
  | 'sending'
  | 'exporting'
  | 'loading'
  | 'analysing'
  | 'done';
const PHASES: readonly string[] = [
  'starting',
  'connecting',
  'receiving',
  'sending',
  'exporting',
  'loading',
  'analysing',
  'done',
];

function durationOf(job: Job): string {
  if (!job.finishedAt) return '';
  return formatDuration(new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime());
}

/** A job's live progress, then its outcome. */
export function JobProgress({ job, label }: { job: Job | undefined; label: string }) {
  const { t } = useI18n();
  if (!job) return null;
  const phase = PHASES.includes(job.progress.phase)
    ? t(`job.phases.${job.progress.phase as Phase}`)
    : job.progress.phase;
  if (job.state === 'failed') {
    return (
      <Alert color="red" title={label} role="alert" data-job-state="failed">
        {t('job.failed', { message: job.error?.message ?? '' })}
      </Alert>
    );
  }
  if (job.state === 'done') {
    return (
      <Alert color="green" title={label} role="status" data-job-state="done">
        {t('job.done', { duration: durationOf(job) })}
      </Alert>
    );
  }
  const { done, total } = job.progress;
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 100;
  return (
    <Stack gap={4} data-job-state="running" role="status" aria-live="polite">
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="sm" c="dimmed">
          {total > 0 ? t('job.progress', { phase, done, total }) : t('job.progressNoTotal', { phase })}
        </Text>
      </Group>
      <Progress value={percent} animated striped aria-label={label} />
    </Stack>
  );
}
