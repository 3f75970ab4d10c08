#!/usr/bin/env bash
# Rollups benchmark (issue 6): bench/run.sh rollups [--presses 10000000] [--feedback N] [--locations 1000] [--days 365]
#   [--iterations 20] [--raw-iterations N] [--ingest 20000] [--only sqlite|postgres]
# Generates presses and feedback, builds rollups with the product's rebuild, times the owner overview and a location
# drill-down from rollups and from raw events (same process, same run) and rollup maintenance per press, on SQLite and
# PostgreSQL (a throwaway server). Writes bench/results/<date>-rollups.md and the rollups section of bench/results/latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
only=both
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=$2; shift 2 ;;
    --*) pass+=("$1" "$2"); shift 2 ;;
    *) echo "usage: bench/run.sh rollups [--presses N] [--feedback N] [--locations N] [--days N] [--iterations N] [--raw-iterations N] [--ingest N] [--only sqlite|postgres]" >&2; exit 2 ;;
  esac
done
echo "Building (Release) ..."
dotnet build bench/Otklik.Bench.Rollups -c Release -nologo -v q >/dev/null
bench="bench/Otklik.Bench.Rollups/bin/Release/net10.0/otklik-bench-rollups.dll"
work=$(mktemp -d /var/tmp/otklik-rollups.XXXXXX)
pgdir=""; pgbin=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$pgdir" ]; then as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
  rm -rf "$work"
}
trap cleanup EXIT
out="$work/section.md"
mkdir -p bench/results
file="bench/results/$(date -u +%Y-%m-%d-%H%M)-rollups.md"   # written after each database, so a run cut short keeps what it measured
{
  echo "## Rollups (issue 6) — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), shared with other work. Command: \`bench/run.sh rollups ${pass[*]:-}\`."
  echo
} > "$out"
if [ "$only" != sqlite ]; then
  pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  pgdir=$(mktemp -d /var/tmp/otklik-rollups-pg.XXXXXX)
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  [ "$(id -u)" -eq 0 ] && chown postgres "$pgdir"
  as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U otklik -E UTF8 >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c shared_buffers=256MB" start >/dev/null
  dotnet "$bench" --database postgres --postgres "Host=127.0.0.1;Port=$pgport;Username=otklik" --work "$work" --out "$out" "${pass[@]}"
  cp "$out" "$file"
fi
if [ "$only" != postgres ]; then
  dotnet "$bench" --database sqlite --work "$work" --out "$out" "${pass[@]}"
fi
cp "$out" "$file"
# latest.md: replace the rollups section (from its heading to the next "## " heading), or append it.
if [ -f bench/results/latest.md ]; then
  python3 - "$out" <<'PY'
import re, sys
section = open(sys.argv[1]).read().rstrip() + "\n"
path = "bench/results/latest.md"
text = open(path).read()
pattern = re.compile(r"^## Rollups \(issue 6\).*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda m: section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
else
  cp "$out" bench/results/latest.md
fi
echo "Written $file and the rollups section of bench/results/latest.md"
