import { Alert, Button, Checkbox, Group, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { CredentialHints } from '../../components/credential-hints';
import { ErrorAlert } from '../../components/error-alert';
import { PasswordField } from '../../components/password-field';
import { useI18n } from '../../i18n';
import { ConnectionResult } from './connection-result';
import { currentTest, type WizardState } from './wizard-state';

type StepProps = { state: WizardState; update: (change: Partial<WizardState>) => void };

const APPLICATIONS = ['accounting', 'crm'] as const;

/** S12, S13: which application, and how to reach it. */
export function ApplicationStep({ state, update }: StepProps) {
  const { t } = useI18n();
  return (
    <Stack>
      <Radio.Group
        label={t('wizard.chooseApplication')}
        value={state.application}
        onChange={(application) => update({ application })}
      >
        <Stack gap="xs" mt="xs">
          {APPLICATIONS.map((application) => (
            <Radio key={application} value={application} label={t(`apps.${application}`)} />
          ))}
        </Stack>
      </Radio.Group>
      <Radio.Group label={t('wizard.connectionKind')} value="internet">
        <Stack gap="xs" mt="xs">
          <Radio value="internet" label={t('wizard.overInternet')} />
        </Stack>
      </Radio.Group>
    </Stack>
  );
}

/** S13: the publication address and the pass-through user, with a test that names what is wrong. */
export function ConnectionStep({
  state,
  update,
  onTest,
  testing,
  error,
}: StepProps & { onTest: () => void; testing: boolean; error: unknown }) {
  const { t } = useI18n();
  const [showPassword, setShowPassword] = useState(false);
  const test = currentTest(state);
  return (
    <Stack>
      <TextInput
        label={t('wizard.peerUrl')}
        description={t('wizard.peerUrlHint')}
        value={state.url}
        onChange={(event) => update({ url: event.currentTarget.value })}
        required
        type="url"
        spellCheck={false}
        data-testid="peer-url"
      />
      <div>
        <TextInput
          label={t('wizard.peerLogin')}
          value={state.login}
          onChange={(event) => update({ login: event.currentTarget.value })}
          required
          autoComplete="off"
          spellCheck={false}
          data-testid="peer-login"
        />
        <CredentialHints value={state.login} field="login" />
      </div>
      <div>
        <PasswordField
          label={t('wizard.peerPassword')}
          value={state.password}
          onChange={(event) => update({ password: event.currentTarget.value })}
          visible={showPassword}
          onVisibilityChange={setShowPassword}
          required
          autoComplete="off"
          data-testid="peer-password"
        />
        <Checkbox
          mt="xs"
          label={t('wizard.showPassword')}
          checked={showPassword}
          onChange={(event) => setShowPassword(event.currentTarget.checked)}
        />
        <CredentialHints value={state.password} field="password" />
      </div>
      <Group>
        <Button
          variant="light"
          onClick={onTest}
          loading={testing}
          disabled={!state.url || !state.login}
          data-testid="test-connection"
        >
          {t('wizard.test')}
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {test && <ConnectionResult test={test} />}
      {test && test.warnings.length > 0 && (
        <Alert color="yellow">{test.warnings.map((warning) => warning.message).join(' ')}</Alert>
      )}
    </Stack>
  );
}

/** S15: the other infobase's prefix, set from here when it has none. */
export function PrefixStep({
  state,
  update,
  ownPrefix,
  error,
}: StepProps & { ownPrefix: string; error: unknown }) {
  const { t } = useI18n();
  const test = currentTest(state);
  const peerPrefix = test?.ok ? test.peer.prefix : '';
  return (
    <Stack>
      <Text size="sm">{t('wizard.ownPrefix', { prefix: ownPrefix })}</Text>
      {peerPrefix ? (
        <Alert color="blue" data-testid="peer-prefix-set">
          {t('wizard.peerPrefixSet', { prefix: peerPrefix })}
        </Alert>
      ) : (
        <TextInput
          label={t('wizard.peerPrefix')}
          description={t('wizard.peerPrefixHint')}
          value={state.peerPrefix}
          onChange={(event) => update({ peerPrefix: event.currentTarget.value.toUpperCase() })}
          maxLength={2}
          required
          w={{ base: '100%', sm: 360 }}
          styles={{ input: { fontFamily: 'monospace', width: 80 } }}
          data-testid="peer-prefix"
        />
      )}
      {state.setting && (
        <Alert color="green" data-testid="stage-one-done">
          {t('wizard.created')}
        </Alert>
      )}
      <ErrorAlert error={error} />
    </Stack>
  );
}
