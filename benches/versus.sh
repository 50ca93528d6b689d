#!/usr/bin/env bash
# The careers routes under load, side by side with the original careers service (Django, DRF,
# simplejwt; how to run it: benches/RESULTS.md, "Running the original service"):
#
#   PEER_URL=http://127.0.0.1:8190 PEER_PIDS="$(cat "$PEER/gunicorn.pid")" benches/versus.sh
#
# Builds and starts the local API (release build) over DynamoDB Local, signs 200 users up and
# in through the careers contract on each service (each from its own loopback address: the
# local API limits sign-ups and sign-ins per client address, which it takes from the TCP peer),
# then runs wrk on GET me/, GET {username}/, GET ?batch_size=10, POST follow/ (every request a
# new follow) and POST login/ (a new connection from a new address each), this service and then
# the original for each route. Prints requests/s, p50, p99, CPU ms per request of each API
# process (PEER_PIDS: the gunicorn master; its workers are found as its children) and of
# DynamoDB Local, and the DynamoDB calls and capacity one request makes (counted by a proxy in
# front of a second local API instance). Without PEER_URL only this service is measured.
#
# Settings: VERSUS_USERS (200), VERSUS_CONNECTIONS (16), VERSUS_THREADS (2), VERSUS_SECONDS
# (15), VERSUS_ROUTES ("me profile list follow login"), VERSUS_PORT (3150); a running local
# API instead of a new one: VERSUS_API_URL and VERSUS_API_PID (on the same stack).
# Stack: VERSUS_STACK (versus), VERSUS_DYNAMODB_PORT (8150), VERSUS_MOTO_PORT (5150).
# Needs wrk (Debian: apt-get install wrk) and a C compiler (for benches/versus/spread.c).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export STACK_NAME="${VERSUS_STACK:-versus}" DYNAMODB_PORT="${VERSUS_DYNAMODB_PORT:-8150}" MOTO_PORT="${VERSUS_MOTO_PORT:-5150}"
port="${VERSUS_PORT:-3150}"
count_port=$((port + 1)) proxy_port=$((port + 2))
run_dir=".local/run/$STACK_NAME"
target="${CARGO_TARGET_DIR:-target}"
pids=()
started_stack=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$started_stack" ]; then bash scripts/stack.sh stop; fi
}
trap cleanup EXIT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$port" "$count_port" "$proxy_port"; do
  # Never measure (or load) a server this script did not start.
  port_free "$p" || { echo "port $p is in use by another program; set VERSUS_PORT" >&2; exit 1; }
done
wait_port() {
  for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing answers on port $1" >&2; return 1
}

if ! { [ -f "$run_dir/dynamodb.pid" ] && kill -0 "$(cat "$run_dir/dynamodb.pid")" 2>/dev/null; }; then
  started_stack=1
  bash scripts/stack.sh start
fi
eval "$(bash scripts/stack.sh env)"
export TABLE_NAME="${TABLE_NAME_OVERRIDE:-versus-$(date +%s)}"
out="$run_dir/versus-$(date +%s)"
mkdir -p "$out"
cc -shared -fPIC -O2 -o "$out/spread.so" benches/versus/spread.c -ldl
export VERSUS_SPREAD_SO="$out/spread.so" VERSUS_OUT="$out"

if [ -z "${VERSUS_API_URL:-}" ]; then
  nice -n 19 cargo build --locked --release -p users-tools --bin local-api
  PORT="$port" nice -n 10 "$target/release/local-api" > "$out/api.log" 2>&1 &
  pids+=($!)
  export VERSUS_API_URL="http://127.0.0.1:$port" VERSUS_API_PID="$!"
  wait_port "$port"
fi
prefix="v$(date +%s | tail -c 6)"
python3 benches/versus.py seed "$VERSUS_API_URL" "${VERSUS_USERS:-200}" "$prefix" "$out/this"
if [ -n "${PEER_URL:-}" ]; then
  python3 benches/versus.py seed "$PEER_URL" "${VERSUS_USERS:-200}" "$prefix" "$out/peer"
fi

# The counting instance: the same binary and table, its DynamoDB calls through the proxy;
# stopped again before the timed runs.
python3 benches/versus.py proxy "$proxy_port" "$DYNAMODB_PORT" &
proxy_pid=$!
pids+=($proxy_pid)
wait_port "$proxy_port"
AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$proxy_port" PORT="$count_port" \
  "$target/release/local-api" > "$out/count-api.log" 2>&1 &
count_pid=$!
pids+=($count_pid)
wait_port "$count_port"
VERSUS_COUNT_URL="http://127.0.0.1:$count_port" VERSUS_PROXY_URL="http://127.0.0.1:$proxy_port" \
  python3 benches/versus.py count
kill "$count_pid" "$proxy_pid"; wait "$count_pid" "$proxy_pid" 2>/dev/null || true

export VERSUS_API_PIDS="$VERSUS_API_PID" VERSUS_DB_PIDS="$(cat "$run_dir/dynamodb.pid")"
python3 benches/versus.py run | tee "$out/table.md"
echo "raw numbers: $out/results.json" >&2
