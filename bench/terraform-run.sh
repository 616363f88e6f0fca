#!/usr/bin/env bash
# The Terraform commands terraform-run runs, as a plain shell script: the baseline of bench/run.mjs.
# Usage (in the Terraform directory): bench/terraform-run.sh plan|apply <workspace> <lock-timeout>
# Same flags and environment as the step; the plan and its JSON go to a private temp directory.
set -euo pipefail
operation=$1 workspace=$2 lock_timeout=$3
tf=${TERRAFORM:-terraform}
export TF_IN_AUTOMATION=1 TF_INPUT=0
dir=$(mktemp -d)
"$tf" init -input=false -no-color
"$tf" workspace select -or-create -no-color "$workspace"
code=0
"$tf" plan -input=false -no-color "-lock-timeout=$lock_timeout" -detailed-exitcode "-out=$dir/tfplan" || code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then exit "$code"; fi
"$tf" show -json -no-color "$dir/tfplan" >"$dir/tfplan.json"
if [ "$operation" = apply ]; then
  "$tf" apply -input=false -no-color "-lock-timeout=$lock_timeout" "$dir/tfplan"
  # terraform-run reads the applied outputs too
  "$tf" output -json -no-color >"$dir/outputs.json"
fi
