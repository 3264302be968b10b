#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run (ui/e2e/screenshots/, git-ignored)
# into docs/screenshots/, shrunk to 960 px wide and 256 colours so each stays small.
# Run `npm --prefix ui run e2e` (or scripts/test.sh) first.
set -euo pipefail
cd "$(dirname "$0")/.."
from=ui/e2e/screenshots
to=docs/screenshots
mkdir -p "$to"
for name in tasks-list-en tasks-list-zh create-basic create-params create-check detail-incremental cutover-dialog task-completed task-completed-zh instances standby-failover sandbox instance-form-tls-ssh standby-form-tls standby-form-sentinel standby-service tasks-dark settings-dark; do
  if [ ! -f "$from/$name.png" ]; then
    echo "no $from/$name.png: run the end-to-end test first" >&2
    exit 1
  fi
  convert "$from/$name.png" -resize 960x -colors 256 -strip "PNG8:$to/$name.png"
done
ls -l "$to"
