import { Center, Loader } from '@mantine/core';
import { useI18n } from '../i18n';

export function Loading() {
  const { t } = useI18n();
  return (
    <Center py="xl" aria-busy="true">
      <Loader size="sm" aria-label={t('common.loading')} />
    </Center>
  );
}
