import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Label } from '../api/types';
import { en } from './en';
import { ru } from './ru';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'ibsync.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** The language chosen here before, else the browser's: Russian for any ru-*, English otherwise. */
export function detectLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

export async function setupI18n(): Promise<void> {
  const language = detectLanguage();
  document.documentElement.lang = language;
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ru: { translation: ru } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  i18next.on('languageChanged', (next) => {
    document.documentElement.lang = next;
  });
}

export function changeLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void i18next.changeLanguage(language);
}

export function currentLanguage(language: string): Language {
  return isLanguage(language) ? language : 'en';
}

/** `t` plus the current language and a picker for the API's { en, ru } labels. */
export function useI18n() {
  const { t, i18n } = useTranslation();
  const language = currentLanguage(i18n.language);
  const label = (value: Label | undefined, fallback = ''): string => value?.[language] ?? fallback;
  return { t, language, label };
}
