#!/usr/bin/env bash
# format.sh [--check]: clang-format (Debian 12's, 14) every tracked C++ file
# with the repo's .clang-format. --check changes nothing and exits 1, naming
# the files, if any differs (the test suite runs it: tests/CMakeLists.txt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--check" ]; then
  # One clang-format for every file: a process per file cost ~60 CPU-s
  # (its start-up, in each of the test suites), this one ~1.5 CPU-s
  # (docs/stack.md 7). Its --Werror messages ("FILE:LINE:COL: error: ...")
  # name the files that differ.
  if ! out="$(clang-format --dry-run --Werror "${files[@]}" 2>&1 >/dev/null)"; then
    mapfile -t bad < <(printf '%s\n' "$out" |
      sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
    if ((${#bad[@]} == 0)); then
      printf '%s\n' "$out"
      echo "format: clang-format failed"
      exit 1
    fi
    printf 'not clang-formatted: %s\n' "${bad[@]}"
    echo "format: ${#bad[@]} of ${#files[@]} files differ; run scripts/format.sh"
    exit 1
  fi
  echo "format: all ${#files[@]} files clang-formatted"
else
  clang-format -i "${files[@]}"
fi
