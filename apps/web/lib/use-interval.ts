import { useEffect, useRef } from 'react';

/** Calls `callback` every `ms` while `active`, never overlapping calls (the next waits for the previous). */
export function usePolling(callback: () => Promise<void>, ms: number, active: boolean): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        await latest.current();
      } finally {
        if (!cancelled) timer = setTimeout(() => void tick(), ms);
      }
    };
    timer = setTimeout(() => void tick(), ms);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [ms, active]);
}
