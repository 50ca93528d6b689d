#!/usr/bin/env bash
# Prints, and removes, what the local API published: the messages of the SQS queue that is
# subscribed to the local topic. One JSON line each: the message attributes (channel, type,
# user_id, idempotency_key) and the message; then how many went to each channel.
#   scripts/inbox.sh [queue name]     (default: users-local-NotificationsTopic-inbox)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$(bash "$root/scripts/stack.sh" env)"
"$root/.local/venv/bin/python" - "${1:-users-local-NotificationsTopic-inbox}" <<'PY'
import json, os, sys
import boto3

sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL_SQS"], region_name=os.environ["AWS_REGION"])
url = sqs.get_queue_url(QueueName=sys.argv[1])["QueueUrl"]
per_channel = {}
while True:
    batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    if not batch:
        break
    for message in batch:
        envelope = json.loads(message["Body"])
        attributes = {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()}
        channel = attributes.get("channel", "?")
        per_channel[channel] = per_channel.get(channel, 0) + 1
        print(json.dumps({"attributes": attributes, "message": json.loads(envelope["Message"])}))
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
print("per channel: " + (", ".join(f"{c}: {n}" for c, n in sorted(per_channel.items())) or "nothing published"), file=sys.stderr)
PY
