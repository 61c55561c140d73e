import { Anchor, Container, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useI18n } from '../../i18n';

export function NotFound({ text }: { text?: string }) {
  const { t } = useI18n();
  return (
    <Container size="sm" py="xl">
      <Title order={1} size="h2" mb="sm">
        {t('common.notFound')}
      </Title>
      <Text mb="md">{text ?? t('common.notFoundText')}</Text>
      <Anchor component={Link} to="/">
        {t('common.toHostPage')}
      </Anchor>
    </Container>
  );
}
