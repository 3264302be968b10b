/* The engine's sentences (`Text`: a catalog code and its arguments) in the reader's language.
 * The catalog is generated from the engine (messages.gen.ts), so an event stored months ago renders
 * in whichever language is chosen today. */
import type { Arg, Text } from "./bindings";
import { MESSAGES } from "./messages.gen";

export type TextLang = "zh-CN" | "en";

/** Words that are not the engine's sentences (an OS error, a thrown exception), shown as they are. */
export function rawText(text: string): Text {
  return { code: "raw", args: { text } };
}

/** `text` in `lang`; a code this build does not know shows the code and its arguments, not nothing. */
export function renderText(text: Text, lang: TextLang): string {
  const entry = MESSAGES[text.code];
  const args = text.args ?? {};
  if (!entry) {
    const shown = Object.entries(args).map(([k, v]) => `${k}=${v === undefined ? "" : renderArg(v, lang)}`);
    return [text.code, ...shown].join(" ");
  }
  return entry[lang].replace(/\{(\w+)\}/g, (m, name: string) => {
    const value = args[name];
    return value === undefined ? m : renderArg(value, lang);
  });
}

function renderArg(arg: Arg, lang: TextLang): string {
  if (typeof arg === "string") return arg;
  if (Array.isArray(arg)) return arg.map((t) => renderText(t, lang)).join(lang === "zh-CN" ? "；" : "; ");
  return renderText(arg, lang);
}
