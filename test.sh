#!/usr/bin/env bash
# Runs Otklik's whole test suite: unit tests, integration tests on SQLite and PostgreSQL, browser tests in Chromium.
# On a fresh Debian machine, as root, it installs what is missing (PostgreSQL, Chromium, socat, Mosquitto and its clients, Redis,
# poppler-utils to render printed cards, DejaVu fonts for the PDFs),
# starts a throwaway PostgreSQL on a free port in a temporary folder, runs every test and cleans up.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter "FullyQualifiedName~Locations").
set -euo pipefail
cd "$(dirname "$0")"

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
command -v socat >/dev/null 2>&1 || packages+=(socat)
command -v mosquitto_pub >/dev/null 2>&1 || packages+=(mosquitto-clients)
# The cluster tests (deploy/local-cluster.sh): Redis and Mosquitto with its dynamic-security plugin.
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
[ -x /usr/sbin/mosquitto ] || packages+=(mosquitto)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing: ${packages[*]}. Install them (apt-get install ${packages[*]}) or run this script as root." >&2
    exit 1
  fi
  echo "Installing ${packages[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# A throwaway PostgreSQL, as the postgres user (it refuses to run as root), on a free loopback port.
pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pgdir=$(mktemp -d /tmp/otklik-pg.XXXXXX)
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 55432)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$pgdir"
as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U otklik -E UTF8 --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export OTKLIK_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=otklik;Database=postgres;Pooling=true"
export OTKLIK_CHROMIUM=/usr/bin/chromium
echo "PostgreSQL on 127.0.0.1:$pgport"

results=$(mktemp -d /tmp/otklik-results.XXXXXX)
status=0
dotnet build Otklik.slnx -c Release -nologo -v q
dotnet test Otklik.slnx -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line over every test project.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout"))
    skipped += int(c.get("notExecuted"))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
