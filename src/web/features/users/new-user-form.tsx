import { Button, Card, Checkbox, Group, Select, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../api/queries';
import { type CredentialWarning, ROLES, type Role, type User } from '../../api/types';
import { CredentialHints } from '../../components/credential-hints';
import { ErrorAlert } from '../../components/error-alert';
import { NewPasswordField } from '../../components/new-password-field';
import { useI18n } from '../../i18n';

type Props = {
  firstUser: boolean;
  onCreated: (user: User, warnings: CredentialWarning[]) => void;
  onCancel: () => void;
};

export function useRoleOptions() {
  const { t } = useI18n();
  return ROLES.map((role) => ({ value: role, label: `${t(`roles.${role}`)} — ${t(`roleHints.${role}`)}` }));
}

/** A new user (S2–S4): the login and password as typed, checked for spaces and layout as they are typed (S3). */
export function NewUserForm({ firstUser, onCreated, onCancel }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const roles = useRoleOptions();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('admin');
  const [showInList, setShowInList] = useState(true);
  const create = useMutation({
    mutationFn: () =>
      api.addUser({
        login,
        password: password === '' ? null : password,
        ...(firstUser ? {} : { role }),
        showInList,
      }),
    onSuccess: (answer) => onCreated(answer.user, answer.warnings),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="section" aria-label={t('users.newUser')}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            {t('users.newUser')}
          </Title>
          <div>
            <TextInput
              label={t('users.login')}
              value={login}
              onChange={(event) => setLogin(event.currentTarget.value)}
              required
              autoComplete="off"
              spellCheck={false}
            />
            <CredentialHints value={login} field="login" />
          </div>
          <NewPasswordField
            label={t('users.password')}
            description={t('users.noPassword')}
            value={password}
            onChange={setPassword}
          />
          <Select
            label={t('users.role')}
            data={roles}
            value={firstUser ? 'admin' : role}
            onChange={(value) => value && setRole(value as Role)}
            disabled={firstUser}
            description={firstUser ? t('users.firstUserAdmin') : undefined}
            allowDeselect={false}
          />
          <Checkbox
            label={t('users.showInList')}
            checked={showInList}
            onChange={(event) => setShowInList(event.currentTarget.checked)}
          />
          <ErrorAlert error={create.error} />
          <Group>
            <Button type="submit" loading={create.isPending} disabled={!login}>
              {t('common.create')}
            </Button>
            <Button variant="default" onClick={onCancel}>
              {t('common.cancel')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
