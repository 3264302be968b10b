/* The hot-standby screen's data: running pairs, each pair's event timeline kept live from
 * `standbyTimelineEvent`, and which pair is the sandbox's; plus the colours and labels. */
import { useCallback, useEffect, useState } from "react";
import {
  commands,
  events,
  type CommandError,
  type HaEvent,
  type EventKind,
  type MasterHealth,
  type StandbyState,
  type StandbyView_Serialize as StandbyView,
} from "./bindings";
import { asCommandError } from "./command";
import type { MessageKey } from "./i18n";
import type { TagTheme } from "./status";

export type { HaEvent };

export const HEALTH_THEME: Record<MasterHealth, TagTheme> = { up: "success", unreachable: "warning", down: "danger", suspect: "warning" };
export const HEALTH_LABEL: Record<MasterHealth, MessageKey> = {
  up: "health.up",
  unreachable: "health.unreachable",
  down: "health.down",
  suspect: "health.suspect",
};
export const STATE_THEME: Record<StandbyState, TagTheme> = { unfenced: "danger", syncing: "warning", ready: "success" };
export const STATE_LABEL: Record<StandbyState, MessageKey> = {
  unfenced: "standbyState.unfenced",
  syncing: "standbyState.syncing",
  ready: "standbyState.ready",
};
export const KIND_THEME: Record<EventKind, TagTheme> = {
  roles_checked: "default",
  master_unreachable: "warning",
  master_recovered: "success",
  marked_down: "danger",
  promoted: "primary",
  promotion_refused: "danger",
  suspect: "warning",
  route_pushed: "primary",
  first_request_served: "success",
  fenced: "default",
  standby_ready: "success",
  client_disconnected: "warning",
  switchover_started: "primary",
  switchover_done: "success",
  switchover_aborted: "warning",
};

export function kindLabel(kind: EventKind): MessageKey {
  return `haKind.${kind}`;
}

/** How many events a timeline keeps in the window (the console keeps its own bounded history). */
const TIMELINE_LEN = 200;

function sameEvent(a: HaEvent, b: HaEvent): boolean {
  // The detail is a sentence object (code and arguments): equal when its JSON is.
  return a.at_ms === b.at_ms && a.kind === b.kind && a.epoch === b.epoch && JSON.stringify(a.detail) === JSON.stringify(b.detail);
}

export interface Standbys {
  /** `null` while the first load runs. */
  pairs: StandbyView[] | null;
  /** Each pair's events, oldest first. */
  timelines: Record<number, HaEvent[]>;
  /** The sandbox's pair, which can run a failover drill. */
  sandboxPairId: number | null;
  error: CommandError | null;
  load: () => Promise<void>;
}

export function useStandbys(): Standbys {
  const [pairs, setPairs] = useState<StandbyView[] | null>(null);
  const [timelines, setTimelines] = useState<Record<number, HaEvent[]>>({});
  const [sandboxPairId, setSandboxPairId] = useState<number | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  /** The pairs' views only: health, roles and epoch change with each event. */
  const refreshViews = useCallback(async () => {
    try {
      const list = await commands.listStandbys();
      if (list.status === "ok") setPairs(list.data);
      else setError(list.error);
    } catch (e) {
      setError(asCommandError(e));
    }
  }, []);

  const load = useCallback(async () => {
    try {
      const [list, sandbox] = await Promise.all([commands.listStandbys(), commands.sandbox()]);
      if (list.status === "error") return setError(list.error);
      if (sandbox.status === "error") return setError(sandbox.error);
      const histories = await Promise.all(list.data.map((p) => commands.standbyEvents(p.id)));
      const next: Record<number, HaEvent[]> = {};
      list.data.forEach((p, n) => {
        const h = histories[n];
        next[p.id] = h?.status === "ok" ? h.data.slice(-TIMELINE_LEN) : [];
      });
      setTimelines(next);
      setPairs(list.data);
      setSandboxPairId(sandbox.data?.standby.id ?? null);
      setError(null);
    } catch (e) {
      setError(asCommandError(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Live: append each event to its pair's timeline and refresh the views it changes.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    events.standbyTimelineEvent
      .listen(({ payload }) => {
        setTimelines((prev) => {
          const old = prev[payload.standby_id] ?? [];
          if (old.some((e) => sameEvent(e, payload.event))) return prev;
          return { ...prev, [payload.standby_id]: [...old, payload.event].slice(-TIMELINE_LEN) };
        });
        void refreshViews();
      })
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => {});
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [refreshViews]);

  return { pairs, timelines, sandboxPairId, error, load };
}
