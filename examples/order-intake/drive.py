#!/usr/bin/env python3
"""Drives the deployed order-intake stack end to end and prints what it saw as one JSON object:
posts three orders (one for an item the catalog lacks), waits for the two good ones to be
processed and the bad one to reach the dead-letter queue, inspects it there, adds the item to the
catalog, redrives the DLQ with StartMessageMoveTask and waits for the third order.

  AWS_ENDPOINT_URL=http://localhost:4566 STACK=order-intake ./drive.py
"""
import json
import os
import time
import urllib.error
import urllib.request

import boto3

endpoint = os.environ["AWS_ENDPOINT_URL"]
stack = os.environ.get("STACK", "order-intake")
cfn, s3, sqs = boto3.client("cloudformation"), boto3.client("s3"), boto3.client("sqs")
out = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
bucket, dlq = out["OrdersBucket"], out["DeadLetterQueueUrl"]
# gureum serves the stage at /_gureum/execute-api/<api-id>/<stage>/ (or the Host <api-id>.execute-api.localhost).
order_url = "%s/_gureum/execute-api/%s/prod/order" % (endpoint, out["ApiId"])
seen = {}


def wait(what, fn, timeout=90):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.25)


def post(order):
    req = urllib.request.Request(order_url, data=json.dumps(order).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


# A run's own order ids and unknown item, so drive.py can run again against the same stack.
run = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
special = "kimchi-" + run


def processed():
    """The run's processed orders, as o-<n>."""
    got = s3.list_objects_v2(Bucket=bucket, Prefix="orders/%s-" % run).get("Contents", [])
    return sorted("o-" + o["Key"].rsplit("-", 1)[-1][:-len(".json")] for o in got)


s3.put_object(Bucket=bucket, Key="catalog/bibimbap", Body=b"12.50")
seen["posts"] = [post({"id": run + "-1", "item": "bibimbap", "quantity": 2}),
                 post({"id": run + "-2", "item": special, "quantity": 1}),
                 post({"id": run + "-3", "item": "bibimbap", "quantity": 1})]

wait("orders o-1 and o-3", lambda: len(processed()) >= 2)


def dlq_depth():
    a = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"])


def dead_letters():
    """The run's messages in the DLQ, looked at without taking them (visibility 0 leaves them for the redrive)."""
    got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0,
                              MessageSystemAttributeNames=["All"]).get("Messages", [])
    return [m for m in got if json.loads(m["Body"])["id"].startswith(run)]


msgs = wait("the failed order in the DLQ", dead_letters)
seen["dead_letters"] = [json.loads(m["Body"]) for m in msgs]
seen["dead_letter_ids"] = ["o-" + d["id"].rsplit("-", 1)[-1] for d in seen["dead_letters"] if d["id"].startswith(run)]
seen["dead_letter_source"] = msgs[0]["Attributes"].get("DeadLetterQueueSourceArn")
seen["processed_before_redrive"] = processed()

# Fix the cause, then redrive the DLQ to its source queue.
s3.put_object(Bucket=bucket, Key="catalog/" + special, Body=b"4.00")
started = int(time.time() * 1000) - 1000
task = sqs.start_message_move_task(SourceArn=out["DeadLetterQueueArn"])
seen["move_task_handle"] = bool(task.get("TaskHandle"))
tasks = wait("the move task", lambda: [t for t in sqs.list_message_move_tasks(SourceArn=out["DeadLetterQueueArn"])["Results"]
                                        if t["Status"] == "COMPLETED" and t["StartedTimestamp"] >= started])
seen["moved"] = tasks[0]["ApproximateNumberOfMessagesMoved"]
wait("order o-2 after the redrive", lambda: len(processed()) >= 3)
seen["processed"] = processed()
seen["order_o2"] = json.loads(s3.get_object(Bucket=bucket, Key="orders/%s-2.json" % run)["Body"].read())
seen["special_item"] = special
seen["dlq_depth_after"] = dlq_depth()
print(json.dumps(seen))
