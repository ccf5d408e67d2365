#!/usr/bin/env python3
"""Drives the deployed partner-data-sharing stack and prints what it saw as one JSON object:
drops two files in the incoming bucket, waits for their copies in the partner's bucket (read with
the partner's own key), calls the private status API with and without the API key and on the
public endpoint, then waits for the lifecycle rule to expire the incoming files.

  AWS_ENDPOINT_URL=http://localhost:4566 PRIVATE_ENDPOINT=http://localhost:4567 ./drive.py
"""
import json
import os
import time
import urllib.error
import urllib.request

import boto3

stack = os.environ.get("STACK", "partner-data-sharing")
with open(os.environ.get("STATE_FILE", stack + ".state.json")) as f:
    state = json.load(f)
public, private = os.environ["AWS_ENDPOINT_URL"], os.environ["PRIVATE_ENDPOINT"]
cfn, s3, sqs, lam, apigw = (boto3.client(s) for s in ("cloudformation", "s3", "sqs", "lambda", "apigateway"))
out = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
p = state["partner"]
partner_s3 = boto3.client("s3", aws_access_key_id=p["key"], aws_secret_access_key=p["secret"])
seen = {"partnerAccount": p["account"]}


def wait(what, fn, timeout=90):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.25)


run = time.strftime("%Y%m%dT%H%M%S", time.gmtime())  # a run's own file names, so drive.py can run again
files = {"incoming/orders-%s.csv" % run: b"id,item,qty\n1,bibimbap,2\n2,kimchi,1\n",
         "incoming/stock-%s.csv" % run: b"item,qty\nbibimbap,40\nkimchi,12\n"}
names = sorted(k.rsplit("/", 1)[-1] for k in files)
for key, body in files.items():
    s3.put_object(Bucket=out["IncomingBucket"], Key=key, Body=body)
uploaded = time.time()


def partner_copies():
    got = partner_s3.list_objects_v2(Bucket=state["partnerBucket"]).get("Contents", [])
    keys = [o["Key"] for o in got if o["Key"].rsplit("/", 1)[-1] in names]
    return keys if len(keys) == len(files) else None


seen["partnerKeys"] = sorted(wait("the partner's copies", partner_copies))
seen["deliverySeconds"] = round(time.time() - uploaded, 1)
seen["copiesMatch"] = all(
    partner_s3.get_object(Bucket=state["partnerBucket"], Key=k)["Body"].read() in files.values() for k in seen["partnerKeys"])
head = partner_s3.head_object(Bucket=state["partnerBucket"], Key=seen["partnerKeys"][0])
seen["partnerMetadata"] = sorted(head["Metadata"])


# The status API: a PRIVATE endpoint, so only the private listener (the VPC endpoint) answers.
key = apigw.get_api_key(apiKey=out["PartnerApiKeyId"], includeValue=True)["value"]
path = "/_gureum/execute-api/%s/prod/status" % out["StatusApiId"]


def get(base, api_key=None, query=""):
    req = urllib.request.Request(base + path + query, headers={"x-api-key": api_key} if api_key else {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


seen["statusNoKey"] = get(private)
seen["statusPublic"] = get(public, key)
code, body = get(private, key)
mine = [d for d in body.get("deliveries", []) if d["file"] in files]
seen["status"] = [code, len(mine)]
seen["deliveredAs"] = sorted({d["deliveredAs"] for d in mine})
seen["statusOne"] = get(private, key, "?file=" + names[1])[0]
# The usage plan counted the key's calls that reached the API (its quota is exact).
today = time.strftime("%Y-%m-%d", time.gmtime())
usage = apigw.get_usage(usagePlanId=out["PartnerUsagePlanId"], keyId=out["PartnerApiKeyId"], startDate=today, endDate=today)
seen["usage"] = usage["items"].get(out["PartnerApiKeyId"], [[0, 0]])[-1]

# The configuration the workload relies on.
attrs = sqs.get_queue_attributes(QueueUrl=out["IncomingQueueUrl"], AttributeNames=["All"])["Attributes"]
seen["queue"] = {"VisibilityTimeout": attrs["VisibilityTimeout"], "MessageRetentionPeriod": attrs["MessageRetentionPeriod"],
                 "maxReceiveCount": json.loads(attrs["RedrivePolicy"])["maxReceiveCount"]}
seen["reservedConcurrency"] = lam.get_function_concurrency(FunctionName=out["Processor"]).get("ReservedConcurrentExecutions")
seen["mounts"] = [c["LocalMountPath"] for c in lam.get_function_configuration(FunctionName=out["Processor"])["FileSystemConfigs"]]
seen["dlqDepth"] = int(sqs.get_queue_attributes(QueueUrl=out["DeadLetterQueueUrl"],
                                                AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])


# The lifecycle rule: the incoming files expire (a day lasts --lifecycle-day-seconds here).
def expired():
    return not s3.list_objects_v2(Bucket=out["IncomingBucket"], Prefix="incoming/").get("Contents")


wait("the incoming files to expire", expired, timeout=60)
seen["expiredAfterSeconds"] = round(time.time() - uploaded, 1)
seen["partnerKeysAfterExpiry"] = len(partner_copies() or [])
print(json.dumps(seen))
