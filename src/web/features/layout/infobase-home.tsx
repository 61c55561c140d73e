import { Alert, Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useInfobaseName, useInfobases, useMe, useMetadata } from '../../api/queries';
import { useI18n } from '../../i18n';
import { navSections } from './nav-sections';

/** The start page: the same sections as the menu, so a phone has them without opening it. */
export function InfobaseHome() {
  const ib = useInfobaseName();
  const { t, label } = useI18n();
  const me = useMe(ib).data;
  const metadata = useMetadata().data;
  const entry = useInfobases().data?.find((candidate) => candidate.name === ib);
  const sections = navSections(ib, metadata, me, {
    catalogs: t('nav.catalogs'),
    documents: t('nav.documents'),
    settings: metadata?.application === 'accounting' ? t('nav.settingsAccounting') : t('nav.settingsCrm'),
    users: t('nav.users'),
    sync: t('nav.sync'),
    journal: t('nav.journal'),
    pick: (value) => label(value),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        {entry?.title ?? ib}
      </Title>
      {metadata && <Text c="dimmed">{label(metadata.label)}</Text>}
      {me?.via === 'loopback' && <Alert color="blue">{t('home.noUsersBanner')}</Alert>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {sections.map((section) => (
          <Card key={section.key} withBorder>
            <Title order={2} size="h4" mb="xs">
              {section.title}
            </Title>
            <Stack gap={4}>
              {section.items.map((item) => (
                <Anchor key={item.to} component={Link} to={item.to}>
                  {item.label}
                </Anchor>
              ))}
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
