import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { hostApi, infobaseApi } from './client';
import type { Metadata, TypeDef } from './types';

/** The infobase named by the route `/:ib/…`. */
export function useInfobaseName(): string {
  const { ib } = useParams();
  return ib ?? '';
}

export function useApi() {
  return infobaseApi(useInfobaseName());
}

export const keys = {
  infobases: ['infobases'] as const,
  me: (ib: string) => ['me', ib] as const,
  metadata: (ib: string) => ['metadata', ib] as const,
  settings: (ib: string) => ['settings', ib] as const,
  syncSettings: (ib: string) => ['sync-settings', ib] as const,
  syncSetting: (ib: string, id: string) => ['sync-settings', ib, id] as const,
  journal: (ib: string) => ['journal', ib] as const,
  users: (ib: string) => ['users', ib] as const,
  objects: (ib: string, type: string) => ['objects', ib, type] as const,
  object: (ib: string, type: string, ref: string) => ['object', ib, type, ref] as const,
};

export function useInfobases() {
  return useQuery({ queryKey: keys.infobases, queryFn: hostApi.infobases });
}

export function useMe(ib: string) {
  return useQuery({ queryKey: keys.me(ib), queryFn: () => infobaseApi(ib).me() });
}

export function useMetadata() {
  const ib = useInfobaseName();
  return useQuery({
    queryKey: keys.metadata(ib),
    queryFn: () => infobaseApi(ib).metadata(),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function findTypeDef(metadata: Metadata | undefined, name: string): TypeDef | undefined {
  return metadata?.types.find((type) => type.name === name);
}

export function useInfobaseSettings() {
  const ib = useInfobaseName();
  return useQuery({ queryKey: keys.settings(ib), queryFn: () => infobaseApi(ib).settings() });
}

export function useSyncSettings() {
  const ib = useInfobaseName();
  return useQuery({ queryKey: keys.syncSettings(ib), queryFn: () => infobaseApi(ib).syncSettings() });
}
