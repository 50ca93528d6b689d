#!/usr/bin/env bash
# Builds and runs the functions the way a team deploying them does, with cargo-lambda and the
# AWS SAM CLI, and checks each step's result. Run by hand (minutes of release builds; not CI).
#
#   scripts/lambda-check.sh build   cargo lambda build --release of every function for $ARCH
#   scripts/lambda-check.sh sam     sam validate --lint, sam build, the zip size of each function
#   scripts/lambda-check.sh watch   cargo lambda watch on a local stack of its own; one event of
#                                   every function through cargo lambda invoke, status asserted
#   scripts/lambda-check.sh         all three, in that order, then a summary
#
# Installs what it needs into the ignored folder .local/: cargo-lambda, the zig it
# cross-compiles with and the SAM CLI (PyPI, pinned, in .local/lambda-venv), the Rust
# standard library of the target (rustup target add), DynamoDB Local and moto
# (scripts/stack.sh). Stops everything it started, pass or fail.
#
# ARCH: arm64 (default, as template.yaml deploys) or x86_64. With x86_64, `sam build` builds
# from a copy of template.yaml whose Architectures say x86_64 (template.yaml is not changed).
# Ports: LAMBDA_CHECK_PORT (cargo lambda watch, 9130), DYNAMODB_PORT (8130), MOTO_PORT (5130).
# WATCH_RELEASE=1 serves release builds under `cargo lambda watch` (default: dev builds).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Pinned so that every machine builds with the same tools.
CARGO_LAMBDA_SPEC="cargo-lambda==1.9.2"
ZIGLANG_SPEC="ziglang==0.17.0"
SAM_CLI_SPEC="aws-sam-cli==1.170.0"

ARCH="${ARCH:-arm64}"
case "$ARCH" in
  arm64) triple=aarch64-unknown-linux-gnu; arch_flag=--arm64; elf_machine=183 ;;
  x86_64) triple=x86_64-unknown-linux-gnu; arch_flag=--x86-64; elf_machine=62 ;;
  *) echo "ARCH must be arm64 or x86_64, not $ARCH" >&2; exit 2 ;;
esac

export STACK_NAME=lambda-check
export DYNAMODB_PORT="${DYNAMODB_PORT:-8130}" MOTO_PORT="${MOTO_PORT:-5130}"
watch_port="${LAMBDA_CHECK_PORT:-9130}"
venv="$root/.local/lambda-venv"
run_dir="$root/.local/run/$STACK_NAME"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
functions=(auth users social admin preferences notifications docs delivery stats-job)
bins=()
for f in "${functions[@]}"; do bins+=(--bin "$f"); done

# The SAM CLI sends no telemetry and finds cargo-lambda (and cargo-lambda its zig) here.
export PATH="$venv/bin:$PATH" SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

log() { printf '[lambda-check] %s\n' "$*" >&2; }
summary=()
note() { summary+=("$*"); log "$*"; }
fail() { log "FAILED: $*"; exit 1; }
now() { date +%s; }

# The checks read the invokes' JSON answers with jq (Debian's package).
if ! command -v jq >/dev/null 2>&1; then
  log "installing jq (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null
fi

watch_pid=""
stack_started=""
cleanup() {
  if [ -n "$watch_pid" ] && kill -0 "$watch_pid" 2>/dev/null; then
    # cargo lambda watch and the function processes it started: its own process group.
    kill -TERM -- "-$watch_pid" 2>/dev/null || kill -TERM "$watch_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$watch_pid" 2>/dev/null || true
  fi
  if [ -n "$stack_started" ]; then bash scripts/stack.sh stop || true; fi
  if [ "${#summary[@]}" -gt 0 ]; then
    printf '\n== summary ==\n' >&2
    printf '%s\n' "${summary[@]}" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install() {
  local stamp="$venv/.specs" specs="$CARGO_LAMBDA_SPEC $ZIGLANG_SPEC $SAM_CLI_SPEC"
  if [ ! -x "$venv/bin/cargo-lambda" ] || [ ! -x "$venv/bin/sam" ] \
    || [ "$(cat "$stamp" 2>/dev/null)" != "$specs" ]; then
    log "installing $specs (PyPI) into .local/lambda-venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "$CARGO_LAMBDA_SPEC" "$ZIGLANG_SPEC" "$SAM_CLI_SPEC"
    echo "$specs" >"$stamp"
  fi
  if ! rustup target list --installed | grep -qx "$triple"; then
    log "installing the Rust standard library for $triple: rustup target add $triple"
    if ! rustup target add "$triple"; then
      log "'rustup target add $triple' failed: the $ARCH build needs that target's standard"
      log "library (from the Rust distribution server). Run it where that server is reachable,"
      log "or build for this machine's architecture with ARCH=x86_64."
      exit 1
    fi
  fi
}

# The ELF machine of a binary: 183 aarch64, 62 x86_64.
elf_machine_of() {
  python3 -c 'import struct,sys; h=open(sys.argv[1],"rb").read(20); print(struct.unpack("<H", h[18:20])[0] if h[:4]==b"\x7fELF" else 0)' "$1"
}

build() {
  local start
  start=$(now)
  log "cargo lambda build --release $arch_flag (every function)"
  nice -n 19 cargo lambda build --release --locked "$arch_flag" "${bins[@]}"
  for f in "${functions[@]}"; do
    local binary="$target_dir/lambda/$f/bootstrap"
    [ -x "$binary" ] || fail "cargo lambda build made no $binary"
    [ "$(elf_machine_of "$binary")" = "$elf_machine" ] || fail "$binary is not an $ARCH binary"
  done
  note "build: cargo lambda build --release $arch_flag: ${#functions[@]} bootstraps for $ARCH in target/lambda/ ($(($(now) - start)) s)"
}

# The zip of a folder's files, as `sam deploy` uploads it: its size in bytes.
zip_bytes() {
  python3 - "$1" <<'PY'
import io, os, sys, zipfile
folder = sys.argv[1]
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    for name in sorted(os.listdir(folder)):
        archive.write(os.path.join(folder, name), name)
print(len(buffer.getvalue()))
PY
}

sam_check() {
  local start template=template.yaml
  start=$(now)
  log "sam validate --lint"
  nice -n 19 sam validate --lint --template-file template.yaml
  note "sam: sam validate --lint: template.yaml is valid ($(($(now) - start)) s)"
  if [ "$ARCH" != arm64 ]; then
    # Only the architecture differs; CodeUri is made absolute since the copy lives elsewhere.
    mkdir -p "$run_dir"
    template="$run_dir/template-$ARCH.yaml"
    sed -e "s|^      - arm64$|      - $ARCH|" -e "s|^      CodeUri: \.$|      CodeUri: $root|" \
      template.yaml >"$template"
    grep -q "^      - $ARCH$" "$template" || fail "the copy of template.yaml does not say $ARCH"
  fi
  start=$(now)
  log "sam build --template-file $template (rust-cargolambda, $(command -v cargo-lambda))"
  rm -rf .aws-sam/build
  nice -n 19 sam build --template-file "$template"
  note "sam: sam build: every function built through cargo-lambda for $ARCH ($(($(now) - start)) s)"
  printf '\n| function | bootstrap bytes | zip bytes |\n|---|---|---|\n'
  for dir in .aws-sam/build/*Function; do
    local binary="$dir/bootstrap"
    [ -x "$binary" ] || fail "sam build made no $binary"
    [ "$(elf_machine_of "$binary")" = "$elf_machine" ] || fail "$binary is not an $ARCH binary"
    printf '| %s | %s | %s |\n' "$(basename "$dir")" "$(stat -c %s "$binary")" "$(zip_bytes "$dir")"
  done
  echo
}

# invoke FUNCTION EVENT_FILE EXPECTED_STATUS: sends the event through cargo lambda invoke and
# fails unless the answer has that statusCode ("-" for a scheduled function: any answer that is
# not an error); the answer's body is left in $body.
body=""
invoke() {
  local function=$1 event=$2 expected=$3 out status
  if ! out="$(cargo lambda invoke "$function" --invoke-address 127.0.0.1 --invoke-port "$watch_port" \
    --data-file "$event" --output-format json 2>"$run_dir/invoke.err")"; then
    cat "$run_dir/invoke.err" >&2
    fail "$function $(basename "$event"): the invoke failed"
  fi
  if [ "$expected" = - ]; then
    body="$out"
    note "watch: $function $(basename "$event"): answered $(printf '%s' "$out" | jq -c . | head -c 160)"
    return
  fi
  status="$(printf '%s' "$out" | jq -r '.statusCode')"
  [ "$status" = "$expected" ] \
    || fail "$function $(basename "$event"): expected $expected, got $status: $(printf '%s' "$out" | head -c 400)"
  body="$(printf '%s' "$out" | jq -r '.body')"
  note "watch: $function $(basename "$event"): $status"
}

# fill EVENT NAME: the event with its placeholders put in place, written to $run_dir/NAME.
fill() {
  local event=$1 name=$2
  sed -e "s|ACCESS_TOKEN|${access:-}|g" -e "s|STAFF_TOKEN|${staff_token:-}|g" \
    "$event" >"$run_dir/$name"
  echo "$run_dir/$name"
}

watch() {
  local start profile=() build_profile=debug
  start=$(now)
  if [ "${WATCH_RELEASE:-}" = 1 ]; then profile=(--release); build_profile=release; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$watch_port") 2>/dev/null; then
    fail "port $watch_port is already in use by another program; set LAMBDA_CHECK_PORT"
  fi
  stack_started=1
  bash scripts/stack.sh start
  eval "$(bash scripts/stack.sh env)"
  mkdir -p "$run_dir"

  # The table and the topic, as template.yaml declares them, and the local keys.
  log "building local-api (provisioning) and userctl ($build_profile)"
  nice -n 19 cargo build --locked "${profile[@]}" -q -p users-tools --bin local-api --bin userctl
  export TABLE_NAME="lambda-check-$(date +%s)"
  local topic
  topic="$("$target_dir/$build_profile/local-api" --provision-only | sed -n 's/^TOPIC_ARN=//p' | head -n 1)"
  [ -n "$topic" ] || fail "local-api --provision-only printed no TOPIC_ARN"
  export TOPIC_ARN="$topic"
  export JWT_PUBLIC_KEY="$(cat .local/keys/jwt-public.pem)"
  export JWT_PRIVATE_KEY="$(cat .local/keys/jwt-private.pem)"
  export APP_SECRET_KEY="$(cat .local/keys/app-secret.key)"
  USERCTL_PASSWORD=password123 "$target_dir/$build_profile/userctl" staff create boss boss@example.com >/dev/null

  # cargo lambda watch builds the functions, then serves each; the functions inherit this
  # environment (table, keys, topic, local endpoints). Its own process group, so the trap
  # stops it and every function process it started.
  log "building the functions ($build_profile) for cargo lambda watch"
  nice -n 19 cargo build --locked "${profile[@]}" -q "${bins[@]}"
  log "cargo lambda watch on 127.0.0.1:$watch_port (log $run_dir/watch.log)"
  set -m
  nice -n 19 cargo lambda watch "${profile[@]}" --invoke-address 127.0.0.1 \
    --invoke-port "$watch_port" --ignore-changes >"$run_dir/watch.log" 2>&1 &
  watch_pid=$!
  set +m
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$watch_port") 2>/dev/null; then break; fi
    kill -0 "$watch_pid" 2>/dev/null || { tail -n 30 "$run_dir/watch.log" >&2; fail "cargo lambda watch exited"; }
    sleep 0.5
  done
  local ready=$(now)

  # One route of every HTTP function answering 200/201, then the two scheduled functions.
  invoke auth events/auth/jwks.json 200
  invoke auth events/auth/careers-register.json 201
  access="$(printf '%s' "$body" | jq -r '.access')"
  [ -n "$access" ] && [ "$access" != null ] || fail "the sign-up answered no access token"
  jq --arg body '{"username":"boss","password":"password123"}' \
    '.body = $body | del(.headers["content-length"])' \
    events/auth/careers-login.json >"$run_dir/boss-login.json"
  invoke auth "$run_dir/boss-login.json" 200
  staff_token="$(printf '%s' "$body" | jq -r '.access')"
  invoke users "$(fill events/users/careers-me.json me.json)" 200
  invoke social "$(fill events/social/careers-my-following.json following.json)" 200
  invoke preferences "$(fill events/preferences/campaign-get-preferences.json prefs.json)" 200
  invoke notifications "$(fill events/notifications/campaign-notification-history.json history.json)" 200
  invoke stats-job events/stats-job/schedule.json -
  invoke admin "$(fill events/admin/campaign-stats-sex.json stats-sex.json)" 200
  invoke delivery events/delivery/schedule.json -
  invoke docs events/docs/openapi-document.json 200
  note "watch: every function answered through cargo lambda watch ($(($(now) - start)) s in all, $(($(now) - ready)) s of invokes after the server was up)"
}

total_start=$(now)
case "${1:-all}" in
  build) install; build ;;
  sam) install; sam_check ;;
  watch) install; watch ;;
  all) install; build; sam_check; watch ;;
  *) echo "usage: $0 [build|sam|watch|all]" >&2; exit 2 ;;
esac
note "passed in $(($(now) - total_start)) s"
