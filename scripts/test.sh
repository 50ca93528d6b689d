#!/usr/bin/env bash
# Runs every test: installs and starts a local stack of its own (DynamoDB Local and moto on
# ports that do not clash with a running local API), runs the unit and black-box tests
# against it (the docs page test in headless Chromium, installed here if missing), lints
# template.yaml with cfn-lint, stops the stack again, pass or fail, and runs the generated
# bad-input tests (scripts/schemathesis.sh, which starts and stops a stack of its own).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export STACK_NAME=test DYNAMODB_PORT="${TEST_DYNAMODB_PORT:-8100}" MOTO_PORT="${TEST_MOTO_PORT:-5100}"
trap 'bash scripts/stack.sh stop' EXIT

# The docs page test renders /docs in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian) for the docs page test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

cargo test --workspace --locked
echo "cfn-lint template.yaml"
.local/venv/bin/cfn-lint template.yaml

# Generated bad-input tests from the OpenAPI document, on a local API and stack of their own.
bash scripts/schemathesis.sh
