#!/usr/bin/env bash
# Runs the whole API locally on 127.0.0.1:3000: installs and starts the local stack
# (DynamoDB Local, moto), creates the table and the topic from template.yaml, and serves
# every function's routes through the template's route table. Ctrl-C stops it all.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

api_pid=""
stop_all() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  bash scripts/stack.sh stop
}
trap stop_all EXIT
trap 'exit 130' INT TERM

bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

cargo build --locked -p users-tools --bin local-api
# In the background, so a signal reaches this script's trap at once.
PORT="${PORT:-3000}" ./target/debug/local-api &
api_pid=$!
wait "$api_pid"
