#!/usr/bin/env bash
# The resilience tests (tests/resilience/) start and kill a redis-server of their own; install
# Debian's redis-server package when the binary is missing and we are root. The tests use only
# the binary, on a free port of their own; they never touch a Redis service of the machine.
set -u
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's redis-server for the resilience tests..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
    && command -v redis-server >/dev/null; then
    exit 0
  fi
fi
echo "!!! redis-server is NOT available: the resilience tests cannot run !!!" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0
