import { Checkbox } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../i18n';
import { CredentialHints } from './credential-hints';
import { PasswordField } from './password-field';

/** A password being set (S3): with a "show password" box, and the warnings about it as it is typed. */
export function NewPasswordField(props: {
  label: string;
  description: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [visible, setVisible] = useState(false);
  return (
    <div>
      <PasswordField
        label={props.label}
        description={props.description}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
        visible={visible}
        onVisibilityChange={setVisible}
        disabled={props.disabled ?? false}
        autoComplete="new-password"
      />
      <Checkbox
        mt="xs"
        label={t('users.showPassword')}
        checked={visible}
        onChange={(event) => setVisible(event.currentTarget.checked)}
      />
      <CredentialHints value={props.value} field="password" />
    </div>
  );
}
