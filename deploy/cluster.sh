#!/usr/bin/env bash
# Runs a Parley cluster on one machine: PostgreSQL, RabbitMQ and N Parley nodes on consecutive ports, all on
# 127.0.0.1, no system services. Put a load balancer (nginx, HAProxy …) in front of the nodes for one address.
#
#   deploy/cluster.sh start [N]     # default 3 nodes: http://127.0.0.1:5081 … :508N
#   deploy/cluster.sh status
#   deploy/cluster.sh stop
#
# Environment: PARLEY_CLUSTER_DIR (state, default ./cluster-data), PARLEY_BASE_PORT (5080: nodes get +1 … +N),
# PG_PORT (5433), AMQP_PORT (5673), EPMD_PORT (4370), MIM_UDP_BASE (7900) and MIM_TCP_BASE (8900: node i's MobileIMSDK
# ports are base + i). Needs Debian's postgresql and rabbitmq-server packages and
# the .NET SDK; run as root (PostgreSQL runs as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(realpath -m "${PARLEY_CLUSTER_DIR:-cluster-data}")
BASE=${PARLEY_BASE_PORT:-5080}
PG_PORT=${PG_PORT:-5433}
AMQP_PORT=${AMQP_PORT:-5673}
EPMD_PORT=${EPMD_PORT:-4370}
MIM_UDP_BASE=${MIM_UDP_BASE:-7900}
MIM_TCP_BASE=${MIM_TCP_BASE:-8900}
DIST_PORT=$((AMQP_PORT + 20000 > 65000 ? AMQP_PORT + 1000 : AMQP_PORT + 20000))
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
RABBIT=/usr/lib/rabbitmq/bin

rabbit_env() {
  export HOME=$DIR/rabbitmq ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=parley@localhost \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$DIST_PORT \
    RABBITMQ_MNESIA_BASE=$DIR/rabbitmq/mnesia RABBITMQ_LOG_BASE=$DIR/rabbitmq/log RABBITMQ_PID_FILE=$DIR/rabbitmq/rabbit.pid \
    RABBITMQ_CONFIG_FILE=$DIR/rabbitmq/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/rabbitmq/enabled_plugins \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start() {
  local n=${1:-3}
  mkdir -p "$DIR/nodes" "$DIR/rabbitmq"
  [ -x "$PG_BIN/pg_ctl" ] || { echo "PostgreSQL not found: apt-get install postgresql" >&2; exit 1; }
  [ -x "$RABBIT/rabbitmq-server" ] || { echo "RabbitMQ not found: apt-get install rabbitmq-server" >&2; exit 1; }

  # PostgreSQL: one database for every node.
  if [ ! -d "$DIR/pg/data" ]; then
    mkdir -p "$DIR/pg" && chown postgres "$DIR/pg"
    su postgres -c "$PG_BIN/initdb -D $DIR/pg/data -A trust -U postgres" >/dev/null
  fi
  su postgres -c "$PG_BIN/pg_ctl -D $DIR/pg/data -l $DIR/pg/log -o '-p $PG_PORT -c listen_addresses=127.0.0.1 -k $DIR/pg' -w start" >/dev/null
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='parley'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE parley"

  # RabbitMQ: its own epmd and ports, no plugins.
  rabbit_env
  echo "[]." > "$DIR/rabbitmq/enabled_plugins"
  echo "loopback_users = none" > "$DIR/rabbitmq/rabbitmq.conf"
  epmd -address 127.0.0.1 -port "$EPMD_PORT" -daemon
  nohup "$RABBIT/rabbitmq-server" >"$DIR/rabbitmq/server.out" 2>&1 &
  "$RABBIT/rabbitmqctl" -q wait "$DIR/rabbitmq/rabbit.pid" --timeout 120

  # Parley nodes: one signing key for all (a token from one node is valid on every node).
  [ -f "$DIR/signing.key" ] || head -c 32 /dev/urandom | base64 > "$DIR/signing.key"
  dotnet build src/Parley.Server -c Release -nologo -v q >/dev/null
  local bin=src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
  for i in $(seq 1 "$n"); do
    local port=$((BASE + i))
    Parley__Auth__SigningKey=$(cat "$DIR/signing.key") \
    Parley__Storage__Provider=postgres \
    Parley__Storage__Postgres__ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Database=parley;Username=postgres" \
    Parley__Cluster__Provider=rabbitmq \
    Parley__Cluster__NodeId="node$i" \
    Parley__Cluster__RabbitMq__Host=127.0.0.1 \
    Parley__Cluster__RabbitMq__Port=$AMQP_PORT \
    Parley__MobileImSdk__Udp__Port=$((MIM_UDP_BASE + i)) \
    Parley__MobileImSdk__Tcp__Port=$((MIM_TCP_BASE + i)) \
    Parley__MobileImSdk__WebSocket__Port=-1 \
      nohup dotnet "$bin" --urls "http://127.0.0.1:$port" --data "$DIR/nodes/node$i" >"$DIR/nodes/node$i.log" 2>&1 &
    echo $! > "$DIR/nodes/node$i.pid"
  done
  for i in $(seq 1 "$n"); do
    local port=$((BASE + i))
    for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
    curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "node$i did not come up; see $DIR/nodes/node$i.log" >&2; exit 1; }
    echo "node$i  http://127.0.0.1:$port  (MobileIMSDK udp $((MIM_UDP_BASE + i)), tcp $((MIM_TCP_BASE + i)))"
  done
}

stop() {
  for pidfile in "$DIR"/nodes/*.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  if [ -f "$DIR/rabbitmq/rabbit.pid" ]; then
    rabbit_env
    "$RABBIT/rabbitmqctl" -q stop "$DIR/rabbitmq/rabbit.pid" || true
  fi
  epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  [ -d "$DIR/pg/data" ] && su postgres -c "$PG_BIN/pg_ctl -D $DIR/pg/data -m fast stop" >/dev/null 2>&1 || true
}

status() {
  for pidfile in "$DIR"/nodes/*.pid; do
    [ -f "$pidfile" ] || continue
    local node; node=$(basename "$pidfile" .pid)
    if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$node running"; else echo "$node stopped"; fi
  done
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | status | stop" >&2; exit 2 ;;
esac
