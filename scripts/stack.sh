#!/usr/bin/env bash
# The local stack: DynamoDB Local (the official jar, shipped inside the npm package
# amplify-dynamodb-simulator) and moto in server mode (SNS + SQS), installed into the
# ignored folder .local/ of the checkout and run on 127.0.0.1 only.
#
#   scripts/stack.sh install   install both (idempotent; also installs cfn-lint)
#   scripts/stack.sh start     start both, wait until they answer, print the env to use
#   scripts/stack.sh stop      stop what `start` started
#   scripts/stack.sh env       print the environment the code and tests read
#
# STACK_NAME (default dev), DYNAMODB_PORT (8000) and MOTO_PORT (5000) choose which stack.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_dir="$root/.local"
# Several stacks can run side by side (the local API's and the tests'): each has a name,
# its own ports and its own folder of pid files and logs.
STACK_NAME="${STACK_NAME:-dev}"
run_dir="$local_dir/run/$STACK_NAME"
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
MOTO_PORT="${MOTO_PORT:-5000}"

# Pinned so that every machine runs the same servers.
SIMULATOR_VERSION="2.9.30"
MOTO_SPEC="moto[server]==5.2.5"
CFN_LINT_SPEC="cfn-lint==1.58.0"

log() { printf '[stack] %s\n' "$*" >&2; }

jar_dir() { echo "$local_dir/npm/node_modules/amplify-dynamodb-simulator/emulator"; }

install() {
  mkdir -p "$local_dir/npm"
  if [ ! -f "$(jar_dir)/DynamoDBLocal.jar" ]; then
    log "installing DynamoDB Local (npm amplify-dynamodb-simulator@$SIMULATOR_VERSION)"
    (cd "$local_dir/npm" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
      "amplify-dynamodb-simulator@$SIMULATOR_VERSION" >/dev/null)
  fi
  if [ ! -x "$local_dir/venv/bin/moto_server" ] || [ ! -x "$local_dir/venv/bin/cfn-lint" ]; then
    log "installing $MOTO_SPEC and $CFN_LINT_SPEC (PyPI) into .local/venv"
    python3 -m venv "$local_dir/venv"
    "$local_dir/venv/bin/pip" install --quiet --disable-pip-version-check "$MOTO_SPEC" "$CFN_LINT_SPEC"
  fi
}

port_in_use() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Refuses to start on a port another program holds: tests must never talk to a server that
# is not the one this stack started.
require_free_port() { # name port
  if port_in_use "$2"; then
    log "port $2 for $1 is already in use by another program; stop it or set ${1^^}_PORT"
    exit 1
  fi
}

wait_for() { # name port
  local name=$1 port=$2 pid
  pid="$(cat "$run_dir/$name.pid")"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited while starting; its log:"
      tail -n 30 "$run_dir/$name.log" >&2 || true
      return 1
    fi
    if port_in_use "$port"; then return 0; fi
    sleep 0.2
  done
  log "$name did not open port $port; its log:"
  tail -n 30 "$run_dir/$name.log" >&2 || true
  return 1
}

start() {
  install
  mkdir -p "$run_dir"
  if [ -f "$run_dir/dynamodb.pid" ] && kill -0 "$(cat "$run_dir/dynamodb.pid")" 2>/dev/null; then
    log "DynamoDB Local already running"
  else
    require_free_port dynamodb "$DYNAMODB_PORT"
    log "starting DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT"
    # DynamoDB Local has no listen-address flag; the jar is started through the project's
    # small launcher, which binds its Jetty connector to the loopback address only.
    (cd "$(jar_dir)" && exec java -Xmx512m -Djava.library.path=./DynamoDBLocal_lib \
      -cp "DynamoDBLocal.jar:DynamoDBLocal_lib/*" "$root/scripts/LoopbackDynamoDBLocal.java" \
      -inMemory -disableTelemetry -port "$DYNAMODB_PORT") >"$run_dir/dynamodb.log" 2>&1 &
    echo $! >"$run_dir/dynamodb.pid"
  fi
  if [ -f "$run_dir/moto.pid" ] && kill -0 "$(cat "$run_dir/moto.pid")" 2>/dev/null; then
    log "moto already running"
  else
    require_free_port moto "$MOTO_PORT"
    log "starting moto (SNS, SQS) on 127.0.0.1:$MOTO_PORT"
    "$local_dir/venv/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$run_dir/moto.log" 2>&1 &
    echo $! >"$run_dir/moto.pid"
  fi
  wait_for dynamodb "$DYNAMODB_PORT"
  wait_for moto "$MOTO_PORT"
}

stop() {
  for name in dynamodb moto; do
    local pid_file="$run_dir/$name.pid"
    if [ -f "$pid_file" ]; then
      local pid
      pid="$(cat "$pid_file")"
      if kill -0 "$pid" 2>/dev/null; then
        log "stopping $name ($pid)"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
      rm -f "$pid_file"
    fi
  done
}

env_vars() {
  cat <<EOF
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNAMODB_PORT
export AWS_ENDPOINT_URL_SNS=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:$MOTO_PORT
EOF
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_vars ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
