#!/usr/bin/env python3
"""Makes what the stack needs before it exists, and what gureum's CloudFormation does not make
yet, then prints the stack's parameter overrides (Key=Value, one a line):

- the partner: an account of its own (Organizations CreateAccount; gureum answers the new
  account's root key in GureumRootCredentials), its bucket, and a role there that trusts this
  account's principals when they present the external id;
- the EFS file system and its access point (AWS::EFS::* are not CloudFormation types in gureum);
- the artifacts bucket `aws cloudformation package` uploads the code to.

The partner's credentials and the ids are saved in STATE_FILE (default ./<stack>.state.json), so
a second run reuses them."""
import json
import os

import boto3

stack = os.environ.get("STACK", "partner-data-sharing")
state_file = os.environ.get("STATE_FILE", stack + ".state.json")
external_id = "partner-data-sharing"
state = {}
if os.path.exists(state_file):
    with open(state_file) as f:
        state = json.load(f)
me = boto3.client("sts").get_caller_identity()["Account"]


def ensure_bucket(client, name):
    try:
        client.create_bucket(Bucket=name)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass


# The partner account. boto3 keeps only the modelled members of an answer, so the new account's
# root key is read from the raw answer.
if "partner" not in state:
    org = boto3.client("organizations")
    raw = {}
    org.meta.events.register("after-call.organizations.CreateAccount",
                             lambda http_response, **_: raw.update(json.loads(http_response.content)))
    org.create_account(AccountName="partner", Email="data@partner.example")
    creds = raw["GureumRootCredentials"]
    state["partner"] = {"account": creds["AccountId"], "key": creds["AccessKeyId"], "secret": creds["SecretAccessKey"]}
p = state["partner"]
partner = boto3.Session(aws_access_key_id=p["key"], aws_secret_access_key=p["secret"])
partner_bucket = "partner-inbox-" + p["account"]
ensure_bucket(partner.client("s3"), partner_bucket)
iam = partner.client("iam")
role = "data-sharing-writer"
trust = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % me}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}
try:
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]
iam.put_role_policy(RoleName=role, PolicyName="write-inbox", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"],
                                            "Resource": "arn:aws:s3:::%s/*" % partner_bucket}]}))

# The shared file system and the access point the functions mount at /mnt/work.
efs = boto3.client("efs")
token = stack + "-work"
found = efs.describe_file_systems(CreationToken=token)["FileSystems"]
fs = found[0] if found else efs.create_file_system(CreationToken=token, Tags=[{"Key": "Name", "Value": token}])
aps = efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
ap = aps[0] if aps else efs.create_access_point(
    ClientToken=token, FileSystemId=fs["FileSystemId"], PosixUser={"Uid": 1000, "Gid": 1000},
    RootDirectory={"Path": "/" + stack, "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "750"}})
state.update(accessPointArn=ap["AccessPointArn"], fileSystemArn=fs["FileSystemArn"], partnerBucket=partner_bucket,
             partnerRoleArn=role_arn)
with open(state_file, "w") as f:
    json.dump(state, f)
os.chmod(state_file, 0o600)

ensure_bucket(boto3.client("s3"), os.environ.get("ARTIFACTS_BUCKET", stack + "-artifacts-" + me))
print("PartnerRoleArn=" + role_arn)
print("PartnerBucket=" + partner_bucket)
print("PartnerExternalId=" + external_id)
print("FileSystemArn=" + fs["FileSystemArn"])
