#!/usr/bin/env bash
# build.sh DIR TYPE [extra cmake args...]: configure (once) and build with
# Ninja and ccache.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$1"; type="$2"; shift 2
source "$here/scripts/ccache_env.sh"
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$here"
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
fi
cmake --build "$dir" -- -j"$(nproc)"
