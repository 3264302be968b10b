import { useEffect, useRef } from "react";
import type { UnlistenFn } from "@tauri-apps/api/event";

/** What a tauri-specta event offers to listen with. */
interface Listenable<T> {
  listen: (cb: (event: { payload: T }) => void) => Promise<UnlistenFn>;
}

/**
 * Calls `handler` with each payload of `event` while the component is mounted (and `enabled`); the
 * latest handler is used, so it may close over state without re-subscribing.
 */
export function useEvent<T>(event: Listenable<T>, handler: (payload: T) => void, enabled = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!enabled) return;
    let unlisten: UnlistenFn | undefined;
    let gone = false;
    event
      .listen((e) => latest.current(e.payload))
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => {});
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [event, enabled]);
}
