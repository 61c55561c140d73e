import { Alert, List } from '@mantine/core';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';

/** What went wrong, as the host named it; a role refusal and a dead host in the user's language. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? error.code === 'forbidden'
        ? `${t('errors.forbidden')} (${error.message})`
        : error.message
      : error instanceof TypeError
        ? t('errors.network')
        : String(error instanceof Error ? error.message : error);
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <Alert color="red" title={title ?? t('common.error')} role="alert">
      {message}
      {fields.length > 1 && (
        <List size="sm" mt="xs">
          {fields.map((field) => (
            <List.Item key={`${field.field}:${field.code}`}>
              {field.field}: {field.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
