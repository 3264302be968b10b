/* A fake backend behind the real bindings: only the Tauri IPC is mocked. Handlers get the command's
 * arguments; throwing a `{ kind, message }` makes the command return that error. */
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { act, cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import type { CommandError } from "../bindings";
import { rawText } from "../text";

export type Handler = (args: Record<string, unknown>) => unknown;

export interface Backend {
  /** Every command called, in order, with its arguments. */
  calls: Array<{ cmd: string; args: Record<string, unknown> }>;
  /** The arguments of the calls of `cmd`. */
  argsOf: (cmd: string) => Array<Record<string, unknown>>;
}

export function fakeBackend(handlers: Record<string, Handler>): Backend {
  const calls: Backend["calls"] = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = handlers[cmd];
      if (!handler) throw new Error(`the test has no handler for command ${cmd}`);
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return { calls, argsOf: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) };
}

/** Sends an event to the window, as the shell does. */
export async function sendEvent(name: string, payload: unknown): Promise<void> {
  await act(async () => {
    await emit(name, payload);
  });
}

/** A command error, thrown from a handler. */
export function commandError(kind: CommandError["kind"], message: string): CommandError {
  return { kind, message, text: rawText(message) };
}

/** A promise the test resolves when it wants (to hold a command while it looks at the screen). */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// Unmount first: components unlisten from events through the mocked IPC.
afterEach(() => {
  cleanup();
  clearMocks();
});
