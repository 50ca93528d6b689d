#!/usr/bin/env bash
# Tries the push contract with its official PHP client, watzenare/PushApi_Client, as a team
# moving onto this service would: starts the local API the project's own
# way (scripts/run-local.sh) on a stack of its own, creates an app with `userctl app create`,
# points the client at the API (base URL, port, app id, app name, secret: the client computes
# its own X-App-Auth = md5(name + date + secret)) and runs scripts/push-client-check.php, which
# calls every client method that maps to a push route and prints `ok` / `FAILED <why>` per
# method, then `N passed, M failed`. Stops everything it started, pass or fail.
#
# Needs: what scripts/run-local.sh needs, PHP CLI with the curl extension (installed from
# Debian's packages when missing: php-cli, php-curl), and a checkout of the client:
#   PUSH_CLIENT_DIR   path of a PushApi_Client checkout (default .local/push-client, ignored).
# The client is not installed with Composer: its Packagist package (pushapi/client-php) is
# out of reach of this project's machines, and its Composer dependency (Guzzle 5) is needed
# only by its Guzzle request manager; the check uses its cURL request manager, which needs
# only PHP's curl extension, and loads the client's classes as its composer.json maps them.
#
# PUSH_CHECK_PORT (3900), STACK_NAME (push-client), DYNAMODB_PORT (8900) and MOTO_PORT (5900)
# choose the ports; PUSH_APP_NAME (push-client-check) names the app.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '[push-client-check] %s\n' "$*" >&2; }

export STACK_NAME="${STACK_NAME:-push-client}"
export DYNAMODB_PORT="${DYNAMODB_PORT:-8900}"
export MOTO_PORT="${MOTO_PORT:-5900}"
api_port="${PUSH_CHECK_PORT:-3900}"
app_name="${PUSH_APP_NAME:-push-client-check}"
client_dir="${PUSH_CLIENT_DIR:-$root/.local/push-client}"
run_dir="$root/.local/run/$STACK_NAME"

# --- the client's source: a checkout, never part of this project -------------------------
if [ ! -f "$client_dir/PushApi_Client.php" ] || [ ! -f "$client_dir/RequestManagers/CurlRequestManager.php" ]; then
  cat >&2 <<EOF
[push-client-check] no PushApi_Client checkout at $client_dir
  Get one (checked against commit 33d544a, its master) into the ignored folder .local/:
    git clone https://github.com/watzenare/PushApi_Client .local/push-client
  or point PUSH_CLIENT_DIR at an existing checkout:
    PUSH_CLIENT_DIR=/path/to/PushApi_Client scripts/push-client-check.sh
EOF
  exit 2
fi

# --- PHP from Debian's packages -----------------------------------------------------------
if ! command -v php >/dev/null 2>&1 || ! php -r 'exit(function_exists("curl_init") ? 0 : 1);'; then
  log "installing PHP CLI and its curl extension (Debian: php-cli php-curl)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php-cli php-curl >/dev/null
fi

# --- the local API, the project's own way, and an app as a new user would make one ---------
# shellcheck source=scripts/local-api-for-check.sh
source scripts/local-api-for-check.sh
start_local_api PUSH_CHECK_PORT push-client-api.log
create_app "$app_name"
log "app $app_id ($app_name); client at $client_dir"

# --- the client -------------------------------------------------------------------------
status=0
PUSH_CLIENT_DIR="$client_dir" PUSH_API_URL="http://127.0.0.1/" PUSH_API_PORT="$api_port" \
  PUSH_APP_ID="$app_id" PUSH_APP_NAME="$app_name" PUSH_APP_SECRET="$app_secret" \
  php scripts/push-client-check.php || status=$?
exit "$status"
