#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium (tests/dashboard/conftest.py); Playwright never downloads
# one. `make test` runs this first: it installs chromium with apt-get when /usr/bin/chromium is missing.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
echo "Installing Debian's chromium for the dashboard's browser tests"
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo -n"
if ! { $as_root apt-get install -y -qq chromium >/dev/null 2>&1 \
       || { $as_root apt-get update -qq >/dev/null 2>&1 && $as_root apt-get install -y -qq chromium >/dev/null 2>&1; }; }; then
  echo "FAIL: /usr/bin/chromium is missing and apt-get could not install it; run: apt-get install -y chromium" >&2
  exit 1
fi
