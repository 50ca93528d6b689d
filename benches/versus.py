#!/usr/bin/env python3
"""What benches/versus.sh runs: the same careers workload against this service's local API
and, given PEER_URL, against the original careers service, route by route, with wrk.

    versus.py seed BASE COUNT PREFIX OUT      sign COUNT users up and in; OUT.lua and OUT.json
    versus.py proxy PORT UPSTREAM_PORT        a DynamoDB proxy that counts each call
    versus.py count                           DynamoDB calls per request, through the counting instance
    versus.py run                             the runs and the table (settings from the environment)

Per route: requests/s, p50 and p99 (wrk, closed loop), CPU ms per request of the API process
(utime + stime from /proc/<pid>/stat; for the original, its gunicorn master and workers, with
the reaped workers' time) and of DynamoDB Local, and the DynamoDB calls and consumed capacity
of one request, counted by the proxy in front of a second local API instance on the same table.
"""

import concurrent.futures
import http.client
import http.server
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Versus-pass-7341"  # accepted by both services' password rules
ROUTES = ["me", "profile", "list", "follow", "login"]
ROUTE_LABELS = {
    "me": "GET me/",
    "profile": "GET {username}/",
    "list": "GET ?batch_size=10",
    "follow": "POST follow/",
    "login": "POST login/",
}


def call(base, method, path, body=None, headers=None, address=None, timeout=60):
    parts = urllib.parse.urlsplit(base)
    data = json.dumps(body).encode() if body is not None else None
    headers = dict(headers or {})
    if data is not None:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout,
        source_address=(address, 0) if address else None)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        try:
            return response.status, json.loads(payload or b"null")
        except ValueError:
            return response.status, None
    finally:
        connection.close()


def seed_address(n):
    # The seed's own loopback addresses (the local API limits sign-ups and sign-ins per address).
    return f"127.251.{n // 250}.{n % 250 + 2}"


def seed(base, count, prefix, out):
    def one(n):
        name = f"{prefix}u{n}"
        address = seed_address(n)
        status, body = call(base, "POST", "/careers/users/register/", {
            "username": name, "email": f"{name}@example.com", "password": PASSWORD,
            "password_confirm": PASSWORD, "first_name": "Bench", "last_name": f"User{n}",
            "bio": "load benchmark user"}, address=address)
        if status != 201:
            raise SystemExit(f"register {name}: {status} {body}")
        status, body = call(base, "POST", "/careers/users/login/",
                            {"username": name, "password": PASSWORD}, address=address)
        if status != 200:
            raise SystemExit(f"login {name}: {status} {body}")
        return {"id": body["user"]["id"], "name": name, "token": body["access"]}

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        users = list(pool.map(one, range(count)))
    with open(out + ".json", "w") as f:
        json.dump(users, f)
    with open(out + ".lua", "w") as f:
        f.write(f'PASSWORD = "{PASSWORD}"\nUSERS = {{\n')
        for u in users:
            f.write(f'  {{id = {u["id"]}, name = "{u["name"]}", token = "{u["token"]}"}},\n')
        f.write("}\n")
    print(f"seeded {count} users on {base} in {time.monotonic() - started:.1f} s", file=sys.stderr)


# --- the counting proxy ---------------------------------------------------------------------

READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
CAPACITY_OPS = READS | {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def proxy(port, upstream_port):
    calls, lock = [], threading.Lock()
    local = threading.local()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):  # control: the calls since the last GET, then forgets them
            with lock:
                taken = list(calls)
                calls.clear()
            payload = json.dumps(taken).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            if operation in CAPACITY_OPS:
                # Ask for the consumed capacity (DynamoDB Local does not check the signature).
                request = json.loads(body)
                request.setdefault("ReturnConsumedCapacity", "TOTAL")
                body = json.dumps(request).encode()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
            headers["Content-Length"] = str(len(body))
            for attempt in (1, 2):  # once more on a fresh connection if DynamoDB Local closed it
                if getattr(local, "upstream", None) is None:
                    local.upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                try:
                    local.upstream.request("POST", self.path, body=body, headers=headers)
                    response = local.upstream.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError):
                    local.upstream.close()
                    local.upstream = None
                    if attempt == 2:
                        raise
            capacity = 0.0
            try:
                consumed = json.loads(payload).get("ConsumedCapacity")
                for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
                    capacity += float(entry.get("CapacityUnits", 0))
            except (ValueError, AttributeError):
                pass
            with lock:
                calls.append([operation, capacity])
            self.send_response(response.status)
            for k, v in response.getheaders():
                if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


# --- the run --------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_seconds(pids):
    """utime + stime of each process and its descendants, with the time of reaped children."""
    total = 0
    for root in pids:
        for pid in descendants(root):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            except OSError:
                pass
    return total / TICK


def wrk(base, route, users_lua, offset):
    threads = int(os.environ.get("VERSUS_THREADS", "2"))
    command = ["nice", "-n", "10", "wrk", f"-t{threads}", f"-c{os.environ.get('VERSUS_CONNECTIONS', '16')}",
               f"-d{os.environ.get('VERSUS_SECONDS', '15')}s", "--timeout", "30s",
               "-s", os.path.join(HERE, "versus", "load.lua"), base, "--",
               route, users_lua, str(offset), str(threads)]
    env = dict(os.environ)
    if route == "login":
        env["LD_PRELOAD"] = os.environ["VERSUS_SPREAD_SO"]
        env["SPREAD_OFFSET"] = str(random.randrange(250 * 250))
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in output.splitlines() if l.startswith("VERSUS "))
    return json.loads(line[len("VERSUS "):])


def measure(base, route, users_lua, offset, api_pids, db_pids):
    api0, db0 = cpu_seconds(api_pids), cpu_seconds(db_pids) if db_pids else 0.0
    result = wrk(base, route, users_lua, offset)
    api1, db1 = cpu_seconds(api_pids), cpu_seconds(db_pids) if db_pids else 0.0
    n = max(result["requests"], 1)
    result.update(
        rps=result["requests"] / (result["duration_us"] / 1e6),
        api_ms=(api1 - api0) * 1000 / n,
        db_ms=(db1 - db0) * 1000 / n if db_pids else None)
    return result


def follow_pair(k, n):
    """Pair k of load.lua's sequence of follows among n users: (follower, target)."""
    return k % n, (k % n + (k // n) % (n - 1) + 1) % n


def follows_taken(samples, n):
    """The follows the counting instance makes (a warm-up of n, then `samples` counted): the
    timed runs start after them, so that every follow they make is new."""
    return n + samples


def follow(url, users, k):
    follower, target = follow_pair(k, len(users))
    return call(url, "POST", "/careers/users/follow/", {"following": users[target]["id"]},
                headers={"Authorization": f"Bearer {users[follower]['token']}"})


def count_calls(count_url, proxy_url, users, samples):
    """Per route, the DynamoDB calls of one request through the counting instance: the most
    common set over `samples` sequential requests (a delivery-worker sweep may land inside one).
    Follows are counted after a warm-up of one follow by each user (as the timed run is, after
    its first second), so that they show what a follow costs once the process knows its users."""
    results = {}

    def take():
        return call(proxy_url, "GET", "/__calls")[1]

    for route in ROUTES:
        # The warm-up comes right before the follows (the routes before them run with no
        # follows made, as in the timed runs).
        for k in range(len(users) if route == "follow" else 0):
            status, _ = follow(count_url, users, k)
            if status != 201:
                raise SystemExit(f"warming up follow: status {status}")
        seen = Counter()
        for i in range(samples):
            u = users[i % len(users)]
            auth = {"Authorization": f"Bearer {u['token']}"}
            take()
            if route == "me":
                status, _ = call(count_url, "GET", "/careers/users/me/", headers=auth)
            elif route == "profile":
                status, _ = call(count_url, "GET", f"/careers/users/{u['name']}/")
            elif route == "list":
                status, _ = call(count_url, "GET", "/careers/users/?batch_size=10", headers=auth)
            elif route == "follow":  # pairs n..n+samples-1 of load.lua's sequence; wrk starts after
                status, _ = follow(count_url, users, len(users) + i)
            else:
                status, _ = call(count_url, "POST", "/careers/users/login/",
                                 {"username": u["name"], "password": PASSWORD}, address=f"127.252.{i // 250}.{i % 250 + 2}")
            if status not in (200, 201):
                raise SystemExit(f"counting {route}: status {status}")
            trips = take()
            ops = Counter(op for op, _ in trips)
            key = (tuple(sorted(ops.items())), round(sum(c for _, c in trips), 2))
            seen[key] += 1
        # The follows made here are undone, so that the timed runs find no follows but their own
        # (a list page for a caller who follows someone makes one more read).
        for k in range(follows_taken(samples, len(users)) if route == "follow" else 0):
            follower, target = follow_pair(k, len(users))
            status, _ = call(count_url, "DELETE", f"/careers/users/{users[target]['name']}/unfollow/",
                             headers={"Authorization": f"Bearer {users[follower]['token']}"})
            if status != 200:
                raise SystemExit(f"undoing follow {k}: status {status}")
        (ops, capacity), hits = seen.most_common(1)[0]
        results[route] = {"calls": dict(ops), "round_trips": sum(n for _, n in ops), "capacity": capacity,
                          "agreeing": hits, "samples": samples}
    return results


def fmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def run():
    this_url = os.environ["VERSUS_API_URL"]
    api_pids = [int(p) for p in os.environ["VERSUS_API_PIDS"].split()]
    db_pids = [int(p) for p in os.environ["VERSUS_DB_PIDS"].split()]
    peer_url = os.environ.get("PEER_URL")
    peer_pids = [int(p) for p in os.environ.get("PEER_PIDS", "").split()]
    routes = os.environ.get("VERSUS_ROUTES", " ".join(ROUTES)).split()
    samples = int(os.environ.get("VERSUS_COUNT_SAMPLES", "30"))
    out = os.environ["VERSUS_OUT"]

    trips = json.load(open(out + "/trips.json")) if os.path.exists(out + "/trips.json") else {}

    idle = float(os.environ.get("VERSUS_IDLE_SECONDS", "5"))
    a0, d0 = cpu_seconds(api_pids), cpu_seconds(db_pids)
    p0 = cpu_seconds(peer_pids) if peer_pids else 0.0
    time.sleep(idle)
    idle_api = (cpu_seconds(api_pids) - a0) * 1000 / idle
    idle_db = (cpu_seconds(db_pids) - d0) * 1000 / idle
    idle_peer = (cpu_seconds(peer_pids) - p0) * 1000 / idle if peer_pids else None

    offset = follows_taken(samples, len(json.load(open(out + "/this.json"))))
    rows = {}
    for route in routes:
        this = measure(this_url, route, out + "/this.lua", offset, api_pids, db_pids)
        peer = measure(peer_url, route, out + "/peer.lua", offset, peer_pids, []) if peer_url else None
        rows[route] = (this, peer)
        print(f"{route}: this {this['rps']:.0f}/s {this['api_ms']:.3f} ms CPU"
              + (f"; original {peer['rps']:.0f}/s {peer['api_ms']:.3f} ms CPU" if peer else ""), file=sys.stderr)

    print(f"\nwrk: {os.environ.get('VERSUS_CONNECTIONS', '16')} connections, {os.environ.get('VERSUS_THREADS', '2')} threads, "
          f"{os.environ.get('VERSUS_SECONDS', '15')} s per route and service; idle CPU before the runs: API {idle_api:.1f} ms/s, "
          f"DynamoDB Local {idle_db:.1f} ms/s" + (f", original {idle_peer:.1f} ms/s" if peer_pids else "") + "\n")
    print("| route | service | requests/s | p50 ms | p99 ms | API CPU ms/req | DynamoDB Local CPU ms/req | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for route in routes:
        for name, r in zip(("this", "original"), rows[route]):
            if r is None:
                continue
            print(f"| {ROUTE_LABELS[route]} | {name} | {r['rps']:.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | "
                  f"{r['api_ms']:.3f} | {fmt(r['db_ms'], 3)} | {r['status_errors'] + r['socket_errors']} |")
    if peer_url:
        print("\n| route | API CPU/req this ÷ original | (API + DynamoDB Local) ÷ original | p99 this ÷ original | requests/s this ÷ original |")
        print("|---|---:|---:|---:|---:|")
        for route in routes:
            this, peer = rows[route]
            print(f"| {ROUTE_LABELS[route]} | 1/{peer['api_ms'] / max(this['api_ms'], 1e-9):.1f} | "
                  f"1/{peer['api_ms'] / max(this['api_ms'] + this['db_ms'], 1e-9):.1f} | "
                  f"{this['p99_us'] / peer['p99_us']:.3f} | {this['rps'] / peer['rps']:.1f} |")
    if trips:
        print(f"\n| route | DynamoDB calls per request (this service) | round trips | consumed capacity units | requests agreeing |")
        print("|---|---|---:|---:|---:|")
        for route in routes:
            t = trips[route]
            calls = ", ".join(f"{op} {n}" for op, n in sorted(t["calls"].items()))
            print(f"| {ROUTE_LABELS[route]} | {calls} | {t['round_trips']} | {t['capacity']:g} | {t['agreeing']}/{t['samples']} |")
    with open(out + "/results.json", "w") as f:
        json.dump({"rows": rows, "round_trips": trips, "idle_ms_per_s": [idle_api, idle_db, idle_peer]}, f, indent=1)
    bad = sum(r["status_errors"] + r["socket_errors"] for pair in rows.values() for r in pair if r)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        seed(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif command == "proxy":
        proxy(int(sys.argv[2]), int(sys.argv[3]))
    elif command == "count":
        out = os.environ["VERSUS_OUT"]
        trips = count_calls(os.environ["VERSUS_COUNT_URL"], os.environ["VERSUS_PROXY_URL"],
                            json.load(open(out + "/this.json")), int(os.environ.get("VERSUS_COUNT_SAMPLES", "30")))
        with open(out + "/trips.json", "w") as f:
            json.dump(trips, f)
    elif command == "run":
        run()
    else:
        raise SystemExit(__doc__)
