#!/usr/bin/env bash
# Sets up what is missing, builds Ferry, and runs it. With no arguments it prints the CLI's help;
# any arguments go to `ferry` (e.g. migrate --source redis://... --target redis://...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --quiet --bin ferry
if [ $# -eq 0 ]; then
  exec target/release/ferry --help
fi
exec target/release/ferry "$@"
