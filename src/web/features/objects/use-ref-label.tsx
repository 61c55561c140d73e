import { useQuery } from '@tanstack/react-query';
import { findTypeDef, keys, useApi, useInfobaseName, useMetadata } from '../../api/queries';
import { useI18n } from '../../i18n';
import { presentationOf } from './presentation';

/** The presentation of a referenced object, read once and cached (lists show many of the same). */
export function useRefLabel(type: string, ref: string | null | undefined): string | undefined {
  const ib = useInfobaseName();
  const api = useApi();
  const metadata = useMetadata().data;
  const { language } = useI18n();
  const query = useQuery({
    queryKey: keys.object(ib, type, ref ?? ''),
    queryFn: () => api.get(type, ref ?? ''),
    enabled: Boolean(ref),
    staleTime: 60_000,
  });
  if (!ref) return undefined;
  return query.data ? presentationOf(findTypeDef(metadata, type), query.data, language) : undefined;
}

export function RefText({ type, value }: { type: string; value: string | null | undefined }) {
  const text = useRefLabel(type, value);
  return <>{value ? (text ?? '…') : ''}</>;
}
