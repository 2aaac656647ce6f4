#!/usr/bin/env bash
# Installs the headless browser the page tests drive: Debian's Chromium. Run by the tests
# themselves (tests/api/browser.rs) when /usr/bin/chromium is missing, the way .ci/api_fuzz.sh
# makes its own Python virtualenv; safe to run again.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sudo_if() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
# one installer at a time, whoever starts it
exec 9>/tmp/ticketlens-chromium-setup.lock
flock 9
command -v chromium >/dev/null 2>&1 && exit 0
sudo_if apt-get update -qq
sudo_if apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
