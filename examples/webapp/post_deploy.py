#!/usr/bin/env python3
"""What gureum's CloudFormation does not make yet, then the front end:

- the HTTP API (apigatewayv2; neither AWS::Serverless::HttpApi nor AWS::ApiGatewayV2::* are
  served yet): a quick-create API whose $default route goes to the function's live alias, with
  CORS for the site, and the permission for API Gateway to invoke the alias;
- the site bucket's public access block and public-read policy (gureum's CloudFormation accepts
  PublicAccessBlockConfiguration but does not apply it yet, so a public AWS::S3::BucketPolicy
  is refused under S3's default block);
- the static front end uploaded to the site bucket, with config.js naming the API's URL.

Prints the API's URL."""
import json
import mimetypes
import os

import boto3

stack = os.environ.get("STACK", "webapp")
here = os.path.dirname(os.path.abspath(__file__))
cfn, apigw, lam, s3 = (boto3.client(s) for s in ("cloudformation", "apigatewayv2", "lambda", "s3"))
out = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
account = boto3.client("sts").get_caller_identity()["Account"]
region = boto3.session.Session().region_name

name = stack + "-http"
api = next((a for a in apigw.get_apis()["Items"] if a["Name"] == name), None)
if api is None:
    api = apigw.create_api(Name=name, ProtocolType="HTTP", Target=out["LiveAlias"],
                           CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET", "POST"],
                                              "AllowHeaders": ["content-type"]})
    # API Gateway invokes the alias only as its policy allows, on gureum as on AWS.
    lam.add_permission(FunctionName=out["LiveAlias"], StatementId="http-api", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn="arn:aws:execute-api:%s:%s:%s/*" % (region, account, api["ApiId"]))
# gureum serves HTTP APIs at <endpoint>/_gureum/execute-api/<api-id>/ (or Host <api-id>.execute-api.localhost).
endpoint = os.environ.get("AWS_ENDPOINT_URL")
url = "%s/_gureum/execute-api/%s" % (endpoint, api["ApiId"]) if endpoint else api["ApiEndpoint"]

site = out["SiteBucket"]
s3.put_public_access_block(Bucket=site, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
s3.put_bucket_policy(Bucket=site, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % site}]}))

for root, _, files in os.walk(os.path.join(here, "static")):
    for f in files:
        path = os.path.join(root, f)
        key = os.path.relpath(path, os.path.join(here, "static"))
        s3.upload_file(path, out["SiteBucket"], key,
                       ExtraArgs={"ContentType": mimetypes.guess_type(f)[0] or "application/octet-stream"})
s3.put_object(Bucket=out["SiteBucket"], Key="config.js", Body=("window.NOTES_API = %r;\n" % url).encode(),
              ContentType="application/javascript", CacheControl="no-cache")
print(url)
