"""The status API's function (GET /status, payload 1.0 proxy event): the deliveries the
processor recorded on the shared file system, newest first; ?file=<name> for one."""
import json
import os

STATUS = os.path.join(os.environ["WORK_DIR"], "status")


def handler(event, context):
    wanted = (event.get("queryStringParameters") or {}).get("file")
    records = []
    if os.path.isdir(STATUS):
        for name in os.listdir(STATUS):
            if name.endswith(".json") and not name.startswith("."):
                with open(os.path.join(STATUS, name)) as f:
                    records.append(json.load(f))
    if wanted:
        records = [r for r in records if r["file"].rsplit("/", 1)[-1] == wanted]
        if not records:
            return {"statusCode": 404, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps({"message": "no delivery of " + wanted})}
    records.sort(key=lambda r: r["deliveredAt"], reverse=True)
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"deliveries": records})}
