/**
 * The one push WebSocket (`/api/live`, docs/admin-ui.md). Pages never open their own: they
 * subscribe to the API paths they show, and every snapshot the broker pushes is written into
 * the TanStack Query cache under the same key a GET of that path uses. When the socket drops it
 * comes back with a growing delay and subscribes again; the broker then pushes fresh snapshots,
 * so what a page shows is correct again as soon as the socket is.
 */
import type { QueryClient } from '@tanstack/react-query';

export type LiveState = 'connecting' | 'open' | 'closed';

export const apiKey = (path: string): readonly unknown[] => ['api', path];

interface Push {
  path?: string;
  status?: number;
  data?: unknown;
  error?: string;
  reason?: string;
}

export class LiveSocket {
  private socket: WebSocket | undefined;
  private readonly counts = new Map<string, number>();
  private readonly listeners = new Set<(state: LiveState) => void>();
  private retryDelay = 250;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  state: LiveState = 'closed';
  /** Snapshots received, for the status line; also lets tests see pushes arrive. */
  received = 0;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly url = defaultUrl(),
  ) {}

  /** Follows a path until the returned function is called; subscriptions are counted per path. */
  subscribe(path: string): () => void {
    const count = this.counts.get(path) ?? 0;
    this.counts.set(path, count + 1);
    if (count === 0) this.send({ subscribe: path });
    this.open();
    return () => {
      const left = (this.counts.get(path) ?? 1) - 1;
      if (left > 0) {
        this.counts.set(path, left);
        return;
      }
      this.counts.delete(path);
      this.send({ unsubscribe: path });
    };
  }

  /** Called when a pushed path answers 401: the session ended. */
  onUnauthorized: () => void = () => {};

  /** Opens the socket now, so the status line says Live before any page subscribes. */
  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes the socket and stays closed until start() (logged out: the upgrade would be refused). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.setState('closed');
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(): void {
    if (this.stopped || this.socket !== undefined || this.retryTimer !== undefined) return;
    this.setState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryDelay = 250;
      this.setState('open');
      for (const path of this.counts.keys()) this.send({ subscribe: path });
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = () => {
      // A socket stop() let go of is done with; only the current one comes back.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.setState('closed');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.open();
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 5000);
    };
  }

  private receive(text: string): void {
    let push: Push;
    try {
      push = JSON.parse(text) as Push;
    } catch {
      return;
    }
    if (push.path === undefined || !this.counts.has(push.path)) return;
    this.received++;
    if (push.status === 401) this.onUnauthorized();
    if (push.status !== undefined && push.status >= 200 && push.status < 300) {
      this.queryClient.setQueryData(apiKey(push.path), push.data);
    }
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: LiveState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/live`;
}
