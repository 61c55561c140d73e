import { Badge } from '@mantine/core';
import type { SyncSetting } from '../api/types';
import { useI18n } from '../i18n';

export function SettingStateBadge({ state }: { state: SyncSetting['state'] }) {
  const { t } = useI18n();
  return (
    <Badge
      color={state === 'ready' ? 'green' : 'yellow'}
      variant="light"
      data-state={state}
      style={{ flexShrink: 0 }}
    >
      {t(`sync.states.${state}`)}
    </Badge>
  );
}

const STATUS_COLORS: Record<string, string> = {
  ok: 'green',
  warnings: 'yellow',
  failed: 'red',
  running: 'blue',
};

export function SessionStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const known = ['ok', 'warnings', 'failed', 'running'].includes(status);
  return (
    <Badge
      color={STATUS_COLORS[status] ?? 'gray'}
      variant="light"
      data-status={status}
      style={{ flexShrink: 0 }}
    >
      {known ? t(`journal.statuses.${status as 'ok' | 'warnings' | 'failed' | 'running'}`) : status}
    </Badge>
  );
}
