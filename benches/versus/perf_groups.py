#!/usr/bin/env python3
"""Groups a flat `perf report` of the local API into where the time goes.

    perf record -e cpu-clock -F 999 -p <local-api pid> -o me.data -- sleep 15   # while wrk runs
    perf report -i me.data --stdio --no-children --sort sym -g none --percent-limit 0 \\
      | python3 benches/versus/perf_groups.py

Needs a build with symbols: CARGO_PROFILE_RELEASE_STRIP=false (the same code as the release
build, which is stripped). Prints the share of each group and the top symbols of each.
"""
import re
import sys
from collections import defaultdict

GROUPS = [  # first match wins; matched against the demangled symbol
    ("argon2 (password hash)", r"argon2|blake2|Blake2"),
    ("kernel: memory (page faults, unmapping)", r"^\[k\] .*(page|pte|folio|memcg|unmap|mas_|lru|rmap|zap|alloc|vma|mmap|spin_lock\b|list_del|charge|tlb|anon|pmd)"),
    ("kernel: scheduling, syscalls, loopback TCP", r"^\[k\]"),
    ("JWT: Ed25519 verify/sign (aws-lc)", r"edwards25519|x25519|ed25519|Ed25519|sha512|jsonwebtoken|bignum_"),
    ("SigV4 signing (aws_sigv4, SHA-256, HMAC)", r"aws_sigv4|sigv4|sha256|Sha256|hmac|Hmac|sha2::"),
    ("JSON (smithy json, serde, serde_dynamo)", r"serde_json|aws_smithy_json|serde_dynamo|protocol_serde|serde::|serde_core|itoa|ryu|json|Deserialize|Serialize"),
    ("DynamoDB SDK (smithy orchestrator, config bag, interceptors, endpoint)", r"aws_sdk_dynamodb|aws_smithy|aws_runtime|aws_types|aws_config|aws_credential|TypeErasedBox"),
    ("HTTP (hyper server and client, http)", r"hyper|\bh2::|\bhttp::|httparse|http_body|lambda_http|tower"),
    ("tokio runtime, futures", r"tokio|mio|parking_lot|futures"),
    ("tracing, formatting", r"tracing|\blog::|core::fmt|Formatter|write_fmt|format_inner|chrono"),
    ("allocation, memcpy (glibc)", r"malloc|free|realloc|calloc|memcpy|memmove|memset|memcmp|_int_|unlink_chunk|tcache|alloc::|RawVec|drop_in_place|clone"),
    ("hashing (SipHash maps)", r"sip::|hash_one|hashbrown"),
    ("service code (users_shared, functions, tools)", r"users_shared|users_tools|_function::"),
]

rows = []
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+(\[[k.]\])\s+(.*\S)", line)
    if m:
        pct, kind, sym = float(m.group(1)), m.group(2), m.group(3)
        rows.append((pct, ("[k] " if kind == "[k]" else "") + sym))

groups = defaultdict(list)
for pct, sym in rows:
    for name, pattern in GROUPS:
        if re.search(pattern, sym):
            groups[name].append((pct, sym))
            break
    else:
        groups["other"].append((pct, sym))

total = sum(p for p, _ in rows)
print(f"| group | share of the API's CPU samples | top symbols |\n|---|---:|---|")
for name, items in sorted(groups.items(), key=lambda kv: -sum(p for p, _ in kv[1])):
    share = sum(p for p, _ in items)
    top = "; ".join(f"`{s[:70]}` {p:.1f}%" for p, s in sorted(items, reverse=True)[:3])
    print(f"| {name} | {share:.1f}% | {top} |")
print(f"\n(total {total:.1f}% of samples classified)")
