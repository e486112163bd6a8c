#!/usr/bin/env bash
# Debian's Chromium for the explorer's browser tests (driven by Playwright's executable_path;
# never `playwright install`, which downloads a browser). Idempotent; needs root or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "warning: /usr/bin/chromium is missing and installing it needs root: the browser tests will be skipped" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "warning: no apt-get here to install Debian's chromium: the browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
packages="chromium fonts-dejavu-core"
$SUDO apt-get install -y -q --no-install-recommends $packages >/dev/null \
  || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $packages >/dev/null; }
/usr/bin/chromium --version
