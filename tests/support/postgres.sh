#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests, started by tests/api/helpers.rs when TEST_POSTGRES_URL
# is unset and nothing answers on the default address: installs Debian's server package when
# its binaries are missing (as tests/browser/setup.sh installs Chromium), makes a cluster in a
# temporary directory, starts it on 127.0.0.1:<port>, prints its URL on one line, then stays
# as a watchdog: when the test process (<parent pid>) exits, the server stops and its
# directory is removed.
#
#   tests/support/postgres.sh <parent pid> <port>
set -euo pipefail
parent=$1
port=$2
export DEBIAN_FRONTEND=noninteractive
sudo_if() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! bin=$(bindir); then
  exec 9>/tmp/ticketlens-postgres-setup.lock
  flock 9
  if ! bin=$(bindir); then
    echo "installing Debian's postgresql package for the tests" >&2
    sudo_if apt-get update -qq >&2
    # the package's own cluster is not wanted: policy-rc.d keeps it from starting
    sudo_if apt-get install -y -qq --no-install-recommends postgresql >&2
    bin=$(bindir)
  fi
  flock -u 9
fi

# PostgreSQL refuses to run as root: the server runs as the package's `postgres` user then.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/ticketlens-pg.XXXXXX)
chmod 0700 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
cleanup() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

echo "postgres://postgres@127.0.0.1:$port/postgres"
# stdout closes so the reader sees the end of the line; the watchdog goes on
exec 1>/dev/null
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
