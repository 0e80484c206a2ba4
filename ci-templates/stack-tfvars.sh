#!/usr/bin/env bash
# Gives terraform a stack's input variables (credentials that parameter files never hold, such as
# oidc_client_secret and webhook_<name>) from one CI secret, and checks that every variable the stack
# declares has a value before anything is planned:
#
#   bash ci-templates/stack-tfvars.sh <plan|deploy> <stack-id> <stack-dir>
#
# The secret is a JSON object of variable name -> string, or the base64 of one (GitLab can mask only
# base64-like values), or the path of a file holding either (a GitLab File variable). It is read from
# $STACK_TF_VARS when set (the GitHub workflow picks the secret there), else from the CI/CD variable
# CELERYKIT_TF_VARS_<STACK> (acme-prod -> ACME_PROD), else, for deploy only, CELERYKIT_TF_VARS
# (scoped to the stack's environment). The stack's declared variables go to
# <stack-dir>/celerykit-secrets.auto.tfvars.json, mode 600, which terraform reads by itself; the job
# deletes it afterwards. Nothing here prints a value: messages name variables and secrets only.
# A stack that declares no variable needs no secret.
set -euo pipefail

purpose=${1:?usage: stack-tfvars.sh <plan|deploy> <stack-id> <stack-dir>}
stack=${2:?usage: stack-tfvars.sh <plan|deploy> <stack-id> <stack-dir>}
dir=${3:?usage: stack-tfvars.sh <plan|deploy> <stack-id> <stack-dir>}
out="$dir/celerykit-secrets.auto.tfvars.json"

fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error::celerykit: $*"; else echo "celerykit: $*" >&2; fi
  exit 1
}

suffix=$(printf '%s' "$stack" | tr 'a-z-' 'A-Z_')
# A plan job has no environment, so an unsuffixed secret there would be shared by every stack.
case $purpose in
  plan) names=("CELERYKIT_TF_VARS_$suffix") where="secret CELERYKIT_TF_VARS_$suffix" ;;
  deploy) names=("CELERYKIT_TF_VARS_$suffix" CELERYKIT_TF_VARS) where="secret CELERYKIT_TF_VARS_$suffix (or CELERYKIT_TF_VARS in environment $stack)" ;;
  *) fail "stack-tfvars.sh: purpose must be plan or deploy, not '$purpose'" ;;
esac

rm -f "$out"
[ -f "$dir/cdk.tf.json" ] || fail "no $dir/cdk.tf.json; run npm run synth first"
declared=$(jq -c '.variable // {} | keys' "$dir/cdk.tf.json")
# A variable with a default may stay unset; every other one must get a value.
required=$(jq -c '.variable // {} | to_entries | map(select(.value | has("default") | not) | .key)' "$dir/cdk.tf.json")

raw=${STACK_TF_VARS:-}
for name in "${names[@]}"; do
  [ -n "$raw" ] && break
  raw=${!name:-}
done

if [ "$declared" = "[]" ]; then
  echo "celerykit: stack $stack declares no Terraform variables; no secret needed"
  exit 0
fi

if [ -n "$raw" ]; then
  if [ -f "$raw" ]; then raw=$(cat -- "$raw"); fi
  if ! [[ $raw =~ ^[[:space:]]*\{ ]]; then
    raw=$(printf '%s' "$raw" | base64 -d 2>/dev/null) || fail "$where is neither a JSON object nor the base64 of one (docs/ci.md)"
  fi
  # jq's errors can quote the input, so they go nowhere.
  jq -e 'type == "object"' >/dev/null 2>&1 <<<"$raw" || fail "$where is not a JSON object (docs/ci.md)"
else
  raw='{}'
fi

missing=$(jq -r --argjson names "$required" '. as $v | $names[] | select(($v[.] | type) != "string" or $v[.] == "")' <<<"$raw" 2>/dev/null | paste -sd, - | sed 's/,/, /g')
if [ -n "$missing" ]; then
  fail "stack $stack needs a value for Terraform variable(s) $missing: set $where to a JSON object with a string for each (docs/ci.md)"
fi
extra=$(jq -r --argjson names "$declared" 'keys - $names | join(", ")' <<<"$raw" 2>/dev/null)
[ -z "$extra" ] || echo "celerykit: ignoring $extra in $where: stack $stack does not declare them"

# umask: the file is never readable by others, not even between its creation and a chmod.
(umask 077 && jq --argjson names "$declared" 'with_entries(select(.key as $k | $names | index($k)))' <<<"$raw" > "$out")
chmod 600 "$out"
# GitHub masks the secret as a whole, not the values cut out of it; register each one.
if [ "${GITHUB_ACTIONS:-}" = true ]; then
  jq -r '.[] | tostring | split("\n")[] | select(length > 0) | "::add-mask::" + .' "$out"
fi
echo "celerykit: wrote the values of $(jq -r 'keys | join(", ")' "$out") for stack $stack to $out"
