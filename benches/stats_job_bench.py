#!/usr/bin/env python3
"""Measures the stats-job binary the way Lambda runs it, with the harness of lambda_bench.py
(a local stand-in of the Lambda Runtime API): package size, cold start, the time of a run over
the table TABLE_NAME (its scheduled event from events/stats-job/) and peak memory.

Needs the local stack and a table with users in it, and a release build:
    cargo build --release -p stats-job-function
    TABLE_NAME=<table> python3 benches/stats_job_bench.py
Prints a Markdown table.
"""

import argparse
import io
import json
import os
import statistics
import zipfile
from pathlib import Path

from lambda_bench import ROOT, Function


def ms(values):
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{statistics.median(values):.2f} / {p95:.2f} / {max(values):.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    parser.add_argument("--cold-starts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    binary = str(Path(args.bin_dir) / "stats-job")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(binary, "bootstrap")
    env = {"TABLE_NAME": os.environ["TABLE_NAME"]}

    cold = []
    for _ in range(args.cold_starts):
        function = Function(binary, env)
        cold.append(function.cold_start_ms)
        function.stop()

    job = Function(binary, env)
    schedule = json.loads((ROOT / "events" / "stats-job" / "schedule.json").read_text())
    counted = [job.invoke("run", schedule) for _ in range(args.runs)]
    peak = job.stop()

    print(f"Users counted: {counted[-1]['users']}; runs: {args.runs}; cold starts: {args.cold_starts}\n")
    print("| binary KiB | zip KiB | cold start ms (median / p95 / max) | run ms (median / p95 / max) | peak RSS MiB |")
    print("|---|---|---|---|---|")
    print(
        f"| {os.path.getsize(binary) // 1024} | {len(buffer.getvalue()) // 1024} | {ms(cold)} "
        f"| {ms(job.latencies['run'])} | {peak / 1024:.1f} |"
    )


if __name__ == "__main__":
    main()
