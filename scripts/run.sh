#!/usr/bin/env bash
# Sets up what is missing, builds Ferry, and runs it. With no arguments it builds and starts the
# desktop app; any arguments go to the CLI `ferry` (e.g. migrate --source redis://... --target
# redis://..., or --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then
  # The desktop app: the UI, then the standalone shell (a debug build: it shares the tests' build and
  # its dependencies are optimized; see [profile.dev.package."*"]).
  npm --prefix ui run build --silent >/dev/null
  npm --prefix ui exec --silent -- tauri build --debug --no-bundle
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "run: no display (DISPLAY/WAYLAND_DISPLAY unset); the app is at target/debug/ferry-desktop" >&2
    exit 1
  fi
  exec target/debug/ferry-desktop
fi
cargo build --release --quiet --bin ferry
exec target/release/ferry "$@"
