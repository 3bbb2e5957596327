import { Redis } from 'ioredis';

/** Progress of a background job, as published by workers. */
export interface JobProgressEvent {
  readonly type: 'job-progress';
  readonly kind: 'ENCODE' | 'RENDER';
  readonly videoId: string;
  readonly renditionId: string | null;
  readonly stage: string;
  readonly fraction: number;
}

/** A video's row changed (status, representation, tier). */
export interface VideoUpdatedEvent {
  readonly type: 'video-updated';
  readonly videoId: string;
}

/** A rendition's playlist, segments or status changed. */
export interface RenditionUpdatedEvent {
  readonly type: 'rendition-updated';
  readonly renditionId: string;
}

/** A viewer waits for segment `index` of a rendition, so its render job should make that one next. */
export interface SegmentWantedEvent {
  readonly type: 'segment-wanted';
  readonly renditionId: string;
  readonly index: number;
}

export type ArchiveEvent = JobProgressEvent | VideoUpdatedEvent | RenditionUpdatedEvent | SegmentWantedEvent;

/** Where archive events are published and heard: Redis in a deployment, memory in service specs. */
export interface ArchiveEvents {
  publish(event: ArchiveEvent): Promise<void>;
  /** Calls `listener` for every event until the returned function is called. */
  subscribe(listener: (event: ArchiveEvent) => void): Promise<() => void>;
}

const CHANNEL = 'cmvc:events';

/**
 * Archive events over Redis pub/sub, so every API process sees what every worker publishes,
 * whichever machine they run on.
 */
export class EventBus implements ArchiveEvents {
  private subscriber: Redis | null = null;
  private readonly listeners = new Set<(event: ArchiveEvent) => void>();

  constructor(
    private readonly publisher: Redis,
    private readonly redisUrl: string,
  ) {}

  async publish(event: ArchiveEvent): Promise<void> {
    await this.publisher.publish(CHANNEL, JSON.stringify(event));
  }

  /** Calls `listener` for every event until the returned function is called. */
  async subscribe(listener: (event: ArchiveEvent) => void): Promise<() => void> {
    if (!this.subscriber) {
      const subscriber = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      subscriber.on('message', (_channel: string, message: string) => {
        let event: ArchiveEvent;
        try {
          event = JSON.parse(message) as ArchiveEvent;
        } catch {
          return;
        }
        for (const each of this.listeners) each(event);
      });
      await subscriber.subscribe(CHANNEL);
      this.subscriber = subscriber;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
    this.listeners.clear();
  }
}

/**
 * Adapts the bus to an async iterator of matching events, for GraphQL subscriptions. `return()`
 * unsubscribes at once, even while a `next()` is waiting.
 */
export function eventStream<E extends ArchiveEvent>(
  bus: Pick<ArchiveEvents, 'subscribe'>,
  accept: (event: ArchiveEvent) => event is E,
): AsyncIterableIterator<E> {
  const pending: E[] = [];
  const waiting: ((result: IteratorResult<E>) => void)[] = [];
  let done = false;
  const subscribed = bus.subscribe((event) => {
    if (done || !accept(event)) return;
    const waiter = waiting.shift();
    if (waiter) waiter({ value: event, done: false });
    else if (pending.push(event) > 1_000) pending.shift();
  });
  const finish = async (): Promise<IteratorResult<E>> => {
    done = true;
    for (const waiter of waiting.splice(0)) waiter({ value: undefined, done: true });
    (await subscribed)();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      await subscribed;
      if (done) return { value: undefined, done: true };
      const value = pending.shift();
      if (value) return { value, done: false };
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Waits for matching events, keeping those that arrive between waits. */
export interface EventWaiter<E extends ArchiveEvent> {
  /** The next matching event (or the oldest one missed since the last call), or null after `timeoutMs` or when `signal` aborts. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<E | null>;
  close(): Promise<void>;
}

/** Subscribes at once, so an event published right after this resolves is not lost. */
export async function waitForEvents<E extends ArchiveEvent>(events: ArchiveEvents, accept: (event: ArchiveEvent) => event is E): Promise<EventWaiter<E>> {
  const missed: E[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = await events.subscribe((event) => {
    if (!accept(event)) return;
    if (missed.push(event) > 1_000) missed.shift();
    wake?.();
  });
  return {
    async next(timeoutMs, signal) {
      if (missed.length === 0 && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
      return missed.shift() ?? null;
    },
    async close() {
      unsubscribe();
    },
  };
}
