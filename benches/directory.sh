#!/usr/bin/env bash
# How much of the index a user list reads, with 10,000 users (or the count given): starts a
# local stack of its own, seeds a fresh table and prints a Markdown table. Numbers of record
# are in benches/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export STACK_NAME=bench DYNAMODB_PORT="${BENCH_DYNAMODB_PORT:-8200}" MOTO_PORT="${BENCH_MOTO_PORT:-5200}"
trap 'bash scripts/stack.sh stop' EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"
cargo build --locked -p users-tools --bin directory-bench
./target/debug/directory-bench "${1:-10000}"
