#!/usr/bin/env bash
# Tries the chat-server contract with its official Go SDK, Qiscus-Integration/qiscus-go (package
# sdk), as a real server calls it: starts the local API the
# project's own way (scripts/run-local.sh) on a stack of its own, creates an app with
# `userctl app create`, and runs scripts/chat-sdk-check/main.go with QISCUS_APP_ID,
# QISCUS_SECRET_KEY and QISCUS_API_BASE (the SDK's NewSDKFromEnv). The program calls
# LoginOrRegister (a new user, then again with a password), GetUserProfile, GetUsers,
# GetUserToken, ResetUserToken, DeactivateUser and ReactivateUser (and LoginOrRegister with a
# wrong secret, the SDK's error path) and prints `ok` / `FAILED <why>`
# per call, then `N passed, M failed`. Stops everything it started, pass or fail.
#
# Needs: what scripts/run-local.sh needs, Go (installed from Debian's golang-go when missing),
# zerolog from Debian's golang-github-rs-zerolog-dev (installed when missing), and a checkout of
# the SDK:
#   CHAT_SDK_DIR   path of a qiscus-go checkout (default .local/qiscus-go, ignored by git).
# The Go module proxy is never used (GOPROXY=off): the program builds from a copy of
# scripts/chat-sdk-check/go.mod under .local/ with `replace` directives to local sources: the
# checkout, Debian's zerolog (the SDK's root package logs with github.com/rs/zerolog/log and its
# sdk package imports the root package), and empty stand-in modules for what the module graph
# names but no built package imports (testify, the SDK's test dependency; zerolog's own
# go-systemd, pkg/errors, xid, x/crypto, x/tools). A package the build did import from a
# stand-in would fail the build, not slip through.
#
# CHAT_SDK_CHECK_PORT (3950), STACK_NAME (chat-sdk), DYNAMODB_PORT (8950) and MOTO_PORT (5950)
# choose the ports; CHAT_SDK_APP_NAME (chat-sdk-check) names the app; CHAT_SDK_CHECK_VERBOSE=1
# prints what the SDK sent and what it got for every call, not only for failures.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '[chat-sdk-check] %s\n' "$*" >&2; }

export STACK_NAME="${STACK_NAME:-chat-sdk}"
export DYNAMODB_PORT="${DYNAMODB_PORT:-8950}"
export MOTO_PORT="${MOTO_PORT:-5950}"
api_port="${CHAT_SDK_CHECK_PORT:-3950}"
app_name="${CHAT_SDK_APP_NAME:-chat-sdk-check}"
sdk_dir="${CHAT_SDK_DIR:-$root/.local/qiscus-go}"
run_dir="$root/.local/run/$STACK_NAME"
zerolog_dir=/usr/share/gocode/src/github.com/rs/zerolog

# --- the SDK's source: a checkout, never part of this project ------------------------------
if [ ! -f "$sdk_dir/go.mod" ] || [ ! -f "$sdk_dir/sdk/api.go" ] || [ ! -f "$sdk_dir/httphelpers.go" ]; then
  cat >&2 <<EOF
[chat-sdk-check] no qiscus-go checkout at $sdk_dir
  Get one (checked against commit 22e1464, its master) into the ignored folder .local/:
    git clone https://github.com/Qiscus-Integration/qiscus-go .local/qiscus-go
  or point CHAT_SDK_DIR at an existing checkout:
    CHAT_SDK_DIR=/path/to/qiscus-go scripts/chat-sdk-check.sh
EOF
  exit 2
fi
sdk_dir="$(cd "$sdk_dir" && pwd)"

# --- Go and zerolog from Debian's packages --------------------------------------------------
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if ! command -v go >/dev/null 2>&1; then
  log "installing Go (Debian: golang-go)"
  apt_install golang-go
fi
if [ ! -f "$zerolog_dir/log/log.go" ]; then
  log "installing zerolog, the SDK's logger (Debian: golang-github-rs-zerolog-dev)"
  apt_install golang-github-rs-zerolog-dev
fi

# --- the check program, built offline --------------------------------------------------------
build_dir="$run_dir/chat-sdk-check"
rm -rf "$build_dir"
mkdir -p "$build_dir/stubs"
cp scripts/chat-sdk-check/go.mod scripts/chat-sdk-check/main.go "$build_dir/"
export GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local
export GOPATH="$root/.local/go" GOCACHE="$root/.local/go/cache"
replaces=(
  "-replace=github.com/Qiscus-Integration/qiscus-go=$sdk_dir"
  "-replace=github.com/rs/zerolog=$zerolog_dir"
)
for module in github.com/stretchr/testify github.com/coreos/go-systemd/v22 github.com/pkg/errors \
  github.com/rs/xid golang.org/x/crypto golang.org/x/tools; do
  stub="stubs/${module//\//_}"
  mkdir -p "$build_dir/$stub"
  printf 'module %s\n' "$module" >"$build_dir/$stub/go.mod"
  replaces+=("-replace=$module=./$stub")
done
log "building the check against the SDK at $sdk_dir ($(go version | cut -d' ' -f3))"
(cd "$build_dir" && go mod edit "${replaces[@]}" && nice go build -o chat-sdk-check .)

# --- the local API, the project's own way, and an app as a new user would make one ---------
# shellcheck source=scripts/local-api-for-check.sh
source scripts/local-api-for-check.sh
start_local_api CHAT_SDK_CHECK_PORT chat-sdk-api.log
create_app "$app_name"
log "app $app_id ($app_name); SDK at $sdk_dir"

# --- the SDK ----------------------------------------------------------------------------
status=0
QISCUS_APP_ID="$app_id" QISCUS_SECRET_KEY="$app_secret" QISCUS_API_BASE="http://127.0.0.1:$api_port" \
  "$build_dir/chat-sdk-check" || status=$?
exit "$status"
