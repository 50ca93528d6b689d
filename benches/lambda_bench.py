#!/usr/bin/env python3
"""Measures the function binaries the way Lambda runs them.

Each binary is started against a local stand-in of the Lambda Runtime API (one per function,
on 127.0.0.1), so the numbers include everything the real runtime loop does:

- cold start: from just before the process is spawned to its first
  `GET /runtime/invocation/next` (init done, ready for an event);
- per-invocation latency: from handing out an event to receiving its response, for rounds of
  sign-up, sign-in (argon2), `me`, a user list, follow and unfollow, token refresh, sign-out,
  and refused sign-ins of a known and of an unknown user (which should take the same time);
- peak memory: VmHWM of each process after the run.

The functions talk to the local stack (DynamoDB Local): run it through benches/run.sh, which
builds release binaries and starts the stack. Prints a Markdown table.
"""

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """A minimal Lambda Runtime API: hands out queued events, collects responses."""

    def __init__(self):
        self.events = queue.Queue()
        self.responses = {}
        self.first_poll = None
        self.done = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404)
                if api.first_poll is None:
                    api.first_poll = time.perf_counter()
                request_id, payload = api.events.get()
                deadline = int((time.time() + 30) * 1000)
                self._reply(200, payload, {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                })

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = self.path.split("/")
                request_id = parts[-2] if len(parts) > 2 else ""
                with api.done:
                    api.responses[request_id] = (self.path.rsplit("/", 1)[-1], body, time.perf_counter())
                    api.done.notify_all()
                self._reply(202, b"{}", {"Content-Type": "application/json"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self):
        host, port = self.server.server_address
        return f"{host}:{port}"

    def invoke(self, event, timeout=30):
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        self.events.put((request_id, json.dumps(event).encode()))
        with self.done:
            if not self.done.wait_for(lambda: request_id in self.responses, timeout):
                raise RuntimeError("no response within the timeout")
            kind, body, finished = self.responses.pop(request_id)
        if kind != "response":
            raise RuntimeError(f"invocation failed: {body[:300]!r}")
        return json.loads(body), (finished - started) * 1000


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Function:
    def __init__(self, binary, env):
        self.api = RuntimeApi()
        process_env = dict(os.environ, **env)
        process_env.update({
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_LAMBDA_FUNCTION_NAME": Path(binary).name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_LAMBDA_LOG_LEVEL": "WARN",
        })
        self.binary = binary
        self.spawned = time.perf_counter()
        self.process = subprocess.Popen([binary], env=process_env, stdout=subprocess.DEVNULL)
        while self.api.first_poll is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"{binary} exited during init")
            time.sleep(0.0005)
        self.cold_start_ms = (self.api.first_poll - self.spawned) * 1000
        self.latencies = {}

    def invoke(self, name, event):
        response, millis = self.api.invoke(event)
        self.latencies.setdefault(name, []).append(millis)
        return response

    def stop(self):
        peak = peak_rss_kib(self.process.pid)
        self.process.kill()
        self.process.wait()
        return peak


_CLIENTS = iter(range(1, 10**9))

# Every function's binary, and `hello` (the floor: a lambda_runtime function doing nothing).
COLD_START_BINARIES = (
    "auth", "users", "social", "admin", "preferences", "notifications", "delivery", "stats-job",
    "hello",
)


def load_event(function, name, substitutions):
    text = (ROOT / "events" / function / f"{name}.json").read_text()
    for key, value in substitutions.items():
        text = text.replace(key, value)
    event = json.loads(text)
    # A different client address per request: the service rate-limits sign-ins per address.
    n = next(_CLIENTS)
    event["requestContext"]["http"]["sourceIp"] = f"198.51.{(n // 250) % 250}.{n % 250 + 1}"
    return event


def body_of(response):
    return json.loads(response.get("body") or "null")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--cold-starts", type=int, default=20)
    args = parser.parse_args()

    env = {"TABLE_NAME": os.environ["TABLE_NAME"]}
    auth_bin = str(Path(args.bin_dir) / "auth")
    users_bin = str(Path(args.bin_dir) / "users")
    social_bin = str(Path(args.bin_dir) / "social")

    # Cold starts: fresh processes, nothing invoked; every function, and the floor: a
    # lambda_runtime function that does nothing, built with the same profile.
    cold = {name: [] for name in COLD_START_BINARIES}
    cold_peaks = {}
    for _ in range(args.cold_starts):
        for name in COLD_START_BINARIES:
            function = Function(str(Path(args.bin_dir) / name), env)
            cold[name].append(function.cold_start_ms)
            cold_peaks[name] = max(cold_peaks.get(name, 0), function.stop())

    auth = Function(auth_bin, env)
    users = Function(users_bin, env)
    social = Function(social_bin, env)
    suffix = uuid.uuid4().hex[:8]

    def register(username):
        event = load_event("auth", "careers-register", {})
        body = json.loads(event["body"])
        body.update(username=username, email=f"{username}@example.com")
        event["body"] = json.dumps(body)
        reply = auth.invoke("register", event)
        if reply["statusCode"] != 201:
            sys.exit(f"sign-up failed: {reply}")

    other = f"other{suffix}"
    register(other)
    # Each round signs up its own user: the service's per-account limits and lockout would
    # refuse one account signing in hundreds of times a minute, as they should.
    for round_number in range(args.rounds):
        username = f"b{suffix}{round_number}"
        register(username)
        login = load_event("auth", "careers-login", {})
        login["body"] = json.dumps({"username": username, "password": "password123"})
        tokens = body_of(auth.invoke("login", login))
        subs = {"ACCESS_TOKEN": tokens["access"], "REFRESH_TOKEN": tokens["refresh"]}
        me = users.invoke("me", load_event("users", "careers-me", subs))
        assert me["statusCode"] == 200, me
        listed = users.invoke("list", load_event("users", "careers-list", subs))
        assert listed["statusCode"] == 200, listed
        follow = load_event("social", "careers-follow", subs)
        follow["body"] = json.dumps({"username": other})
        followed = social.invoke("follow", follow)
        assert followed["statusCode"] == 201, followed
        unfollow = load_event("social", "careers-unfollow", subs)
        unfollow["rawPath"] = f"/careers/users/{other}/unfollow/"
        unfollow["requestContext"]["http"]["path"] = unfollow["rawPath"]
        assert social.invoke("unfollow", unfollow)["statusCode"] == 200
        refreshed = body_of(auth.invoke("refresh", load_event("auth", "careers-token-refresh", subs)))
        subs = {"ACCESS_TOKEN": refreshed["access"], "REFRESH_TOKEN": refreshed["refresh"]}
        out = auth.invoke("logout", load_event("auth", "careers-logout", subs))
        assert out["statusCode"] == 200, out
        auth.invoke("jwks", load_event("auth", "jwks", {}))
        # The same refusal must take the same time whether or not the account exists.
        for label, name in (("login, wrong password", username), ("login, unknown user", f"nobody{suffix}{round_number}")):
            wrong = load_event("auth", "careers-login", {})
            wrong["body"] = json.dumps({"username": name, "password": "not-the-password"})
            refused = auth.invoke(label, wrong)
            assert refused["statusCode"] == 401, refused

    peaks = {"auth": auth.stop(), "users": users.stop(), "social": social.stop()}

    def ms(values):
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return f"{statistics.median(values):.2f} / {p95:.2f} / {max(values):.2f}"

    print(f"Rounds: {args.rounds}; cold starts per function: {args.cold_starts}\n")
    floor = statistics.median(cold["hello"])
    print("| function | cold start ms (median / p95 / max) | median / the floor's | peak RSS MiB |")
    print("|---|---|---|---|")
    for name in COLD_START_BINARIES:
        peak = peaks.get(name, cold_peaks[name])
        ratio = statistics.median(cold[name]) / floor
        print(f"| {name} | {ms(cold[name])} | {ratio:.2f} | {peak / 1024:.1f} |")
    print("\n| invocation | function | latency ms (median / p95 / max) |")
    print("|---|---|---|")
    for function in (auth, users, social):
        for name, values in function.latencies.items():
            print(f"| {name} | {Path(function.binary).name} | {ms(values)} |")


if __name__ == "__main__":
    main()
