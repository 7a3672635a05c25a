#!/usr/bin/env bash
# Installs every Debian package Switchboard needs to build, run the demo and
# run its tests. Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates
  libcaf-dev libboost1.81-dev libboost-test1.81-dev libboost-url1.81-dev
  rapidjson-dev libsqlite3-dev sqlite3 libssl-dev libtomlplusplus-dev
  libpq-dev postgresql haproxy
  libcli11-dev openssl clang-format util-linux mount
  clang libclang-rt-14-dev lld
  espeak-ng sox libsndfile1-dev
  wrk gnuplot-nox
  dpkg-dev file
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# node and npm: a machine may already carry a node build that bundles npm
# (Debian's separate npm package would conflict with it), so look for the
# commands, not the package names.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# The Twilio signature oracle test runs Twilio's own request validator (npm
# "twilio", pinned in tests/node/package-lock.json) under node.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# npm_ready DIR PKG: DIR's node_modules holds PKG at the version its lock pins.
npm_ready() {
  local want have
  want="$(node -p "require('$1/package-lock.json').packages['node_modules/$2'].version" 2>/dev/null)" || return 1
  have="$(node -p "require('$1/node_modules/$2/package.json').version" 2>/dev/null)" || return 1
  [ "$want" = "$have" ]
}
if ! npm_ready "$here/tests/node" twilio; then
  echo "setup: installing the twilio npm package for the signature oracle test"
  (cd "$here/tests/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The console's browser test drives Debian's chromium (above) with npm's
# playwright-core (pinned in tests/browser/package-lock.json); no browser is
# ever downloaded. 1.61.1 is the last release that runs on Debian 12's own
# Node 18 (1.62 raised its minimumMajorNodeVersion to 20; see its index.js).
if ! npm_ready "$here/tests/browser" playwright-core; then
  echo "setup: installing playwright-core for the console browser test"
  (cd "$here/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# PostgreSQL (issue 16.1): libpq-dev to build the backend, postgresql for
# the server binaries the storage tests run under a temp dir of their own
# (tests/support/pg_server.*). Debian's package also starts a system
# cluster on install; nothing here uses it. The tests start the server as
# `nobody` when they run as root (initdb refuses root), so no user is made.
