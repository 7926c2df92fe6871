/**
 * The hooks pages read the API through: a query keyed by the API path, filled by one GET and
 * then kept current by the live socket's pushes (no polling).
 */
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import { api } from '../api/http.js';
import { apiKey, type LiveSocket, type LiveState } from './socket.js';

export const LiveContext = createContext<LiveSocket | undefined>(undefined);

function useLiveSocket(): LiveSocket {
  const live = useContext(LiveContext);
  if (live === undefined) throw new Error('LiveContext missing');
  return live;
}

/** GET `path` once, then follow it live; `undefined` skips (a page still choosing what to show). */
export function useLive<T>(path: string | undefined): UseQueryResult<T> {
  const live = useLiveSocket();
  useEffect(() => (path === undefined ? undefined : live.subscribe(path)), [live, path]);
  return useQuery<T>({
    queryKey: apiKey(path ?? ''),
    queryFn: () => api<T>('GET', path!),
    enabled: path !== undefined,
    staleTime: Infinity,
  });
}

/** GET `path` without following it (lists that change only by the user's own actions). */
export function useApi<T>(path: string | undefined): UseQueryResult<T> {
  return useQuery<T>({ queryKey: apiKey(path ?? ''), queryFn: () => api<T>('GET', path!), enabled: path !== undefined });
}

export function useLiveState(): LiveState {
  const live = useLiveSocket();
  return useSyncExternalStore(
    (notify) => live.onState(notify),
    () => live.state,
  );
}
