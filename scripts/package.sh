#!/usr/bin/env bash
# Builds Ferry's Linux installers in release, the .deb and the .rpm, and checks them
# (scripts/check-package.sh: install the .deb into a scratch root, start the app there under Xvfb,
# and list the .rpm). Both packages hold the desktop app `ferry-desktop` and the CLI `ferry`, in
# /usr/bin. Output: target/release/bundle/{deb,rpm}/.
# AppImage, Windows (msi, NSIS) and macOS (dmg) are built by .github/workflows/release.yml: the
# AppImage bundler downloads its tools from GitHub, which this machine cannot reach.
# Usage: bash scripts/package.sh [--no-check]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# What the check needs beyond the build: `rpm` to read the .rpm, `xdotool` to find the window.
need_apt=()
command -v rpm >/dev/null 2>&1 || need_apt+=(rpm)
command -v xdotool >/dev/null 2>&1 || need_apt+=(xdotool)
source scripts/apt.sh
apt_install package "${need_apt[@]}"

start=$(date +%s)
echo "== ui: vite build"
npm --prefix ui run build --silent >/dev/null
echo "== cli: cargo build --release --bin ferry (the packages' /usr/bin/ferry)"
node scripts/sidecar.mjs
echo "== desktop: tauri build --bundles deb,rpm (release)"
# tauri.bundle.conf.json adds the CLI as a sidecar; it is kept out of tauri.conf.json so that
# ordinary cargo builds of the shell do not need a release CLI first.
rm -rf target/release/bundle/deb target/release/bundle/rpm
npm --prefix ui exec --silent -- tauri build --bundles deb,rpm \
  --config src-tauri/tauri.bundle.conf.json 2> >(grep -v "nodedir" >&2)
echo "package: built in $(( $(date +%s) - start )) s"
for f in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm; do
  printf 'package: %s  %s bytes\n' "$f" "$(stat -c %s "$f")"
done

if [ "${1:-}" != "--no-check" ]; then
  bash scripts/check-package.sh
fi
