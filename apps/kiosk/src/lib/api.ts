import type { AppRouter, RouterOutputs } from '@opencme/server/router';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';

/** A client of the server's API; `token` is the kiosk's device token when there is one. */
export function apiClient(token: () => string | null = () => null) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        transformer: superjson,
        // Tap batches are large: never put them in a URL.
        methodOverride: 'POST',
        maxItems: 10,
        headers: () => {
          const value = token();
          return value ? { authorization: `Bearer ${value}` } : {};
        },
      }),
    ],
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** What each procedure answers, as the pages receive it: one type instead of a copy per page. */
export type { RouterOutputs };
