import { Alert, Button, Card, Center, Container, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, infobaseApi } from '../../api/client';
import { useInfobaseName, useInfobases } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { LanguageSwitch } from '../../components/language-switch';
import { Loading } from '../../components/loading';
import { PasswordField } from '../../components/password-field';
import { useI18n } from '../../i18n';

/** The login error in the user's words: wrong password, lockout (with its seconds), passwordless remote. */
function useLoginErrorText() {
  const { t } = useI18n();
  return (error: unknown): string | undefined => {
    if (!(error instanceof ApiError)) return undefined;
    const lockedFor = error.details.lockedForSeconds ?? error.details.retryAfterSeconds;
    if (error.code === 'bad_credentials' && typeof lockedFor === 'number') {
      return t('login.errors.lockedNow', { seconds: lockedFor });
    }
    if (error.code === 'bad_credentials') return t('login.errors.bad_credentials');
    if (error.code === 'account_locked')
      return t('login.errors.account_locked', { seconds: lockedFor ?? '' });
    if (error.code === 'passwordless_remote') return t('login.errors.passwordless_remote');
    return undefined;
  };
}

/** Seed S5: once an infobase has users, entering it means choosing a user and typing the password. */
export function LoginPage() {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = infobaseApi(ib);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const next = params.get('next') ?? `/${ib}`;
  const choices = useQuery({ queryKey: ['login-choices', ib], queryFn: api.loginChoices, staleTime: 0 });
  const title = useInfobases().data?.find((entry) => entry.name === ib)?.title ?? ib;
  const [login, setLogin] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const errorText = useLoginErrorText();
  const submit = useMutation({
    mutationFn: () => api.login(login ?? '', password),
    onSuccess: async () => {
      // Whatever was read before the login was read as someone else.
      queryClient.clear();
      await navigate(next.startsWith(`/${ib}`) ? next : `/${ib}`, { replace: true });
    },
  });
  const chosen = choices.data?.users.find((user) => user.login === login);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (login) submit.mutate();
  };
  const reason = params.get('reason');
  const failure = errorText(submit.error);

  return (
    <Container size={440} py="xl">
      <Group justify="flex-end" mb="md">
        <LanguageSwitch />
      </Group>
      <Card withBorder padding="xl">
        <Title order={1} size="h3" mb="md">
          {t('login.title', { name: title })}
        </Title>
        {choices.isPending && <Loading />}
        <ErrorAlert error={choices.error} />
        {choices.data && !choices.data.hasUsers && (
          <Stack>
            <Alert color={choices.data.loopback ? 'blue' : 'yellow'}>
              {choices.data.loopback ? t('login.noUsersLocal') : t('login.noUsersRemote')}
            </Alert>
            {choices.data.loopback && (
              <Center>
                <Button onClick={() => navigate(`/${ib}`, { replace: true })}>{t('login.enter')}</Button>
              </Center>
            )}
          </Stack>
        )}
        {choices.data?.hasUsers && (
          <form onSubmit={onSubmit} noValidate>
            <Stack>
              {reason === 'first-user' && <Alert color="blue">{t('login.nowHasUsers')}</Alert>}
              {reason === 'logout' && <Alert color="gray">{t('login.loggedOut')}</Alert>}
              <Select
                label={t('login.user')}
                placeholder={t('login.chooseUser')}
                data={choices.data.users.map((user) => user.login)}
                value={login}
                onChange={(value) => {
                  setLogin(value);
                  submit.reset();
                }}
                searchable
                required
                autoFocus
              />
              <PasswordField
                label={t('login.password')}
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
                description={chosen && !chosen.hasPassword ? t('login.noPasswordHint') : undefined}
                autoComplete="current-password"
              />
              {submit.error &&
                (failure ? (
                  <Alert color="red" role="alert" data-error={(submit.error as ApiError).code}>
                    {failure}
                  </Alert>
                ) : (
                  <ErrorAlert error={submit.error} />
                ))}
              <Button type="submit" loading={submit.isPending} disabled={!login}>
                {t('login.submit')}
              </Button>
              <Text size="xs" c="dimmed" ta="center">
                ibsync · {ib}
              </Text>
            </Stack>
          </form>
        )}
      </Card>
    </Container>
  );
}
