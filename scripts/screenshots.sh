#!/usr/bin/env bash
# Copies the README's screenshots from the last end-to-end run (ui/e2e/screenshots/, git-ignored)
# into docs/screenshots/, shrunk to 960 px wide and 256 colours so each stays small.
# Run `npm --prefix ui run e2e` (or scripts/test.sh) first.
set -euo pipefail
cd "$(dirname "$0")/.."
from=ui/e2e/screenshots
to=docs/screenshots
mkdir -p "$to"
# A name, or source:name for a shot of the tour (every screen at two sizes, two themes, two
# languages), kept at its own size when it is narrower than 960 px.
for entry in tasks-list-en tasks-list-zh create-basic create-params create-params-zh create-check create-check-zh \
  new-task-filters first-launch-zh detail-incremental cutover-dialog task-completed task-completed-zh instances \
  standby-failover sandbox instance-form-tls-ssh standby-form-tls standby-form-sentinel standby-service tasks-dark \
  settings-dark tour/1024x640-light-en-tasks:narrow-tasks-en tour/1024x640-light-zh-tasks:narrow-tasks-zh \
  tour/1024x640-dark-zh-standby:narrow-standby-zh-dark tour/1024x640-dark-en-standby:narrow-standby-en-dark \
  tour/1920x1080-light-zh-new-task:wide-new-task-zh tour/1920x1080-light-en-new-task:wide-new-task-en; do
  src=${entry%%:*}
  name=${entry##*:}
  if [ ! -f "$from/$src.png" ]; then
    echo "no $from/$src.png: run the end-to-end test first" >&2
    exit 1
  fi
  convert "$from/$src.png" -resize '960x>' -colors 256 -strip "PNG8:$to/$name.png"
done
ls -l "$to"
