#!/usr/bin/env bash
# Installs what the tests need that npm does not bring, on Debian (run as root), and checks the
# tools that cannot come from Debian. The tests themselves fail in CI when a tool is missing.
set -euo pipefail

# Debian packages used by the tests. Servers are started by the tests themselves, on loopback.
# python3-celery: the worker hook tests run a real Celery worker with Debian's /usr/bin/python3.
# prometheus: promtool checks the generated recording and alert rules.
# prometheus-alertmanager: amtool checks the generated alert manager configuration.
# redis-server, python3-redis, rabbitmq-server: the real-broker tests (started on loopback by the tests).
# openssl: a test CA and server certificate for the Redis TLS tests (test/brokers/redis-results.test.ts).
# chromium: mermaid-cli draws the stack diagrams in it (scripts/puppeteer-config.json); puppeteer downloads no browser.
# python3-amqp ... python3-packaging: what Celery 5.6 (../shared/python-celery, run by Debian's Python) needs besides its own sources.
DEBIAN_PACKAGES=(python3-celery python3-redis redis-server rabbitmq-server openssl prometheus prometheus-alertmanager chromium
  python3-amqp python3-click python3-click-didyoumean python3-click-repl python3-click-plugins python3-dateutil python3-tzlocal python3-packaging)

if ((${#DEBIAN_PACKAGES[@]} > 0)); then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} > 0)); then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# The diagram tests and npm run diagram need this exact path; a failed install must stop here.
if ! /usr/bin/chromium --version >/dev/null 2>&1; then
  echo "chromium: /usr/bin/chromium is missing or does not start (apt-get install chromium)" >&2
  exit 1
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"

# terraform is not a Debian package; the offline plan checks need it and the aws provider mirror.
if command -v terraform >/dev/null; then
  echo "terraform: $(terraform version | head -n1)"
else
  echo "terraform: not found (install Terraform >= 1.10 from HashiCorp; the offline plan checks need it)" >&2
fi
mirror="${CELERYKIT_TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
if [ -d "$mirror/registry.terraform.io/hashicorp/aws/5.100.0" ]; then
  echo "aws provider mirror: $mirror"
else
  echo "aws provider mirror: none at $mirror (set CELERYKIT_TF_PLUGIN_MIRROR, or CELERYKIT_TF_ONLINE=1 to download)" >&2
fi
