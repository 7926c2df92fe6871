/**
 * The vhost the pages show (the header's picker): one for the whole UI, `/` until the user picks
 * another, remembered in this browser (localStorage) so a reload or a new tab keeps it.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';

const KEY = 'warren.vhost';
const listeners = new Set<() => void>();

function stored(): string {
  try {
    return localStorage.getItem(KEY) ?? '/';
  } catch {
    // Storage can be refused (privacy settings); the UI then starts at `/` each time.
    return '/';
  }
}

let current = stored();

export function chooseVhost(vhost: string): void {
  if (vhost === current) return;
  current = vhost;
  try {
    localStorage.setItem(KEY, vhost);
  } catch {
    // Not remembered, still chosen.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The chosen vhost; the component renders again when another is picked. */
export function useVhost(): string {
  return useSyncExternalStore(subscribe, () => current);
}

/** Calls `changed` after another vhost is picked (not on the first render): a page resets its paging. */
export function useVhostChange(vhost: string, changed: () => void): void {
  const shown = useRef(vhost);
  useEffect(() => {
    if (shown.current === vhost) return;
    shown.current = vhost;
    changed();
  }, [vhost]);
}
