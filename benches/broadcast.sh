#!/usr/bin/env bash
# A broadcast `/send` to N users (default 10,000) on the local stack, worked off by the
# delivery worker until every notification is published; prints its times and every DynamoDB
# and SNS call it made. Starts the stack of its own (ports 8160/5160) and stops it again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export STACK_NAME=broadcast-bench DYNAMODB_PORT="${BENCH_DYNAMODB_PORT:-8160}" MOTO_PORT="${BENCH_MOTO_PORT:-5160}"
trap 'bash scripts/stack.sh stop' EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"
cargo build --locked --release -p users-tools --bin broadcast-bench
./target/release/broadcast-bench "${1:-10000}"
