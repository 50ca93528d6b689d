#!/usr/bin/env bash
# Runs the whole API locally on 127.0.0.1:3000: installs and starts the local stack
# (DynamoDB Local, moto), creates the table and the topic from template.yaml, and serves
# every function's routes through the template's route table. Ctrl-C stops it all.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

trap 'bash scripts/stack.sh stop' EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

cargo build --locked -p users-tools --bin local-api
PORT="${PORT:-3000}" ./target/debug/local-api
