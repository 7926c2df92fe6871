/**
 * Requests in flight: each gets a u32 id and waits for its one reply, `ok` or `error`
 * (spec: "Requests and replies"). Sending the frame is the caller's job; so is deciding what
 * becomes of the requests a lost connection leaves unanswered (detach()).
 */
import type {
  AuthRefreshFrame,
  CancelFrame,
  ConsumeFrame,
  ErrorFrame,
  ExchangeBindFrame,
  ExchangeDeclareFrame,
  ExchangeDeleteFrame,
  OkFrame,
  PolicyDeclareFrame,
  PolicyDeleteFrame,
  PolicyListFrame,
  QueueBindFrame,
  QueueDeclareFrame,
  QueueDeleteFrame,
  QueuePurgeFrame,
  QueueBrowseFrame,
  ScheduledCancelFrame,
  ScheduledListFrame,
  ScheduledRescheduleFrame,
  WarrenError,
} from '@warren/protocol/wire';
import { errorFromWire } from './errors.js';

type RequestFrame =
  | AuthRefreshFrame
  | ExchangeDeclareFrame
  | ExchangeDeleteFrame
  | ExchangeBindFrame
  | QueueDeclareFrame
  | QueueBindFrame
  | QueuePurgeFrame
  | QueueDeleteFrame
  | QueueBrowseFrame
  | ConsumeFrame
  | CancelFrame
  | PolicyDeclareFrame
  | PolicyDeleteFrame
  | PolicyListFrame
  | ScheduledListFrame
  | ScheduledCancelFrame
  | ScheduledRescheduleFrame;

/** Omit over each member of a union, so each request keeps its own fields. */
type WithoutId<F> = F extends unknown ? Omit<F, 'id'> : never;

/** A request frame without its `id`, which open() assigns. */
export type RequestBody = WithoutId<RequestFrame>;

export interface PendingRequest {
  frame: RequestBody;
  resolve(reply: OkFrame): void;
  reject(error: WarrenError): void;
}

const MAX_ID = 0xffffffff;

export class Requests {
  private readonly pending = new Map<number, PendingRequest>();
  private lastId = 0;

  /** Reserves an id for `frame`; the returned promise settles when its reply arrives. */
  open(frame: RequestBody): { id: number; reply: Promise<OkFrame> } {
    let resolve!: PendingRequest['resolve'];
    let reject!: PendingRequest['reject'];
    const reply = new Promise<OkFrame>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    return { id: this.adopt({ frame, resolve, reject }), reply };
  }

  /** Reserves an id for a request that already has its promise (one carried over from a lost connection). */
  adopt(request: PendingRequest): number {
    let id = this.lastId;
    do id = id === MAX_ID ? 1 : id + 1;
    while (this.pending.has(id));
    this.lastId = id;
    this.pending.set(id, request);
    return id;
  }

  /** Settles the request an `ok` or `error` frame answers; false when no request has that id. */
  answer(frame: OkFrame | ErrorFrame): boolean {
    if (frame.id === undefined) return false;
    const request = this.pending.get(frame.id);
    if (request === undefined) return false;
    this.pending.delete(frame.id);
    if (frame.type === 'ok') request.resolve(frame);
    else request.reject(errorFromWire(frame.code, frame.message, { id: frame.id }));
    return true;
  }

  failAll(error: WarrenError): void {
    for (const request of this.detach()) request.reject(error);
  }

  /** Removes every unanswered request, oldest first, leaving its promise to the caller. */
  detach(): PendingRequest[] {
    const requests = [...this.pending.values()];
    this.pending.clear();
    return requests;
  }
}
