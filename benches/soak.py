#!/usr/bin/env python3
"""A steady load over the routes of every function, for a while (10 minutes by default), against
a running local API: prints the errors (5xx answers, or no answer) per route and the API
process's resident memory sampled every 30 s, so a leak or a failure under sustained use shows.

    benches/soak.sh [minutes] [requests per second]

Each round signs a new user up (careers) and goes through the careers (sessions, the list, a
profile, and the follow graph: the previous round's user followed, unfollowed and followed
again, the lists of follows), accounts, campaign
(settings, inbox, staff routes, stats, counters), chat (app credentials) and push (users,
devices, channels, themes, subscriptions, preferences, /send) routes, from a different loopback
address per round (the per-address limits would otherwise throttle one address). 4xx answers
that a route gives by design are not errors; every answer is checked against its expected status.
"""

import http.client
import json
import os
import sys
import time
import urllib.parse
from collections import Counter

BASE = os.environ.get("SOAK_BASE", "http://127.0.0.1:3000")
PID = int(os.environ["SOAK_PID"])
APP_ID = os.environ["SOAK_APP_ID"]
APP_SECRET = os.environ["SOAK_APP_SECRET"]
STAFF_TOKEN = os.environ["SOAK_STAFF_TOKEN"]
STAFF_NAME = "soakstaff"  # the staff user soak.sh makes


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def call(method, path, body=None, headers=None, form=False, address="127.0.0.2"):
    """One request from the loopback address `address` (the local API sees the peer's address
    as the client's, as API Gateway gives the caller's)."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(HOST, PORT, timeout=15, source_address=(address, 0))
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        try:
            parsed = json.loads(payload or b"null")
        except ValueError:
            parsed = None
        return response.status, parsed
    except Exception:
        return 0, None
    finally:
        connection.close()


def round_of(n, results):
    address = f"127.0.{(n // 250) % 250 + 1}.{n % 250 + 2}"
    name = f"soak{os.getpid()}x{n}"
    app = {"X-App-Id": APP_ID, "X-App-Auth": APP_SECRET}
    chat = {"QISCUS_SDK_APP_ID": APP_ID, "QISCUS_SDK_SECRET": APP_SECRET}
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}

    def check(label, expected, status):
        results[label, status == expected] += 1

    status, body = call("POST", "/careers/users/register/", {
        "username": name, "email": f"{name}@example.com", "password": "password123",
        "password_confirm": "password123"}, address=address)
    check("careers register", 201, status)
    if status != 201:
        return
    token, user_id = body["access"], body["user"]["id"]
    # Round 0 follows the soak's staff user, who exists before the first round.
    previous = f"soak{os.getpid()}x{n - 1}" if n > 0 else STAFF_NAME
    me = {"Authorization": f"Bearer {token}"}
    steps = [
        ("careers login", 200, ("POST", "/careers/users/login/", {"username": name, "password": "password123"}, None, False)),
        ("careers me", 200, ("GET", "/careers/users/me/", None, me, False)),
        ("careers list", 200, ("GET", "/careers/users/?batch_size=10", None, me, False)),
        ("careers profile", 200, ("GET", f"/careers/users/{name}/", None, None, False)),
        # The previous round's user: followed (the function's first follow by this user),
        # unfollowed, then followed again (one transaction, both users known by then).
        ("careers follow", 201, ("POST", "/careers/users/follow/", {"username": previous}, me, False)),
        ("careers unfollow", 200, ("DELETE", f"/careers/users/{previous}/unfollow/", None, me, False)),
        ("careers follow again", 201, ("POST", "/careers/users/follow/", {"username": previous}, me, False)),
        ("careers my following", 200, ("GET", "/careers/users/following/", None, me, False)),
        ("careers followers", 200, ("GET", f"/careers/users/{previous}/followers/", None, me, False)),
        ("careers refresh", 200, ("POST", "/careers/users/token/refresh/", {"refresh": body["refresh"]}, None, False)),
        ("accounts get", 200, ("GET", f"/api/v1/accounts/users/{user_id}/", None, me, False)),
        ("campaign check login", 200, ("POST", "/api/check/login/", None, me, False)),
        ("campaign update preferences", 200, ("POST", "/api/update/preferences/", {"categories": ["fashion"], "language": "es"}, me, False)),
        ("campaign get notifications", 200, ("POST", "/api/get/notifications/", None, me, False)),
        ("campaign staff send", 200, ("POST", "/api/user/notification/", {"user_id": user_id, "title": "t", "message": "m", "type": "campaign"}, staff, False)),
        ("campaign history", 200, ("POST", "/api/get/notifications/history/", None, me, False)),
        ("campaign mark read", 200, ("POST", "/api/update/notifications/read/", {"all": True}, me, False)),
        ("campaign status", 200, ("POST", "/api/user/status/", {"user_id": user_id}, staff, False)),
        ("campaign stats sex", 200, ("POST", "/api/users/stats/sex/", None, staff, False)),
        ("campaign counters", 200, ("POST", "/api/user/counters/", {"request_id": f"r{name}", "user_id": user_id, "changes": {"posts_count": 1}}, {"X-App-Id": APP_ID, "X-App-Secret": APP_SECRET}, False)),
        ("chat login_or_register", 200, ("POST", "/api/v2.1/rest/login_or_register", {"user_id": f"chat-{name}", "username": name}, chat, False)),
        ("chat user_profile", 200, ("GET", f"/api/v2.1/rest/user_profile?user_id=chat-{name}", None, chat, False)),
        ("chat unread count", 200, ("GET", f"/api/v2.1/rest/get_user_unread_count?user_ids[]=chat-{name}", None, chat, False)),
        ("push get user", 200, ("GET", f"/user/{user_id}", None, app, False)),
        ("push add device", 200, ("POST", f"/user/{user_id}/device", {"android": f"tok-{name}"}, app, True)),
        ("push send", 200, ("POST", "/send", {"theme": "soak-alerts", "message": "hi", "user_id": user_id}, app, True)),
        ("push preferences", 200, ("GET", f"/user/{user_id}/preferences", None, app, False)),
        # Signs out with the refresh token the refresh above rotated to.
        ("careers logout", 200, ("POST", "/careers/users/logout/", lambda: {"refresh": tokens["refresh"]}, me, False)),
    ]
    tokens = {"refresh": body["refresh"]}
    for label, expected, (method, path, payload, headers, form) in steps:
        status, answer = call(method, path, payload() if callable(payload) else payload, headers, form, address)
        check(label, expected, status)
        if label == "careers refresh" and status == 200:
            tokens["refresh"] = answer["refresh"]


def main():
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0  # rounds per second
    app = {"X-App-Id": APP_ID, "X-App-Auth": APP_SECRET}
    call("POST", "/theme", {"name": "soak-alerts", "range": "unicast"}, app, True)
    results = Counter()
    memory = []
    started = time.monotonic()
    next_sample = started
    n = 0
    while time.monotonic() - started < minutes * 60:
        if time.monotonic() >= next_sample:
            memory.append((round(time.monotonic() - started), rss_mib(PID)))
            next_sample += 30
        round_started = time.monotonic()
        round_of(n, results)
        n += 1
        time.sleep(max(0.0, 1.0 / rate - (time.monotonic() - round_started)))
    memory.append((round(time.monotonic() - started), rss_mib(PID)))
    elapsed = time.monotonic() - started
    requests = sum(results.values())
    errors = sum(count for (label, ok), count in results.items() if not ok)
    print(f"{minutes:g} minutes, {n} rounds, {requests} requests ({requests / elapsed:.1f}/s), {errors} errors\n")
    print("| route | answered as expected | not |\n|---|---:|---:|")
    for label in sorted({label for label, _ in results}):
        print(f"| {label} | {results[label, True]} | {results[label, False]} |")
    print("\n| second | API resident memory MiB |\n|---:|---:|")
    for second, mib in memory:
        print(f"| {second} | {mib:.1f} |")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
