#!/usr/bin/env bash
# Checks the packages scripts/package.sh built: installs the .deb into a scratch root (dpkg -x, so
# this machine's /usr stays untouched), checks that apt could satisfy its dependencies here, runs
# the packaged CLI, starts the packaged desktop app under Xvfb with a HOME and FERRY_DATA_DIR of its
# own and a private D-Bus session, waits for its window titled "Ferry", takes a screenshot, stops
# it; then lists the .rpm and checks it holds both binaries. Exits non-zero when anything is off.
set -euo pipefail
cd "$(dirname "$0")/.."

deb=$(ls target/release/bundle/deb/*.deb 2>/dev/null | head -1)
rpm=$(ls target/release/bundle/rpm/*.rpm 2>/dev/null | head -1)
if [ -z "$deb" ] || [ -z "$rpm" ]; then
  echo "check: no .deb or .rpm under target/release/bundle; run scripts/package.sh first" >&2
  exit 1
fi
fail() { echo "check: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d)
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== deb: $deb ($(stat -c %s "$deb") bytes)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Tauri adds WebKitGTK and GTK itself; libdbus (the keychain's client) comes from tauri.conf.json.
for d in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  grep -qw -- "$d" <<<"$depends" || fail "the .deb does not depend on $d"
done
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
if apt-get install --simulate -qq "./$deb" >"$tmp/apt.log" 2>&1; then
  echo "apt: the dependencies are satisfiable here"
else
  cat "$tmp/apt.log" >&2
  fail "apt cannot satisfy the .deb's dependencies"
fi
root="$tmp/root"
dpkg -x "$deb" "$root"
for f in usr/bin/ferry usr/bin/ferry-desktop usr/share/applications/Ferry.desktop \
  usr/share/icons/hicolor/128x128/apps/ferry-desktop.png usr/lib/systemd/system/ferry-standby@.service \
  usr/lib/systemd/user/ferry-standby-user@.service; do
  [ -e "$root/$f" ] || fail "the .deb has no /$f"
done
echo "installed into a scratch root: /usr/bin/ferry, /usr/bin/ferry-desktop, desktop entry, icons, systemd units"
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify --man=no "$root/usr/lib/systemd/system/ferry-standby@.service" 2>&1 |
    grep -v "Command /usr/bin/ferry is not executable" || true
fi
"$root/usr/bin/ferry" --version || fail "the packaged CLI does not run"
FERRY_DATA_DIR="$tmp/cli-data" "$root/usr/bin/ferry" tasks list >/dev/null ||
  fail "the packaged CLI cannot open a task store"

echo "== deb: start the packaged app under Xvfb"
mkdir -p "$tmp/home" "$tmp/data"
# One script inside a fresh X server and a private D-Bus session (its keychain calls cannot reach
# the user's), with HOME and the app's data dir in the scratch dir. The session's own chatter (D-Bus
# activations, portals) goes to a log that is shown only when the check fails.
cat >"$tmp/launch.sh" <<'INNER'
set -u
"$ROOT/usr/bin/ferry-desktop" >"$TMP/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if win=$(xdotool search --name '^Ferry$' 2>/dev/null | head -1) && [ -n "$win" ]; then
    sleep 2 # let the page paint before the screenshot
    echo "window: id $win, title \"$(xdotool getwindowname "$win")\", $(xdotool getwindowgeometry "$win" | grep -o 'Geometry: .*')" >"$TMP/window.txt"
    import -window root "$TMP/screenshot.png"
    kill "$pid"
    wait "$pid" 2>/dev/null
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the app exited before showing its window:" >&2
    cat "$TMP/app.log" >&2
    exit 1
  fi
  sleep 0.3
done
echo "no window titled Ferry within 30 s; app log:" >&2
cat "$TMP/app.log" >&2
kill "$pid"
exit 1
INNER
env -u DBUS_SESSION_BUS_ADDRESS -u WAYLAND_DISPLAY HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" \
  XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" FERRY_DATA_DIR="$tmp/data" \
  ROOT="$root" TMP="$tmp" \
  xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- bash "$tmp/launch.sh" >"$tmp/session.log" 2>&1 || {
  cat "$tmp/session.log" >&2
  fail "the packaged desktop app did not show its window"
}
cat "$tmp/window.txt"
[ -f "$tmp/data/ferry.db" ] || fail "the app did not create its task store in FERRY_DATA_DIR"
mkdir -p target/package-check
cp "$tmp/screenshot.png" target/package-check/deb-window.png
echo "the app opened its task store in FERRY_DATA_DIR; screenshot: target/package-check/deb-window.png"

echo "== rpm: $rpm ($(stat -c %s "$rpm") bytes)"
rpm -qp --queryformat 'Name: %{NAME}  Version: %{VERSION}-%{RELEASE}  Arch: %{ARCH}  License: %{LICENSE}\n' "$rpm"
requires=$(rpm -qpR "$rpm" 2>/dev/null | tr '\n' ' ')
echo "Requires: $requires"
for d in 'libwebkit2gtk-4.1.so.0' 'libgtk-3.so.0' 'dbus-libs'; do
  grep -qF -- "$d" <<<"$requires" || fail "the .rpm does not require $d"
done
rpm -qlp "$rpm" 2>/dev/null | tee "$tmp/rpm-files" | grep -E '^/usr/bin/|systemd'
for f in /usr/bin/ferry /usr/bin/ferry-desktop /usr/lib/systemd/system/ferry-standby@.service \
  /usr/lib/systemd/user/ferry-standby-user@.service; do
  grep -qx "$f" "$tmp/rpm-files" || fail "the .rpm has no $f"
done
echo "check: OK"
