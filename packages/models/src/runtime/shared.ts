import { ModelError } from './errors.ts';

interface Entry {
  readonly promise: Promise<unknown>;
  readonly release: (model: unknown) => void | Promise<void>;
  users: number;
}

const registry = new Map<string, Entry>();

/**
 * A model shared by every analyzer in the process: loaded on first use, once, and released
 * when the last holder lets go.
 */
export interface SharedModel<T> {
  get(): Promise<T>;
  release(): Promise<void>;
}

export function sharedModel<T>(
  key: string,
  load: () => Promise<T>,
  release: (model: T) => void | Promise<void>,
): SharedModel<T> {
  // The registry entry this handle counts itself in; a failed load drops the entry, so a retry joins a new one.
  let held: Entry | undefined;
  let released = false;
  return {
    get(): Promise<T> {
      if (released) return Promise.reject(new ModelError('disposed', `${key}: analyzer was disposed`));
      let entry = registry.get(key);
      if (!entry) {
        const created: Entry = {
          promise: load().catch((cause: unknown) => {
            if (registry.get(key) === created) registry.delete(key);
            if (cause instanceof ModelError) throw cause;
            throw new ModelError('model-load-failed', `${key}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
          }),
          release: release as (model: unknown) => void | Promise<void>,
          users: 0,
        };
        registry.set(key, created);
        entry = created;
      }
      if (held !== entry) {
        held = entry;
        entry.users++;
      }
      return entry.promise as Promise<T>;
    },
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const entry = registry.get(key);
      if (!held || entry !== held) return;
      entry.users--;
      if (entry.users > 0) return;
      registry.delete(key);
      const model = await entry.promise.catch(() => undefined);
      if (model !== undefined) await entry.release(model);
    },
  };
}

/** Keys of the models currently loaded or loading; for diagnostics and tests. */
export function loadedModelKeys(): string[] {
  return [...registry.keys()];
}
