import { Button, Checkbox, Group, Modal, Select, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../../api/queries';
import type { Role, User } from '../../api/types';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorAlert } from '../../components/error-alert';
import { NewPasswordField } from '../../components/new-password-field';
import { useI18n } from '../../i18n';
import { useRoleOptions } from './new-user-form';

/** Change a user's role or password, or delete the user. */
export function EditUserModal({
  user,
  onClose,
  onChanged,
}: {
  user: User;
  onClose: () => void;
  onChanged: (message: string) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const roles = useRoleOptions();
  const [role, setRole] = useState<Role>(user.role);
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [showInList, setShowInList] = useState(user.showInList);
  const change = useMutation({
    mutationFn: () =>
      api.changeUser(user.login, {
        role,
        showInList,
        ...(removePassword ? { password: null } : password ? { password } : {}),
      }),
    onSuccess: () => onChanged(t('users.changed', { login: user.login })),
  });
  const remove = useMutation({
    mutationFn: () => api.removeUser(user.login),
    onSuccess: () => onChanged(t('users.removed', { login: user.login })),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t('users.editUser', { login: user.login })} centered>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Select
            label={t('users.role')}
            data={roles}
            value={role}
            onChange={(value) => value && setRole(value as Role)}
            allowDeselect={false}
          />
          <NewPasswordField
            label={t('users.newPassword')}
            description={t('users.passwordUnchanged')}
            value={password}
            onChange={setPassword}
            disabled={removePassword}
          />
          {user.hasPassword && (
            <Checkbox
              label={t('users.removePassword')}
              checked={removePassword}
              onChange={(event) => setRemovePassword(event.currentTarget.checked)}
            />
          )}
          <Checkbox
            label={t('users.showInList')}
            checked={showInList}
            onChange={(event) => setShowInList(event.currentTarget.checked)}
          />
          <ErrorAlert error={change.error ?? remove.error} />
          <Group justify="space-between">
            <ConfirmButton
              variant="subtle"
              color="red"
              question={t('users.removeConfirm', { login: user.login })}
              onConfirm={() => remove.mutate()}
            >
              {t('common.delete')}
            </ConfirmButton>
            <Group>
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={change.isPending}>
                {t('common.save')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
