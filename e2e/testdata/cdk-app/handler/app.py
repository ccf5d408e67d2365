import os

import boto3


def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=event.get("body") or "")
    return {"statusCode": 202, "body": "queued"}
