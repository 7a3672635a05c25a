#!/usr/bin/env bash
# format.sh [--check]: clang-format (Debian 12's, 14) every tracked C++ file
# with the repo's .clang-format. --check changes nothing and exits 1, naming
# the files, if any differs (the test suite runs it: tests/CMakeLists.txt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]})); then
    printf 'not clang-formatted: %s\n' "${bad[@]}"
    echo "format: ${#bad[@]} of ${#files[@]} files differ; run scripts/format.sh"
    exit 1
  fi
  echo "format: all ${#files[@]} files clang-formatted"
else
  clang-format -i "${files[@]}"
fi
