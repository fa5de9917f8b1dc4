#!/usr/bin/env bash
# The whole test suite, as the README and CI run it. Installs what the tests need
# when it is missing (redis-server, chromium, postgresql) with apt-get when run as root; otherwise
# says what to install. Fails when any check or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PostgreSQL for store/postgres: initdb on PATH, in /usr/local/bin or Debian's
# /usr/lib/postgresql/*/bin (internal/pgtest looks in the same places).
if ! command -v initdb >/dev/null 2>&1 && [ ! -x /usr/local/bin/initdb ] &&
  ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]}: install them (Debian: sudo apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
fi

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== go test -race"
go test -race -count=1 -timeout 20m "$@" ./...
