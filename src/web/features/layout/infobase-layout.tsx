import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { ApiError, infobaseApi } from '../../api/client';
import { useInfobaseName, useInfobases, useMe, useMetadata } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { LanguageSwitch } from '../../components/language-switch';
import { Loading } from '../../components/loading';
import { useI18n } from '../../i18n';
import { navSections } from './nav-sections';
import { NotFound } from './not-found';

/** Everything inside an infobase: who is logged in, the menu, and the page. */
export function InfobaseLayout() {
  const ib = useInfobaseName();
  const me = useMe(ib);
  const location = useLocation();
  const { t } = useI18n();
  if (me.isPending) return <Loading />;
  if (me.error instanceof ApiError && me.error.code === 'authentication_required') {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/${ib}/login?next=${next}`} replace />;
  }
  if (me.error instanceof ApiError && me.error.code === 'unknown_infobase') {
    return <NotFound text={t('common.unknownInfobase', { name: ib })} />;
  }
  if (me.error) return <ErrorAlert error={me.error} />;
  return <Shell />;
}

function Shell() {
  const ib = useInfobaseName();
  const { t, label } = useI18n();
  const me = useMe(ib).data;
  const metadata = useMetadata().data;
  const entry = useInfobases().data?.find((candidate) => candidate.name === ib);
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sections = navSections(ib, metadata, me, {
    catalogs: t('nav.catalogs'),
    documents: t('nav.documents'),
    settings: metadata?.application === 'accounting' ? t('nav.settingsAccounting') : t('nav.settingsCrm'),
    users: t('nav.users'),
    sync: t('nav.sync'),
    journal: t('nav.journal'),
    pick: (value) => label(value),
  });
  const logout = async () => {
    await infobaseApi(ib).logout();
    await navigate(`/${ib}/login?reason=logout`, { replace: true });
    queryClient.clear();
  };
  const active = (to: string) => location.pathname === to || location.pathname.startsWith(`${to}/`);
  const exact = (to: string) =>
    active(to) &&
    !sections.some((section) =>
      section.items.some((item) => item.to !== to && item.to.startsWith(to) && active(item.to)),
    );

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('common.menu')}
            />
            <Text
              component={Link}
              to={`/${ib}`}
              fw={700}
              truncate
              onClick={close}
              data-testid="infobase-title"
            >
              {entry?.title ?? ib}
            </Text>
            <Text c="dimmed" size="sm" visibleFrom="md" truncate>
              {metadata ? label(metadata.label) : ''}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitch />
            {me?.via !== 'loopback' && (
              <Button variant="subtle" size="xs" onClick={logout}>
                {t('common.logout')}
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('common.menu')}>
        <AppShell.Section grow component={ScrollArea}>
          <NavLink
            component={Link}
            to={`/${ib}`}
            label={t('nav.home')}
            active={location.pathname === `/${ib}`}
            onClick={close}
          />
          {sections.map((section) => (
            <Stack key={section.key} gap={0} mt="sm" data-section={section.key}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
                {section.title}
              </Text>
              {section.items.map((item) => (
                <NavLink
                  key={item.to}
                  component={Link}
                  to={item.to}
                  label={item.label}
                  active={exact(item.to)}
                  onClick={close}
                />
              ))}
            </Stack>
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" py="xs">
            {me?.login
              ? t('nav.signedInAs', { login: me.login, role: me ? t(`roles.${me.role}`) : '' })
              : t('nav.localAdmin')}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
