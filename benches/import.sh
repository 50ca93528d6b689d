#!/usr/bin/env bash
# How long `userctl import` takes for 100,000 users (or the count given): starts a local stack
# of its own (STACK_NAME, DYNAMODB_PORT and MOTO_PORT choose it), writes a CSV of that many
# valid rows to .local/bench/, provisions a fresh table, imports the file, then imports it
# again (every row already present). Numbers of record are in benches/RESULTS.md.
#
# Nine rows in ten carry the same valid argon2id hash (the tenth none): the import never
# hashes, so one hash costs what 100,000 different ones would.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-100000}"
export STACK_NAME="${STACK_NAME:-bench}" DYNAMODB_PORT="${DYNAMODB_PORT:-8200}" MOTO_PORT="${MOTO_PORT:-5200}"
trap 'bash scripts/stack.sh stop' EXIT
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"
cargo build --locked -p users-tools --bin userctl --bin local-api

mkdir -p .local/bench
csv=".local/bench/users-$rows.csv"
python3 - "$rows" "$csv" <<'PY'
import csv, random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
phc = "$argon2id$v=19$m=19456,t=2,p=1$YHiVqGiPxBJ6IVh2DOeL6A$6q8vBDQ7lOOEdT7h0bSSm4pT7c0cAuH1WbYkuAf2sVk"
categories = ["fashion", "beauty", "technology", "food", "travel", "sports"]
random.seed(7)
with open(path, "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["username", "email", "first_name", "last_name", "gender", "birthday",
                  "categories", "password_hash"])
    for i in range(rows):
        out.writerow([
            f"user{i:06d}", f"user{i:06d}@example.com", f"First{i % 997}", f"Last{i % 991}",
            "MFO"[i % 3], f"{1960 + i % 45}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            ";".join(random.sample(categories, 1 + i % 3)),
            phc if i % 10 else "",
        ])
PY
echo "wrote $csv ($rows rows)"

export TABLE_NAME="import-bench-$(date +%s)"
./target/debug/local-api --provision-only >/dev/null
echo "first run (table $TABLE_NAME):"
/usr/bin/time -f "%e s wall, %M KiB peak" ./target/debug/userctl import "$csv" | tail -n 1
echo "second run, same file:"
/usr/bin/time -f "%e s wall, %M KiB peak" ./target/debug/userctl import "$csv" | tail -n 1
