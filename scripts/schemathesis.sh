#!/usr/bin/env bash
# Generated bad-input tests: schemathesis (PyPI) reads the service's own OpenAPI document from
# the local API and sends every operation generated requests, with app credentials and a
# signed-in user. Every answer must be no 5xx, and match its documented status, content type,
# headers and body schema.
#
# It installs schemathesis into .local/schemathesis, starts the local API the project's own way
# on a stack of its own (scripts/run-local.sh), creates an app with `userctl app create` and a
# user through the careers contract, runs, and stops everything, pass or fail.
#
#   scripts/schemathesis.sh                 # the test command's setting (a minute or two)
#   SCHEMATHESIS_EXAMPLES=200 scripts/schemathesis.sh   # a longer (nightly) setting
#
# The summary (cases run, failures) is printed last and kept in .local/run/schemathesis/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

SCHEMATHESIS_SPEC="schemathesis==4.32.5"
examples="${SCHEMATHESIS_EXAMPLES:-15}"
seed="${SCHEMATHESIS_SEED:-20261126}"
export STACK_NAME="${SCHEMATHESIS_STACK:-schemathesis}"
export DYNAMODB_PORT="${SCHEMATHESIS_DYNAMODB_PORT:-8160}" MOTO_PORT="${SCHEMATHESIS_MOTO_PORT:-5160}"
api_port="${SCHEMATHESIS_PORT:-3160}"
run_dir="$root/.local/run/$STACK_NAME"
venv="$root/.local/schemathesis"

log() { printf '[schemathesis] %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/pip" show -q schemathesis 2>/dev/null ||
  [ "$("$venv/bin/pip" show schemathesis | sed -n 's/^Version: //p')" != "${SCHEMATHESIS_SPEC#*==}" ]; then
  log "installing $SCHEMATHESIS_SPEC (PyPI) into .local/schemathesis"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$SCHEMATHESIS_SPEC"
fi

# shellcheck source=scripts/local-api-for-check.sh
source scripts/local-api-for-check.sh
start_local_api SCHEMATHESIS_PORT schemathesis-api.log
create_app schemathesis
base="http://127.0.0.1:$api_port"

# A signed-in user, as a client would make one.
curl -sf -o /dev/null -X POST "$base/careers/users/register/" -H 'Content-Type: application/json' \
  -d '{"username":"generated","email":"generated@example.com","password":"a-long-passphrase","password_confirm":"a-long-passphrase"}'
sign_in() {
  curl -sf -X POST "$base/careers/users/login/" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"a-long-passphrase\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])'
}
token="$(sign_in generated)"
# A staff member, for the staff routes (the plain user is refused them).
USERCTL_PASSWORD=a-long-passphrase ./target/debug/userctl staff create overseer overseer@example.com >/dev/null
staff_token="$(sign_in overseer)"

# Staff routes run with the staff member's token; operations that end the signed-in user's
# session (or delete a user) run last, on their own.
staff=(post_api_user_status_ban post_api_user_status post_api_user_force_logout
  post_api_users_stats_sex post_api_users_stats_age post_api_users_stats_preferences
  post_api_user_notification)
ending=(post_careers_users_logout post_api_action_logout delete_user_id)
for_staff=() for_ending=() exclude=()
for id in "${staff[@]}"; do for_staff+=(--include-operation-id "$id"); exclude+=(--exclude-operation-id "$id"); done
for id in "${ending[@]}"; do for_ending+=(--include-operation-id "$id"); exclude+=(--exclude-operation-id "$id"); done

# One worker: with two, schemathesis's threads parse source concurrently and CPython 3.11
# before 3.11.8 can fail with "AST constructor recursion depth mismatch" (gh-106905).
run() {
  local name=$1 bearer=$2
  shift 2
  "$venv/bin/schemathesis" run "$base/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    -H "Authorization: Bearer $bearer" \
    -H "QISCUS_SDK_APP_ID: $app_id" -H "QISCUS_SDK_SECRET: $app_secret" \
    -H "X-App-Id: $app_id" -H "X-App-Auth: $app_secret" -H "X-App-Secret: $app_secret" \
    --max-examples "$examples" --seed "$seed" --workers 1 --continue-on-failure --generation-database none \
    --no-color --report junit --report-junit-path "$run_dir/schemathesis-$name.xml" \
    "$@" 2>&1 | tee "$run_dir/schemathesis-$name.txt"
}

status=0
log "every operation but the staff routes and those that end the session ($examples examples each, seed $seed)"
run most "$token" "${exclude[@]}" || status=1
log "the staff routes, signed in as staff"
run staff "$staff_token" "${for_staff[@]}" || status=1
log "the operations that end the session"
run ending "$token" "${for_ending[@]}" || status=1

summary() {
  python3 - "$run_dir" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
from pathlib import Path
run_dir = Path(sys.argv[1])
cases = operations = failures = errors = 0
for name in ("most", "staff", "ending"):
    text = (run_dir / f"schemathesis-{name}.txt").read_text()
    found = re.search(r"(\d+) generated", text)
    cases += int(found.group(1)) if found else 0
    suite = ET.parse(run_dir / f"schemathesis-{name}.xml").getroot()
    for s in suite.iter("testsuite"):
        failures += int(s.get("failures", 0))
        errors += int(s.get("errors", 0))
    operations += sum(1 for c in suite.iter("testcase") if c.get("name") != "Stateful tests")
print(f"schemathesis: {operations} operations, {cases} generated cases, {failures} failures, {errors} errors")
EOF
}
summary | tee "$run_dir/summary.txt"
exit "$status"
