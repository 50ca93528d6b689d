#!/usr/bin/env bash
# Runs every test: installs and starts a local stack of its own (DynamoDB Local and moto on
# ports that do not clash with a running local API), runs the unit and black-box tests
# against it, lints template.yaml with cfn-lint, and stops the stack again, pass or fail.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export STACK_NAME=test DYNAMODB_PORT="${TEST_DYNAMODB_PORT:-8100}" MOTO_PORT="${TEST_MOTO_PORT:-5100}"
trap 'bash scripts/stack.sh stop' EXIT

bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

cargo test --workspace --locked
echo "cfn-lint template.yaml"
.local/venv/bin/cfn-lint template.yaml
