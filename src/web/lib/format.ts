/** Dates and times as a person reads them in the chosen language. */
const locales: Record<string, string> = { en: 'en-GB', ru: 'ru-RU' };

export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locales[language] ?? 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/** A document date as stored (`2026-11-02T10:00:00`, local time of the infobase) shown as a date. */
export function formatDocumentDate(text: string | null | undefined, language: string): string {
  if (!text) return '';
  const [year, month, day] = text.slice(0, 10).split('-');
  if (!year || !month || !day) return text;
  return language === 'ru' ? `${day}.${month}.${year}` : `${day}/${month}/${year}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
