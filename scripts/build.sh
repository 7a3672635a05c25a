#!/usr/bin/env bash
# build.sh DIR TYPE [extra cmake args...]: configure (once) and build with
# Ninja and ccache.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$1"; type="$2"; shift 2
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/switchboard-ccache}"
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$here"
# ccache's default 5 GB holds less than the four trees' objects (the ASan
# ones are the biggest), so a whole run would evict its own first tree.
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-25G}"
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
fi
cmake --build "$dir" -- -j"$(nproc)"
