#!/usr/bin/env bash
# The funder's PDF report is made by WeasyPrint, which loads Pango, HarfBuzz and fontconfig
# at run time and writes its text in DejaVu Sans: install Debian's packages when missing and
# we are root (docs/deploy.md).
set -u
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if have libpango-1.0.so.0 && have libpangoft2-1.0.so.0 && have libharfbuzz-subset.so.0 \
  && fc-list 2>/dev/null | grep -qi "DejaVu Sans"; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the libraries WeasyPrint needs for the PDF reports..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
    >/dev/null) && exit 0
fi
echo "!!! Pango/HarfBuzz/DejaVu fonts are NOT available: PDF reports cannot be made !!!" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0
