#!/usr/bin/env bash
# Deploys the partner-data-sharing example. Point the AWS CLI at gureum first:
#   export AWS_ENDPOINT_URL=http://localhost:4566
# Arguments are extra CloudFormation parameter overrides (Key=Value ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export STACK=${STACK:-partner-data-sharing}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The partner account, its bucket and role, the EFS access point, the artifacts bucket.
mapfile -t params < <(python3 "$here/pre_deploy.py")
account=$(echo "${params[3]}" | cut -d: -f5)
bucket=${ARTIFACTS_BUCKET:-$STACK-artifacts-$account}
aws cloudformation package --template-file "$here/template.yaml" --s3-bucket "$bucket" \
  --output-template-file "$work/packaged.yaml" >/dev/null
aws cloudformation deploy --template-file "$work/packaged.yaml" --stack-name "$STACK" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
  --parameter-overrides "${params[@]}" "$@"
# What gureum's CloudFormation cannot say yet: the functions' EFS mounts.
python3 "$here/post_deploy.py"
