# Sourced by the real-client checks (push-client-check.sh, chat-sdk-check.sh): starts the
# local API the project's own way (scripts/run-local.sh) on the caller's stack and port, stops
# it again on exit, and creates an app credential as a new user would with `userctl`.
#
# The caller sets: log() (its own prefix), api_port, run_dir, STACK_NAME, DYNAMODB_PORT,
# MOTO_PORT, and the name of the variable that chooses the port (for the error message).

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

runner_pid=""
stop_local_api() {
  if [ -n "$runner_pid" ] && kill -0 "$runner_pid" 2>/dev/null; then
    # run-local.sh's own trap stops the API and the stack it started.
    kill -TERM "$runner_pid" 2>/dev/null || true
    wait "$runner_pid" 2>/dev/null || true
  fi
  # In case run-local.sh died before its trap ran: the stack of this name only.
  bash scripts/stack.sh stop 2>/dev/null || true
}

# start_local_api PORT_VARIABLE LOG_NAME: builds, starts and waits for the API on $api_port.
start_local_api() {
  local port_variable=$1 api_log="$run_dir/$2"
  if port_in_use "$api_port"; then
    log "port $api_port is already in use by another program; set $port_variable"
    exit 1
  fi
  log "building local-api and userctl"
  nice cargo build --locked -q -p users-tools --bin local-api --bin userctl
  mkdir -p "$run_dir"
  trap stop_local_api EXIT
  trap 'exit 130' INT TERM
  log "starting the local API on 127.0.0.1:$api_port (stack $STACK_NAME; log $api_log)"
  PORT="$api_port" nice bash scripts/run-local.sh >"$api_log" 2>&1 &
  runner_pid=$!
  for _ in $(seq 1 600); do
    if grep -q '^Users API on ' "$api_log" 2>/dev/null && port_in_use "$api_port"; then return; fi
    if ! kill -0 "$runner_pid" 2>/dev/null; then
      log "the local API exited while starting; its log:"
      tail -n 30 "$api_log" >&2
      exit 1
    fi
    sleep 0.5
  done
  log "the local API did not open port $api_port; its log:"
  tail -n 30 "$api_log" >&2
  exit 1
}

# create_app NAME: sets app_id and app_secret to a new credential in the local table.
create_app() {
  eval "$(bash scripts/stack.sh env)"
  export TABLE_NAME="${TABLE_NAME:-users-local}"
  local created
  created="$(./target/debug/userctl app create "$1")"
  app_id="$(printf '%s\n' "$created" | sed -n 's/^app id: //p')"
  app_secret="$(printf '%s\n' "$created" | sed -n 's/^secret: //p')"
  if [ -z "$app_id" ] || [ -z "$app_secret" ]; then
    log "userctl app create printed no credential"
    exit 1
  fi
}
