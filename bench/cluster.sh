#!/usr/bin/env bash
# bench/run.sh cluster: MQTT ingestion throughput with one Otklik node, then two, on PostgreSQL (fsync on), through
# Mosquitto with shared subscriptions (issue 9). Same machine, so the point is that the spread is correct and what it
# costs, not a speed-up. Knobs: BENCH_CLUSTER_COUNT (presses per phase, default 20000), BENCH_CLUSTER_DEVICES (40).
# Load: one `mosquitto_pub -l -q 1` per device (a real MQTT client, QoS 1); a phase ends when PostgreSQL holds every press.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${BENCH_CLUSTER_COUNT:-20000}
ndev=${BENCH_CLUSTER_DEVICES:-40}
dir=$(mktemp -d /var/tmp/otklik-cluster-bench.XXXXXX); rmdir "$dir"
key=otk_cluster_bench_key_0123456789abcdef
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; deploy/local-cluster.sh stop "$dir" || true; }
trap cleanup EXIT

dotnet build src/Otklik.Web -c Release -nologo -v q >/dev/null
dll=$PWD/src/Otklik.Web/bin/Release/net10.0/Otklik.Web.dll
deploy/local-cluster.sh infra "$dir"
set -a; . "$dir/env"; set +a
pg_port=$(echo "$Otklik__Database__ConnectionString" | sed -E 's/.*Port=([0-9]+).*/\1/')
psql_count() { psql -h 127.0.0.1 -p "$pg_port" -U otklik -d otklik -tAc "SELECT count(*) FROM \"ButtonPresses\" WHERE \"LocationId\" = '$1'"; }

start_node() { # n port
  ( export ASPNETCORE_URLS="http://127.0.0.1:$2" Urls="http://127.0.0.1:$2" Otklik__Mqtt__ClientId="otklik-bench-$1" \
      Otklik__Bootstrap__AdminEmail=bench@cluster.test Otklik__Bootstrap__AdminPassword=Cluster-bench-1 Otklik__Bootstrap__ApiKey=$key \
      Otklik__RateLimit__PerMinute=1000000 Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production
    cd "$(dirname "$dll")" && exec dotnet "$dll" >"$dir/node$1.log" 2>&1 ) &
  pids+=($!)
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$2/health/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "node $1 did not become ready; see $dir/node$1.log" >&2; exit 1
}

phase() { # label → prints presses/s
  local api=http://127.0.0.1:5201 loc devs=() i
  loc=$(curl -fs -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{\"name\":\"Bench $1\"}" $api/api/v1/locations | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 "$ndev"); do
    devs+=("$(curl -fs -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
      -d "{\"name\":\"B$i\",\"kind\":\"ButtonSmart\",\"locationId\":\"$loc\"}" $api/api/v1/devices \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["device"]["id"], d["token"])')")
  done
  local per=$((count / ndev))
  for i in "${!devs[@]}"; do
    python3 -c "import uuid,sys
for _ in range($per): print('{\"id\":\"%s\",\"type\":\"green\"}' % uuid.uuid4())" > "$dir/load-$i.txt"
  done
  local start end pubs=()
  start=$(date +%s.%N)
  for i in "${!devs[@]}"; do
    read -r id token <<<"${devs[$i]}"
    mosquitto_pub -h 127.0.0.1 -p "$Otklik__Mqtt__Port" -V mqttv5 -i "$id" -u "$id" -P "$token" -q 1 \
      -t "otklik/devices/$id/events" -l < "$dir/load-$i.txt" &
    pubs+=($!)
  done
  local total=$((per * ndev))
  while [ "$(psql_count "$loc")" -lt "$total" ]; do sleep 0.2; done
  end=$(date +%s.%N)
  for p in "${pubs[@]}"; do wait "$p" || true; done
  python3 -c "print(f'{$total / ($end - $start):.0f}')"
}

start_node 1 5201
one=$(phase one-node)
start_node 2 5202
two=$(phase two-nodes)
ratio=$(python3 -c "print(f'{$two / $one:.2f}')")
mkdir -p bench/results
out="bench/results/cluster-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "# Cluster ingestion benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs). PostgreSQL with fsync on,"
  echo "Redis, Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') with dynamic security; $count presses per phase"
  echo "from $ndev devices (\`mosquitto_pub -l -q 1\` each), measured until PostgreSQL holds every press."
  echo
  echo "| nodes | presses/s stored |"
  echo "| --- | --- |"
  echo "| 1 | $one |"
  echo "| 2 | $two |"
  echo
  echo "Two nodes ÷ one node: **$ratio** (same machine and cores: the point is a correct spread and its overhead)."
} | tee "$out"
cp "$out" bench/results/cluster-latest.md
