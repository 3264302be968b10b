#!/usr/bin/env bash
# Sets up what is missing and runs the whole test suite: format, lints, unit and integration tests
# against real redis-server processes; then the desktop app's: bindings staleness, TypeScript
# typecheck, Vitest component tests, and an end-to-end test of the real window. Exits non-zero when
# anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

FERRY_TEST_SERVERS=$(bash scripts/servers.sh)
export FERRY_TEST_SERVERS
echo "== cross-version servers: ${FERRY_TEST_SERVERS:-none}"

echo "== ui: vite build (the desktop shell embeds ui/dist)"
npm --prefix ui run build --silent >/dev/null
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
# Integration tests each start their own servers; two at a time suits a 2-core machine. Passwords go
# to the OS keychain: run the tests in a private D-Bus session with an unlocked GNOME Keyring, under a
# keychain service name of their own.
# A fresh keyring each run (GNOME Keyring keeps its files under XDG_DATA_HOME).
export FERRY_KEYCHAIN_SERVICE=ferry-tests
XDG_DATA_HOME=$(mktemp -d)
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
dbus-run-session -- bash -c '
  echo -n ferry-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --all-targets -- --test-threads=2
' 2> >(grep -v "Failed to set fd limit" >&2)

# The desktop app (cargo at the workspace root selects only the `ferry` package, so the shell gets
# its own lints and tests). Its export_bindings test rewrites ui/src/bindings.ts, which must then
# match the checked-in file.
echo "== desktop: cargo clippy -p ferry-desktop"
cargo clippy -p ferry-desktop --all-targets --quiet -- -D warnings
echo "== desktop: cargo test -p ferry-desktop (exports the bindings)"
if ! out=$(cargo test -p ferry-desktop --quiet 2>&1); then
  echo "$out"
  exit 1
fi
grep -E "^test result" <<<"$out"
echo "== desktop: bindings and message catalog up to date (ui/src/bindings.ts, ui/src/messages.gen.ts)"
if ! git diff --exit-code --stat -- ui/src/bindings.ts ui/src/messages.gen.ts; then
  echo "ui/src/bindings.ts or ui/src/messages.gen.ts is stale: the commands' types or the engine's messages changed. Commit the regenerated files." >&2
  exit 1
fi
echo "== ui: typecheck"
npm --prefix ui run typecheck --silent
echo "== ui: vitest"
npm --prefix ui test --silent
echo "== desktop: tauri build --debug --no-bundle"
npm --prefix ui exec --silent -- tauri build --debug --no-bundle 2> >(grep -v "nodedir" >&2)
echo "== desktop: end-to-end (WebdriverIO + tauri-driver + WebKitWebDriver under Xvfb)"
npm --prefix ui run e2e --silent
