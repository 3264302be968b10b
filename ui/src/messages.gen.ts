// Generated from the engine's message catalog (src/text/catalog) by the desktop app's bindings test. Do not edit.
export const MESSAGES: Record<string, { en: string; "zh-CN": string }> = {
  "raw": { en: "{text}", "zh-CN": "{text}" },
};
