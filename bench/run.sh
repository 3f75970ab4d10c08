#!/usr/bin/env bash
# Otklik benchmarks (issue 3): bench/run.sh [sqlite|postgres|both]   (default: both); bench/run.sh cluster (issue 9)
# Builds Release, installs wrk (and PostgreSQL for the postgres run) when missing and running as root, starts a throwaway
# PostgreSQL (fsync on: acknowledgements must mean durable), runs bench/Otklik.Bench once per database, writes
# bench/results/YYYY-MM-DD-HHMM.md and bench/results/latest.md, and cleans up. Extra settings through the environment:
# BENCH_SECONDS (20 per wrk run), BENCH_MQTT_COUNT (40000), BENCH_LOAD_DEVICES (500). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = rollups ]; then shift; exec bench/rollups.sh "$@"; fi
if [ "${1:-}" = cluster ]; then shift; exec bench/cluster.sh "$@"; fi
which=${1:-both}
case "$which" in sqlite|postgres|both) ;; *) echo "usage: bench/run.sh [sqlite|postgres|both]" >&2; exit 2 ;; esac

packages=()
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
if [ "$which" != sqlite ]; then compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql); fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing ${packages[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  elif [[ " ${packages[*]} " == *" postgresql "* ]]; then
    echo "Missing: ${packages[*]}. Install them or run as root." >&2; exit 1
  else
    echo "wrk is missing and this is not root: the .NET load client is used instead (see the results file)." >&2
  fi
fi

echo "Building (Release) ..."
dotnet build src/Otklik.Web -c Release -nologo -v q >/dev/null
dotnet build bench/Otklik.Bench -c Release -nologo -v q >/dev/null
bench="bench/Otklik.Bench/bin/Release/net10.0/otklik-bench.dll"
web="src/Otklik.Web/bin/Release/net10.0/Otklik.Web.dll"

# Work files (SQLite databases, device lists) on the real disk, not a tmpfs, so fsync costs what it costs.
work=$(mktemp -d /var/tmp/otklik-bench.XXXXXX)
pgdir=""
pgbin=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$pgdir" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

common=(--web-dll "$web" --work "$work" --seconds "${BENCH_SECONDS:-20}" --mqtt-count "${BENCH_MQTT_COUNT:-40000}"
        --load-devices "${BENCH_LOAD_DEVICES:-500}")
runs=()
if [ "$which" != postgres ]; then
  dotnet "$bench" run --database sqlite --out "$work/sqlite.json" "${common[@]}"
  runs+=("$work/sqlite.json")
fi
if [ "$which" != sqlite ]; then
  pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  pgdir=$(mktemp -d /var/tmp/otklik-bench-pg.XXXXXX)
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 55433)
  [ "$(id -u)" -eq 0 ] && chown postgres "$pgdir"
  as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U otklik -E UTF8 >/dev/null
  # Defaults for fsync and synchronous_commit: a commit is on disk before Otklik acknowledges.
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
  echo "PostgreSQL on 127.0.0.1:$pgport"
  dotnet "$bench" run --database postgres --postgres "Host=127.0.0.1;Port=$pgport;Username=otklik" --out "$work/postgres.json" "${common[@]}"
  runs+=("$work/postgres.json")
fi

mkdir -p bench/results
out="bench/results/$(date +%Y-%m-%d-%H%M).md"
dotnet "$bench" report --out "$out" "${runs[@]}"
cp "$out" bench/results/latest.md
echo "Written $out and bench/results/latest.md"
