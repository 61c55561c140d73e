import { SegmentedControl } from '@mantine/core';
import { changeLanguage, LANGUAGES, type Language, useI18n } from '../i18n';

export function LanguageSwitch() {
  const { t, language } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('common.language')}
      value={language}
      onChange={(value) => changeLanguage(value as Language)}
      data={LANGUAGES.map((code) => ({ value: code, label: code.toUpperCase() }))}
    />
  );
}
