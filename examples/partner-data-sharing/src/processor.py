"""Copies each file that lands in the incoming bucket to the partner's bucket.

The SQS event carries S3's notifications. Each file is staged on the shared EFS file system
(WORK_DIR, an access point mounted at /mnt/work), copied to the partner's bucket with
credentials for the partner's role (STS AssumeRole with an external id), and its delivery is
recorded as status/<name>.json on the same file system, which the status API reads. A failed
record is reported in batchItemFailures so only it is retried; after three receives it goes to
the dead-letter queue."""
import hashlib
import json
import os
import time
import urllib.parse

import boto3

s3 = boto3.client("s3")
sts = boto3.client("sts")
WORK = os.environ["WORK_DIR"]
_partner = {"expires": 0}


def partner_s3():
    """An S3 client with the partner role's credentials, renewed before they end."""
    if time.time() > _partner["expires"] - 300:
        creds = sts.assume_role(RoleArn=os.environ["PARTNER_ROLE_ARN"], RoleSessionName="partner-data-sharing",
                                ExternalId=os.environ["PARTNER_EXTERNAL_ID"])["Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"])
        _partner.update(client=session.client("s3"), expires=creds["Expiration"].timestamp(),
                        identity=session.client("sts").get_caller_identity()["Arn"])
    return _partner["client"], _partner["identity"]


def deliver(bucket, key):
    name = key.rsplit("/", 1)[-1]
    staging = os.path.join(WORK, "staging")
    status = os.path.join(WORK, "status")
    os.makedirs(staging, exist_ok=True)
    os.makedirs(status, exist_ok=True)
    path = os.path.join(staging, name)
    s3.download_file(bucket, key, path)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    partner, identity = partner_s3()
    target = "from-%s/%s" % (os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "sender"), name)
    partner.upload_file(path, os.environ["PARTNER_BUCKET"], target, ExtraArgs={"Metadata": {"sha256": digest.hexdigest()}})
    record = {"file": key, "size": os.path.getsize(path), "sha256": digest.hexdigest(),
              "partnerBucket": os.environ["PARTNER_BUCKET"], "partnerKey": target, "deliveredAs": identity,
              "deliveredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    tmp = os.path.join(status, "." + name + ".json")
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.replace(tmp, os.path.join(status, name + ".json"))
    os.remove(path)
    print("delivered", key, "to", os.environ["PARTNER_BUCKET"], target)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            for r in body.get("Records", []):  # s3:TestEvent has none
                deliver(r["s3"]["bucket"]["name"], urllib.parse.unquote_plus(r["s3"]["object"]["key"]))
        except Exception as e:  # noqa: BLE001 - the record is retried, then dead-lettered
            print("failed", record["messageId"], repr(e))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
