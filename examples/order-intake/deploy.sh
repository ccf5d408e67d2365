#!/usr/bin/env bash
# Deploys the order-intake example: packages the function code into an artifacts bucket and
# deploys the SAM template through CloudFormation. Point the AWS CLI at gureum first:
#   export AWS_ENDPOINT_URL=http://localhost:4566
# Arguments are CloudFormation parameter overrides (Key=Value ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stack=${STACK:-order-intake}
bucket=${ARTIFACTS_BUCKET:-$stack-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws s3 mb "s3://$bucket" >/dev/null 2>&1 || true # an existing bucket of ours is fine
aws cloudformation package --template-file "$here/template.yaml" --s3-bucket "$bucket" \
  --output-template-file "$work/packaged.yaml" >/dev/null
overrides=()
if [ $# -gt 0 ]; then overrides=(--parameter-overrides "$@"); fi
aws cloudformation deploy --template-file "$work/packaged.yaml" --stack-name "$stack" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset "${overrides[@]}"
STACK=$stack python3 "$here/post_deploy.py"
