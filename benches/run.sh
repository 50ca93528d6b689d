#!/usr/bin/env bash
# Builds the function binaries in release mode (as deployed, for this machine's CPU), starts
# a local stack of its own, and measures cold start, latency, peak memory and package size.
# Results go to stdout; benches/RESULTS.md keeps the numbers of record.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export STACK_NAME=bench DYNAMODB_PORT="${BENCH_DYNAMODB_PORT:-8200}" MOTO_PORT="${BENCH_MOTO_PORT:-5200}"
trap 'bash scripts/stack.sh stop' EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

functions=(auth users social admin preferences notifications delivery stats-job)
cargo build --locked --release -p auth-function -p users-function -p social-function \
  -p admin-function -p preferences-function -p notifications-function -p delivery-function \
  -p stats-job-function -p hello-lambda
cargo build --locked -p users-tools --bin local-api

export TABLE_NAME="bench-$(date +%s)"
export "$(./target/debug/local-api --provision-only | grep '^TOPIC_ARN=' | head -n 1)"
export JWT_PUBLIC_KEY="$(cat .local/keys/jwt-public.pem)"
export JWT_PRIVATE_KEY="$(cat .local/keys/jwt-private.pem)"

echo "## Package size (release binary zipped as bootstrap, $(uname -m))"
echo
echo "| function | binary KiB | zip KiB |"
echo "|---|---|---|"
for function in "${functions[@]}" hello; do
  python3 - "$function" <<'PY'
import io, os, sys, zipfile
name = sys.argv[1]
path = os.path.join("target", "release", name)
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    archive.write(path, "bootstrap")
print(f"| {name} | {os.path.getsize(path) // 1024} | {len(buffer.getvalue()) // 1024} |")
PY
done
echo
python3 benches/lambda_bench.py "$@"
