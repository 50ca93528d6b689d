#!/usr/bin/env bash
# The soak run: starts the local API (release build) on a stack of its own, makes an app
# credential and a staff user with userctl, runs benches/soak.py for [minutes] (default 10) at
# [rounds per second] (default 1; each round is 24 requests), then stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export STACK_NAME=soak DYNAMODB_PORT="${SOAK_DYNAMODB_PORT:-8170}" MOTO_PORT="${SOAK_MOTO_PORT:-5170}"
port="${SOAK_PORT:-3970}"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  bash scripts/stack.sh stop
}
trap cleanup EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"
cargo build --locked --release -p users-tools --bin local-api --bin userctl
export TABLE_NAME="soak-$(date +%s)"
PORT="$port" ./target/release/local-api > ".local/run/$STACK_NAME/soak-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
created="$(./target/release/userctl app create soak)"
export SOAK_APP_ID="$(echo "$created" | sed -n 's/^app id: //p')"
export SOAK_APP_SECRET="$(echo "$created" | sed -n 's/^secret: //p')"
USERCTL_PASSWORD=password123 ./target/release/userctl staff create soakstaff soakstaff@example.com >/dev/null
export SOAK_STAFF_TOKEN="$(curl -s -X POST "http://127.0.0.1:$port/careers/users/login/" \
  -H 'Content-Type: application/json' -d '{"username":"soakstaff","password":"password123"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access"])')"
SOAK_BASE="http://127.0.0.1:$port" SOAK_PID="$api_pid" python3 benches/soak.py "${1:-10}" "${2:-1}"
