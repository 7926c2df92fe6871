/** Boots the UI: one query cache, one live socket feeding it, the router. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LiveSocket } from './live/socket.js';
import { LiveContext } from './live/useLive.js';
import { router } from './router.js';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});
const live = new LiveSocket(queryClient);
live.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <LiveContext.Provider value={live}>
        <RouterProvider router={router} />
      </LiveContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
