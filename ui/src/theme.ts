/* Light, dark or the system's theme: TDesign switches its colour tokens on `<html theme-mode="dark">`.
 * The choice is kept in localStorage; "system" follows the OS setting live. */

export type ThemeChoice = "light" | "dark" | "system";

const STORAGE_KEY = "ferry.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

export function savedTheme(): ThemeChoice {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "light" || saved === "dark" || saved === "system") return saved;
  } catch {
    // No storage: the default.
  }
  return "system";
}

function systemIsDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

/** Sets or clears the attribute TDesign's dark tokens hang on. */
export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === "dark" || (choice === "system" && systemIsDark());
  if (dark) document.documentElement.setAttribute("theme-mode", "dark");
  else document.documentElement.removeAttribute("theme-mode");
}

/** Saves the choice and applies it. */
export function setTheme(choice: ThemeChoice): void {
  try {
    localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Not kept across restarts; fine.
  }
  applyTheme(choice);
}

/** Applies the saved choice at start, and again whenever the OS switches while it is "system". */
export function initTheme(): void {
  applyTheme(savedTheme());
  if (typeof window.matchMedia === "function") {
    window.matchMedia(DARK_QUERY).addEventListener("change", () => applyTheme(savedTheme()));
  }
}
