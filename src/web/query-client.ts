import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/client';

/** A refusal (4xx) will not change on a retry; a lost session sends the user to the login screen. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (
          error instanceof ApiError &&
          error.code === 'authentication_required' &&
          query.queryKey[0] !== 'me'
        ) {
          void client.invalidateQueries({ queryKey: ['me'] });
        }
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiError) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
