#!/usr/bin/env bash
# Otklik as a two-node cluster on one machine, on loopback only, for trying it out and for the cluster tests:
# PostgreSQL, Redis and Mosquitto (with its dynamic-security plugin) from Debian packages, and two Otklik nodes.
#
#   deploy/local-cluster.sh start [DIR]   # everything; prints the addresses; state in DIR (default /tmp/otklik-cluster)
#   deploy/local-cluster.sh infra [DIR]   # only PostgreSQL, Redis, Mosquitto (the tests start the nodes themselves)
#   deploy/local-cluster.sh stop  [DIR]   # stops what DIR's pid files name and removes DIR
#
# DIR/env holds the settings every node needs (Otklik__… variables, values in single quotes where needed),
# one per line, for `set -a; . DIR/env`.
# Knobs: OTKLIK_NODE_PORTS (default "5101 5102"), OTKLIK_DLL (default: builds src/Otklik.Web in Release).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-start}
dir=${2:-/tmp/otklik-cluster}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"; }
dynsec_so() { ls /usr/lib/*/mosquitto_dynamic_security.so 2>/dev/null | head -n 1; }

install_missing() {
  local packages=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; } || packages+=(mosquitto)
  command -v mosquitto_pub >/dev/null 2>&1 || packages+=(mosquitto-clients)
  [ ${#packages[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then echo "Missing: ${packages[*]} (apt-get install them, or run as root)" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

wait_port() { # host port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do (echo > "/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "Nothing listens on $1:$2" >&2; return 1
}

start_infra() {
  install_missing
  if [ -e "$dir/env" ]; then echo "$dir is in use; run: $0 stop $dir" >&2; exit 1; fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chmod 755 "$dir"
  local pgport redisport mqttport
  pgport=$(free_port); redisport=$(free_port); mqttport=$(free_port)

  # PostgreSQL as the postgres user (it refuses root), fsync on.
  mkdir -p "$dir/pg"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pg"
  as_pg "$(pgbin)/initdb" -D "$dir/pg/data" -A trust -U otklik -E UTF8 >/dev/null
  as_pg "$(pgbin)/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
    -o "-p $pgport -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  echo "$(pgbin)/pg_ctl -D $dir/pg/data" > "$dir/pg.ctl"
  as_pg "$(pgbin)/../bin/psql" -h 127.0.0.1 -p "$pgport" -U otklik -d postgres -qc 'CREATE DATABASE otklik' >/dev/null

  # Redis: pub/sub and the SignalR backplane only, nothing persisted.
  redis-server --port "$redisport" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_port 127.0.0.1 "$redisport" 10

  # Mosquitto with dynamic security: an admin (Otklik writes device accounts with it) and Otklik's own account.
  local admin_pw otklik_pw
  admin_pw=$(head -c 18 /dev/urandom | base64 | tr -d '+/='); otklik_pw=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')
  mkdir -p "$dir/mosquitto"
  mosquitto_ctrl dynsec init "$dir/mosquitto/dynsec.json" admin "$admin_pw" >/dev/null
  cat > "$dir/mosquitto/mosquitto.conf" <<CONF
per_listener_settings false
listener $mqttport 127.0.0.1
allow_anonymous false
plugin $(dynsec_so)
plugin_opt_config_file $dir/mosquitto/dynsec.json
persistence true
persistence_location $dir/mosquitto/
autosave_interval 1
# Keep every QoS 1 message queued for an offline node's session (the default drops past 1000).
max_queued_messages 0
max_inflight_messages 0
log_dest file $dir/mosquitto/log
pid_file $dir/mosquitto.pid
CONF
  [ "$(id -u)" -eq 0 ] && chown -R mosquitto "$dir/mosquitto" && echo "user mosquitto" >> "$dir/mosquitto/mosquitto.conf"
  [ "$(id -u)" -eq 0 ] && touch "$dir/mosquitto.pid" && chown mosquitto "$dir/mosquitto.pid"
  /usr/sbin/mosquitto -c "$dir/mosquitto/mosquitto.conf" -d
  wait_port 127.0.0.1 "$mqttport" 10
  ctl() { mosquitto_ctrl -h 127.0.0.1 -p "$mqttport" -u admin -P "$admin_pw" dynsec "$@" >/dev/null 2>&1; }
  ctl createRole otklik-node
  ctl addRoleACL otklik-node subscribePattern 'otklik/devices/+/events' allow
  ctl addRoleACL otklik-node subscribePattern '$share/otklik/otklik/devices/+/events' allow
  ctl addRoleACL otklik-node subscribePattern 'otklik/devices/+/status' allow
  ctl addRoleACL otklik-node subscribePattern '$share/otklik/otklik/devices/+/status' allow
  ctl addRoleACL otklik-node publishClientSend 'otklik/devices/+/config' allow
  ctl addRoleACL otklik-node publishClientReceive 'otklik/devices/#' allow
  ctl createClient otklik -p "$otklik_pw"
  ctl addClientRole otklik otklik-node

  cat > "$dir/env" <<ENV
Otklik__Database__Provider=Postgres
Otklik__Database__ConnectionString='Host=127.0.0.1;Port=$pgport;Username=otklik;Database=otklik;Maximum Pool Size=60'
Otklik__Redis__ConnectionString=127.0.0.1:$redisport
Otklik__Mqtt__Mode=External
Otklik__Mqtt__Host=127.0.0.1
Otklik__Mqtt__Port=$mqttport
Otklik__Mqtt__Username=otklik
Otklik__Mqtt__Password=$otklik_pw
Otklik__Mqtt__DynsecUsername=admin
Otklik__Mqtt__DynsecPassword=$admin_pw
ENV
  echo "PostgreSQL 127.0.0.1:$pgport  Redis 127.0.0.1:$redisport  Mosquitto 127.0.0.1:$mqttport  (settings: $dir/env)"
}

start_nodes() {
  local dll=${OTKLIK_DLL:-}
  if [ -z "$dll" ]; then
    dotnet build src/Otklik.Web -c Release -nologo -v q >/dev/null
    dll=$PWD/src/Otklik.Web/bin/Release/net10.0/Otklik.Web.dll
  fi
  local n=0
  for port in ${OTKLIK_NODE_PORTS:-5101 5102}; do
    n=$((n + 1))
    ( set -a; . "$dir/env"; set +a
      export ASPNETCORE_URLS="http://127.0.0.1:$port" Urls="http://127.0.0.1:$port" Otklik__Mqtt__ClientId="otklik-node-$n"
      export Otklik__StaticWebAssets=true
      export Otklik__Database__DataFolder="$dir/node$n"
      cd "$(dirname "$dll")" && exec dotnet "$dll" >"$dir/node$n.log" 2>&1 ) &
    echo $! > "$dir/node$n.pid"
    for _ in $(seq 1 600); do
      curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
      kill -0 "$(cat "$dir/node$n.pid")" 2>/dev/null || { echo "node $n exited; see $dir/node$n.log" >&2; exit 1; }
      sleep 0.2
    done
    echo "Otklik node $n: http://127.0.0.1:$port (log $dir/node$n.log)"
  done
}

stop_all() {
  [ -d "$dir" ] || return 0
  for f in "$dir"/node*.pid; do
    [ -e "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$dir"/node*.pid; do
    [ -e "$f" ] || continue
    for _ in $(seq 1 100); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$dir/mosquitto.pid" "$dir/redis.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  [ -e "$dir/pg.ctl" ] && as_pg $(cat "$dir/pg.ctl") -m fast stop >/dev/null 2>&1 || true
  sleep 0.3
  rm -rf "$dir"
}

case "$cmd" in
  start) start_infra; start_nodes; echo "Stop with: $0 stop $dir" ;;
  infra) start_infra ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|infra|stop [DIR]" >&2; exit 2 ;;
esac
