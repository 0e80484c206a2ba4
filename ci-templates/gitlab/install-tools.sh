#!/usr/bin/env bash
# Installs what the celerykit GitLab jobs need on top of the node:20-bookworm image (run as root):
# jq and unzip from Debian, and terraform $TERRAFORM_VERSION from HashiCorp (not a Debian package).
set -euo pipefail

: "${TERRAFORM_VERSION:?set TERRAFORM_VERSION (the pipeline sets it)}"
if ! command -v jq >/dev/null || ! command -v unzip >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq unzip
fi
if [ "$(terraform version -json 2>/dev/null | jq -r .terraform_version)" != "$TERRAFORM_VERSION" ]; then
  base="https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}"
  zip="terraform_${TERRAFORM_VERSION}_linux_amd64.zip"
  tmp=$(mktemp -d)
  curl -fsSL -o "$tmp/$zip" "$base/$zip"
  curl -fsSL -o "$tmp/SHA256SUMS" "$base/terraform_${TERRAFORM_VERSION}_SHA256SUMS"
  # Catches a corrupt or swapped download; pin TERRAFORM_SHA256 to also stop a swapped SHA256SUMS.
  expected=${TERRAFORM_SHA256:-$(grep " $zip\$" "$tmp/SHA256SUMS" | cut -d' ' -f1)}
  echo "$expected  $tmp/$zip" | sha256sum -c -
  unzip -q -o "$tmp/$zip" terraform -d /usr/local/bin
  rm -rf "$tmp"
fi
terraform version
