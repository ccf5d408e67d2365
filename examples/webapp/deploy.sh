#!/usr/bin/env bash
# Deploys the webapp example. Point the AWS CLI at gureum first:
#   export AWS_ENDPOINT_URL=http://localhost:4566
# Arguments are CloudFormation parameter overrides (Key=Value ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export STACK=${STACK:-webapp}
bucket=${ARTIFACTS_BUCKET:-$STACK-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws s3 mb "s3://$bucket" >/dev/null 2>&1 || true # an existing bucket of ours is fine
aws cloudformation package --template-file "$here/template.yaml" --s3-bucket "$bucket" \
  --output-template-file "$work/packaged.yaml" >/dev/null
overrides=()
if [ $# -gt 0 ]; then overrides=(--parameter-overrides "$@"); fi
deploy() {
  aws cloudformation deploy --template-file "$1" --stack-name "$STACK" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset "${overrides[@]}"
}
if ! deploy "$work/packaged.yaml" >"$work/deploy.out" 2>&1; then
  cat "$work/deploy.out" >&2
  if ! grep -q "DeploymentPreference" "$work/deploy.out"; then exit 1; fi
  # gureum refuses DeploymentPreference until its gradual deployments land: deploy without it
  # (every version then goes live at once).
  echo "NOTICE: this gureum does not take DeploymentPreference yet; deploying without the canary" >&2
  awk '/^      DeploymentPreference:/ {skip=1; next} skip && /^        / {next} {skip=0; print}' \
    "$work/packaged.yaml" >"$work/nocanary.yaml"
  deploy "$work/nocanary.yaml"
else
  cat "$work/deploy.out"
fi
python3 "$here/post_deploy.py"
