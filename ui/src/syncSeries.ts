/* The detail page's chart data: one point per progress snapshot or live progress event. */
import type { Progress } from "./bindings";
import { totalKeys } from "./format";

export interface SyncPoint {
  at: number;
  sourceKeys: number;
  targetKeys: number;
  sourceOffset: number;
  appliedOffset: number;
  lag: number;
}

/** The most points kept on a chart (about 10 minutes at one a second). */
export const MAX_POINTS = 600;

export function toPoint(at: number, p: Progress): SyncPoint {
  return {
    at,
    sourceKeys: totalKeys(p.source_keys),
    targetKeys: totalKeys(p.target_keys),
    sourceOffset: p.source_offset,
    appliedOffset: p.applied_offset,
    lag: p.lag_bytes,
  };
}

/** `points` with `point` appended, the oldest dropped past [`MAX_POINTS`]. */
export function appendPoint(points: SyncPoint[], point: SyncPoint): SyncPoint[] {
  const next = [...points, point];
  return next.length > MAX_POINTS ? next.slice(next.length - MAX_POINTS) : next;
}
