#!/usr/bin/env bash
# The browser tests use Debian's Chromium; install it when missing and we are root.
set -u
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    && command -v chromium >/dev/null && exit 0
fi
echo "!!! Chromium is NOT available: the browser tests cannot run !!!" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0
