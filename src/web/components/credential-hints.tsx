import { Alert, Stack } from '@mantine/core';
import { useI18n } from '../i18n';
import { credentialHints } from '../lib/credential-warnings';

/** Warnings about a login or password as it is typed (S3): spaces at the ends, another keyboard layout. */
export function CredentialHints({ value, field }: { value: string; field: 'login' | 'password' }) {
  const { t } = useI18n();
  const hints = credentialHints(value);
  if (hints.length === 0) return null;
  return (
    <Stack gap={4} mt={4}>
      {hints.map((hint) => (
        <Alert key={hint.kind} color="yellow" p="xs" role="status" data-warning={hint.kind}>
          {t(`users.warnings.${hint.kind}`, {
            field: t(`users.fieldNames.${field}`),
            characters: hint.characters,
          })}
        </Alert>
      ))}
    </Stack>
  );
}
