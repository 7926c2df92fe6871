/** Boots the UI: one query cache, one live socket feeding it, the session gate, the router. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/http.js';
import { LiveSocket } from './live/socket.js';
import { LiveContext } from './live/useLive.js';
import { router } from './router.js';
import { SessionGate } from './session/SessionGate.js';
import './styles.css';

const queryClient = new QueryClient({
  // A 4xx (an object that is gone, an endpoint this broker lacks) will not change by asking again.
  defaultOptions: {
    queries: { retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500), refetchOnWindowFocus: false },
  },
});
const live = new LiveSocket(queryClient);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <LiveContext.Provider value={live}>
        <SessionGate live={live}>
          <RouterProvider router={router} />
        </SessionGate>
      </LiveContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
