"""The internal web app: a Flask application (a team's notes board) run on a function behind an
HTTP API through wsgi_adapter. Notes are objects in the data bucket. handler() also answers the
warm-up pings of the schedule without running the app."""
import json
import os
import time
import uuid

import boto3
from flask import Flask, jsonify, request

from wsgi_adapter import handle

app = Flask(__name__)
s3 = boto3.client("s3")
BUCKET = os.environ["DATA_BUCKET"]
STARTED = time.time()
served = {"requests": 0}


@app.get("/api/health")
def health():
    return jsonify(ok=True, version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"), requests=served["requests"],
                   warmSeconds=round(time.time() - STARTED, 1))


@app.get("/api/notes")
def list_notes():
    limit = int(request.args.get("limit", "100"))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="notes/").get("Contents", [])][:limit]
    notes = [json.loads(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read()) for k in keys]
    return jsonify(notes=sorted(notes, key=lambda n: n["created"]))


@app.post("/api/notes")
def add_note():
    data = request.get_json(force=True)
    if not data.get("text"):
        return jsonify(message="text is required"), 400
    note = {"id": uuid.uuid4().hex[:12], "text": data["text"], "author": request.cookies.get("author", "anonymous"),
            "created": time.time()}
    s3.put_object(Bucket=BUCKET, Key="notes/%s.json" % note["id"], Body=json.dumps(note).encode())
    resp = jsonify(note)
    resp.status_code = 201
    resp.headers["Location"] = "/api/notes/" + note["id"]
    resp.set_cookie("last-note", note["id"], httponly=True)
    resp.set_cookie("seen", "1")
    return resp


@app.before_request
def count():
    served["requests"] += 1


def handler(event, context):
    if event.get("warmer"):
        print("warm-up ping", json.dumps(event))
        return {"warm": True}
    return handle(app, event, context)
