import type { CommandError } from "./bindings";
import { rawText } from "./text";

/** What every generated command resolves to. */
export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

/** A thrown value (a rejected invoke, not a typed error) as a CommandError. */
export function asCommandError(e: unknown): CommandError {
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "app", message, text: rawText(message) };
}

/** Awaits a command, turning a thrown error into a typed one, so callers handle one shape. */
export async function settle<T>(call: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call;
  } catch (e) {
    return { status: "error", error: asCommandError(e) };
  }
}
