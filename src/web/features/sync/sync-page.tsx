import { Stack } from '@mantine/core';
import { useInfobaseName, useInfobaseSettings, useMe } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useI18n } from '../../i18n';
import { EnableCard } from './enable-card';
import { PrefixCard } from './prefix-card';
import { SettingsList } from './settings-list';

/** Settings → Data synchronization (S9–S12, S18). */
export function SyncPage() {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const me = useMe(ib).data;
  const settings = useInfobaseSettings();
  const can = (permission: 'settings.write' | 'sync.read' | 'sync.setup') =>
    me?.permissions.includes(permission) ?? false;
  if (settings.isPending) return <Loading />;
  if (settings.error) return <ErrorAlert error={settings.error} />;
  return (
    <Stack>
      <PageHeader title={t('sync.title')} />
      <EnableCard settings={settings.data} canWrite={can('settings.write')} />
      <PrefixCard key={settings.data.prefix} settings={settings.data} canWrite={can('settings.write')} />
      {can('sync.read') && <SettingsList canSetup={can('sync.setup') && settings.data.syncEnabled} />}
    </Stack>
  );
}
