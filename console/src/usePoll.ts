import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Loads `load()` now and again every `everyMs` (0: once) and on `reload()`. Keeps the last good data while
 * a refresh fails and reports the error beside it.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs = 0) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void reload();
    if (!everyMs) return;
    const timer = setInterval(() => void reload(), everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs, ...deps]);
  return { data, error, reload, setData };
}
