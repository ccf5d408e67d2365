#!/usr/bin/env python3
"""Drives the deployed webapp stack and prints what it saw as one JSON object: the front end
from the website endpoint, the Flask app through the HTTP API (health, a note added with a
cookie, the list, a 404, a CORS preflight), and the warm-up ping of the schedule in the
function's log.

  AWS_ENDPOINT_URL=http://localhost:4566 ./drive.py
"""
import json
import os
import time
import urllib.error
import urllib.request

import boto3

stack = os.environ.get("STACK", "webapp")
endpoint = os.environ["AWS_ENDPOINT_URL"]
cfn, apigw, logs, scheduler, lam = (boto3.client(s) for s in ("cloudformation", "apigatewayv2", "logs", "scheduler", "lambda"))
out = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
api = next(a for a in apigw.get_apis()["Items"] if a["Name"] == stack + "-http")
api_url = "%s/_gureum/execute-api/%s" % (endpoint, api["ApiId"])
# gureum's website endpoint: <bucket>.s3-website.localhost, or this path for clients without a Host.
site_url = "%s/_gureum/s3-website/%s/" % (endpoint, out["SiteBucket"])
seen = {}


def call(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, headers_of(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, headers_of(e.headers), e.read().decode()


def headers_of(msg):
    h = dict(msg)
    h["Set-Cookie"] = msg.get_all("Set-Cookie") or []
    return h


code, headers, page = call(site_url)
seen["site"] = [code, headers.get("Content-Type"), "<title>Team notes</title>" in page]
code, _, config = call(site_url + "config.js")
seen["config"] = [code, api_url in config]
seen["siteMissing"] = call(site_url + "nope.html")[0]

code, _, body = call(api_url + "/api/health")
seen["health"] = [code, json.loads(body) if code == 200 else body]
code, headers, body = call(api_url + "/api/notes", "POST", {"text": "lunch at noon"},
                           {"Content-Type": "application/json", "Cookie": "author=minji"})
note = json.loads(body) if code == 201 else {}
seen["post"] = [code, note.get("author"), headers.get("Location") == "/api/notes/" + note.get("id", "?"),
                sorted(c.split("=")[0] for c in headers["Set-Cookie"])]
code, _, body = call(api_url + "/api/notes", "POST", {"text": ""}, {"Content-Type": "application/json"})
seen["postInvalid"] = code
call(api_url + "/api/notes", "POST", {"text": "retro on friday"}, {"Content-Type": "application/json"})
code, _, body = call(api_url + "/api/notes?limit=1")
seen["listLimited"] = [code, len(json.loads(body)["notes"]) if code == 200 else body]
code, _, body = call(api_url + "/api/notes")
seen["list"] = [code, [n["text"] for n in json.loads(body)["notes"]] if code == 200 else body]
seen["notFound"] = call(api_url + "/nowhere")[0]
code, headers, _ = call(api_url + "/api/notes", "OPTIONS", headers={
    "Origin": "http://%s.s3-website.localhost" % out["SiteBucket"], "Access-Control-Request-Method": "POST"})
seen["preflight"] = [code, headers.get("Access-Control-Allow-Origin") or headers.get("access-control-allow-origin")]

# The warm-up schedule targets the live alias; its ping shows in the function's log.
s = scheduler.get_schedule(Name=out["WarmUpSchedule"])
seen["schedule"] = [s["ScheduleExpression"].split("(")[0], s["Target"]["Arn"] == out["LiveAlias"], s["State"]]
group = "/aws/lambda/" + out["WebFunction"]


def pinged():
    try:
        events = logs.filter_log_events(logGroupName=group, filterPattern='"warm-up ping"')["events"]
    except logs.exceptions.ResourceNotFoundException:
        return None
    return events


deadline = time.time() + 60
while not pinged():
    if time.time() > deadline:
        raise SystemExit("timed out waiting for the warm-up ping in " + group)
    time.sleep(0.5)
seen["warmPing"] = True
seen["aliasVersion"] = lam.get_alias(FunctionName=out["WebFunction"], Name="live")["FunctionVersion"]
print(json.dumps(seen))
