#!/usr/bin/env python3
"""Mounts the access point in both functions (FileSystemConfigs and VpcConfig, which gureum's
CloudFormation does not take on AWS::Lambda::Function yet) and waits for the updates."""
import json
import os
import time

import boto3

stack = os.environ.get("STACK", "partner-data-sharing")
with open(os.environ.get("STATE_FILE", stack + ".state.json")) as f:
    state = json.load(f)
cfn, lam = boto3.client("cloudformation"), boto3.client("lambda")
out = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
for fn in (out["Processor"], out["StatusFunction"]):
    lam.update_function_configuration(
        FunctionName=fn, FileSystemConfigs=[{"Arn": state["accessPointArn"], "LocalMountPath": "/mnt/work"}],
        VpcConfig={"SubnetIds": ["subnet-0a1b2c3d4e5f60001"], "SecurityGroupIds": ["sg-0a1b2c3d4e5f60001"]})
for fn in (out["Processor"], out["StatusFunction"]):
    for _ in range(100):
        if lam.get_function_configuration(FunctionName=fn).get("LastUpdateStatus", "Successful") != "InProgress":
            break
        time.sleep(0.1)
