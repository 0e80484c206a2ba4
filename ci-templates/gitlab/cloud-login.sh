# Sourced by the celerykit GitLab jobs to give terraform short-lived credentials for one stack:
#
#   . ci-templates/gitlab/cloud-login.sh <plan|deploy> <stack-id> <aws|gcp>
#
# The job's OIDC token ($CELERYKIT_ID_TOKEN, from id_tokens:) is written to a file that the AWS or
# Google client libraries inside terraform exchange for temporary credentials; no key is stored
# anywhere. Identifiers come from CI/CD variables: NAME_<STACK> (acme-prod -> ACME_PROD) wins over
# NAME, which can also be scoped to the stack's environment. docs/ci.md lists the names.

celerykit_pick() {
  local specific="$1_$2"
  printf '%s' "${!specific:-${!1:-}}"
}

celerykit_login() {
  local purpose=$1 stack=$2 cloud=$3 suffix token_file role account provider role_var account_var
  suffix=$(printf '%s' "$stack" | tr 'a-z-' 'A-Z_')
  if [ -z "${CELERYKIT_ID_TOKEN:-}" ]; then
    echo "celerykit: no CELERYKIT_ID_TOKEN; the job needs id_tokens: (docs/ci.md)" >&2
    return 1
  fi
  # A plan identity may only read; the deploy identity is trusted for the default branch only.
  if [ "$purpose" = plan ]; then role_var=CELERYKIT_AWS_PLAN_ROLE_ARN account_var=CELERYKIT_GCP_PLAN_SERVICE_ACCOUNT
  else role_var=CELERYKIT_AWS_ROLE_ARN account_var=CELERYKIT_GCP_SERVICE_ACCOUNT; fi
  token_file=$(mktemp)
  printf '%s' "$CELERYKIT_ID_TOKEN" > "$token_file"
  unset AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE GOOGLE_APPLICATION_CREDENTIALS
  case $cloud in
    aws)
      role=$(celerykit_pick "$role_var" "$suffix")
      if [ -z "$role" ]; then echo "celerykit: set CI/CD variable ${role_var}_$suffix or $role_var (docs/ci.md)" >&2; return 1; fi
      # The AWS provider and the S3 backend call sts:AssumeRoleWithWebIdentity themselves.
      export AWS_ROLE_ARN="$role" AWS_WEB_IDENTITY_TOKEN_FILE="$token_file" AWS_ROLE_SESSION_NAME="celerykit-$purpose-${CI_JOB_ID:-local}"
      ;;
    gcp)
      provider=$(celerykit_pick CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER "$suffix")
      account=$(celerykit_pick "$account_var" "$suffix")
      if [ -z "$provider" ] || [ -z "$account" ]; then echo "celerykit: set CI/CD variables CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER and ${account_var}_$suffix or $account_var (docs/ci.md)" >&2; return 1; fi
      # Checked so a typo fails here, not as a vague token error, and so both are safe in JSON.
      if ! [[ $provider =~ ^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]+/providers/[a-z0-9-]+$ ]]; then
        echo "celerykit: CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER must look like projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>" >&2
        return 1
      fi
      if ! [[ $account =~ ^[a-z0-9-]+@[a-z0-9.-]+$ ]]; then echo "celerykit: $account_var is not a service account e-mail" >&2; return 1; fi
      # An external-account configuration: where to find the token and whom to impersonate. It
      # holds no secret, unlike a service-account key.
      GOOGLE_APPLICATION_CREDENTIALS=$(mktemp)
      export GOOGLE_APPLICATION_CREDENTIALS
      printf '{"type":"external_account","audience":"//iam.googleapis.com/%s","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token","credential_source":{"file":"%s"},"service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/%s:generateAccessToken"}\n' \
        "$provider" "$token_file" "$account" > "$GOOGLE_APPLICATION_CREDENTIALS"
      ;;
    *)
      echo "celerykit: stack $stack has unknown cloud '$cloud'" >&2
      return 1
      ;;
  esac
}

celerykit_login "$@"
