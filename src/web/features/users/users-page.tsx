import { Anchor, Badge, Button, Stack, Table } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { keys, useApi, useInfobaseName, useMe } from '../../api/queries';
import type { CredentialWarning, User } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useI18n } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { EditUserModal } from './edit-user-modal';
import { NewUserForm } from './new-user-form';

const KNOWN_WARNINGS = ['surrounding_spaces', 'non_latin', 'first_user_admin'];

/** Users and rights (S2–S5). */
export function UsersPage() {
  const ib = useInfobaseName();
  const api = useApi();
  const { t, language } = useI18n();
  const me = useMe(ib).data;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: keys.users(ib), queryFn: api.users });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<User>();
  const canManage = me?.permissions.includes('users.manage') ?? false;

  const onCreated = async (user: User, warnings: CredentialWarning[]) => {
    notifications.show({ color: 'green', message: t('users.created', { login: user.login }) });
    // The form showed these as they were typed; only what it could not know is repeated here.
    for (const warning of warnings.filter((item) => !KNOWN_WARNINGS.includes(item.code))) {
      notifications.show({ color: 'yellow', message: warning.message });
    }
    setAdding(false);
    if (me?.via === 'loopback') {
      // S5: with its first user the infobase asks everyone for a login, this computer too.
      await navigate(`/${ib}/login?reason=first-user`, { replace: true });
      return;
    }
    await queryClient.invalidateQueries({ queryKey: keys.users(ib) });
  };
  const onChanged = async (message: string) => {
    notifications.show({ color: 'green', message });
    setEditing(undefined);
    await queryClient.invalidateQueries({ queryKey: keys.users(ib) });
  };

  return (
    <Stack>
      <PageHeader
        title={t('users.title')}
        description={t('users.intro')}
        actions={canManage && !adding && <Button onClick={() => setAdding(true)}>{t('users.add')}</Button>}
      />
      {adding && (
        <NewUserForm
          firstUser={me?.via === 'loopback' && users.data?.length === 0}
          onCreated={(user, warnings) => void onCreated(user, warnings)}
          onCancel={() => setAdding(false)}
        />
      )}
      <ErrorAlert error={users.error} />
      {users.isPending ? (
        <Loading />
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped withTableBorder aria-label={t('users.title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('users.login')}</Table.Th>
                <Table.Th>{t('users.role')}</Table.Th>
                <Table.Th>{t('users.hasPassword')}</Table.Th>
                <Table.Th>{t('users.showInList')}</Table.Th>
                <Table.Th>{t('users.lastLogin')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data?.map((user) => (
                <Table.Tr key={user.login} data-login={user.login}>
                  <Table.Td>
                    {canManage ? (
                      <Anchor component="button" type="button" onClick={() => setEditing(user)}>
                        {user.login}
                      </Anchor>
                    ) : (
                      user.login
                    )}
                    {user.lockedUntil && new Date(user.lockedUntil) > new Date() && (
                      <Badge ml="xs" color="red" size="xs">
                        {t('users.lockedUntil')} {formatDateTime(user.lockedUntil, language)}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{t(`roles.${user.role}`)}</Table.Td>
                  <Table.Td>{user.hasPassword ? t('common.yes') : t('common.no')}</Table.Td>
                  <Table.Td>{user.showInList ? t('common.yes') : t('common.no')}</Table.Td>
                  <Table.Td>{formatDateTime(user.lastLoginAt, language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <EditUserModal
          user={editing}
          onClose={() => setEditing(undefined)}
          onChanged={(message) => void onChanged(message)}
        />
      )}
    </Stack>
  );
}
