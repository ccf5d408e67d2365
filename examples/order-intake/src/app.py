"""Takes orders off the queue: checks each against the catalog (catalog/<item> objects in the
orders bucket) and writes accepted orders to orders/<id>.json. An order for an item the catalog
lacks fails: the function makes its message visible again at once (rather than after the
visibility timeout) and raises, so the next receive, past maxReceiveCount 1, moves it to the
dead-letter queue, where an operator inspects it, fixes the catalog and redrives it."""
import json
import os

import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
BUCKET = os.environ["ORDERS_BUCKET"]


class UnknownItem(Exception):
    pass


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        item = order["item"]
        try:
            s3.head_object(Bucket=BUCKET, Key="catalog/" + item)
        except s3.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                sqs.change_message_visibility(QueueUrl=os.environ["QUEUE_URL"], ReceiptHandle=record["receiptHandle"],
                                              VisibilityTimeout=0)
                raise UnknownItem("item %r is not in the catalog (order %s)" % (item, order["id"]))
            raise
        order["status"] = "accepted"
        order["messageId"] = record["messageId"]
        s3.put_object(Bucket=BUCKET, Key="orders/%s.json" % order["id"], Body=json.dumps(order).encode(),
                      ContentType="application/json")
        print("accepted order", order["id"])
    return {"processed": len(event["Records"])}
