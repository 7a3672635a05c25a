#!/usr/bin/env bash
# fuzz.sh [DIR]: builds the libFuzzer targets (fuzz/) with clang, ASan and
# UBSan in DIR (default build/fuzz) and runs each for SB_FUZZ_SMOKE_SECONDS
# (default 10) from its seed corpus, as CTest tests. A long run of one
# target: DIR/fuzz/fuzz_NAME -runs=10000000 DIR/fuzz/found/NAME fuzz/corpus/NAME
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$here/build/fuzz}"
source "$here/scripts/ccache_env.sh"
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR="$here"
if [ ! -f "$dir/build.ninja" ]; then
  CXX=clang++ cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSB_FUZZ=ON \
    -DSB_FUZZ_SMOKE_SECONDS="${SB_FUZZ_SMOKE_SECONDS:-10}" >/dev/null
fi
cmake --build "$dir" --target fuzz_all -- -j"$(nproc)"
[ "${SB_FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0 # scripts/test.sh builds it ahead
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$here/scripts/ubsan.supp"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
