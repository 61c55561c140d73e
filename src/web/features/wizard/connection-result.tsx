import { Alert, Text } from '@mantine/core';
import type { ConnectionTest } from '../../api/types';
import { useI18n } from '../../i18n';

const CAUSES = [
  'not_reachable',
  'not_ibsync_publication',
  'incompatible_version',
  'wrong_application',
  'sync_disabled',
  'sync_disabled_here',
  'unknown_user',
  'wrong_password',
  'passwordless_user',
  'account_locked',
  'no_sync_right',
  'prefix_clash',
] as const;
type Cause = (typeof CAUSES)[number];

/** The connection test's answer: the other infobase, or the named cause of the failure (S3, S13). */
export function ConnectionResult({ test }: { test: ConnectionTest }) {
  const { t } = useI18n();
  if (test.ok) {
    return (
      <Alert color="green" role="status" data-testid="connection-ok">
        <Text size="sm">
          {t('wizard.testOk', {
            infobase: test.peer.infobase,
            application: test.peer.applicationName,
            version: test.peer.applicationVersion,
          })}
        </Text>
        <Text size="sm">
          {test.peer.prefix
            ? t('wizard.testOkPrefix', { prefix: test.peer.prefix })
            : t('wizard.testOkNoPrefix')}
        </Text>
      </Alert>
    );
  }
  const known = (CAUSES as readonly string[]).includes(test.cause);
  return (
    <Alert
      color="red"
      role="alert"
      title={known ? t(`wizard.causes.${test.cause as Cause}`) : t('wizard.causes.other')}
      data-testid="connection-failed"
      data-cause={test.cause}
    >
      {test.message}
    </Alert>
  );
}
