import {
  ActionIcon,
  Anchor,
  AppShell,
  Button,
  Card,
  Code,
  Container,
  CopyButton,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { Link } from 'react-router';
import { useInfobases } from '../../api/queries';
import type { InfobaseEntry } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { CheckIcon, CopyIcon } from '../../components/icons';
import { LanguageSwitch } from '../../components/language-switch';
import { Loading } from '../../components/loading';
import { useI18n } from '../../i18n';

function CopyUrl({ entry }: { entry: InfobaseEntry }) {
  const { t } = useI18n();
  return (
    <CopyButton value={entry.publicationUrl} timeout={3000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? t('common.copied') : t('common.copy')} withArrow>
          <ActionIcon
            variant={copied ? 'filled' : 'light'}
            color={copied ? 'teal' : 'blue'}
            onClick={copy}
            aria-label={t('host.copyUrl', { name: entry.title })}
            data-copied={copied}
          >
            {copied ? <CheckIcon /> : <CopyIcon />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

function InfobaseCard({ entry }: { entry: InfobaseEntry }) {
  const { t, label } = useI18n();
  return (
    <Card withBorder padding="lg" component="article" aria-label={entry.title} data-infobase={entry.name}>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {entry.title}
        </Title>
        <Text size="sm">
          <Text span c="dimmed">
            {t('host.application')}:{' '}
          </Text>
          <span data-field="application">{label(entry.applicationLabel, entry.application)}</span>
        </Text>
        <Stack gap={2}>
          <Text size="sm" c="dimmed">
            {t('host.publicationUrl')}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code data-field="publication-url" style={{ overflowWrap: 'anywhere' }}>
              {entry.publicationUrl}
            </Code>
            <CopyUrl entry={entry} />
          </Group>
        </Stack>
        <Group>
          <Button component={Link} to={`/${entry.name}`}>
            {t('host.openInfobase')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** The host's list of infobases, the seed's "Databases" section (S13): where the publication URL comes from. */
export function HostPage() {
  const { t } = useI18n();
  const infobases = useInfobases();
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>{t('common.appName')}</Text>
          <LanguageSwitch />
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Container size="lg">
          <Title order={1} mb="xs">
            {t('host.title')}
          </Title>
          <Text c="dimmed" mb="lg">
            {t('host.intro')}
          </Text>
          {infobases.isPending && <Loading />}
          <ErrorAlert error={infobases.error} />
          {infobases.data?.length === 0 && <Text>{t('host.empty')}</Text>}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
            {infobases.data?.map((entry) => (
              <InfobaseCard key={entry.name} entry={entry} />
            ))}
          </SimpleGrid>
          <Anchor href="/api/docs" size="sm" mt="xl" display="inline-block">
            {t('common.apiDocs')}
          </Anchor>
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
