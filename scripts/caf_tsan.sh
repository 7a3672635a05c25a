#!/usr/bin/env bash
# caf_tsan.sh PREFIX: build CAF (libcaf_core, libcaf_io) 0.17.6 with
# ThreadSanitizer from Debian's source package and install it to PREFIX.
# Only libcaf_core: nothing here uses caf_io (cmake/FindCAF.cmake).
# Debian's libcaf_core is not instrumented, so TSan cannot see its mailbox
# hand-over and reports every message between actors as a race
# (docs/stack.md, TSan). Idempotent: does nothing if PREFIX holds this version.
# Downloads only from Debian's mirror (a private apt config; the system's
# apt sources are not changed). The source and the build stay under build/.
set -euo pipefail
prefix="$(realpath -m "$1")"
version=0.17.6
stamp="$prefix/.caf-tsan-$version"
if [ -f "$stamp" ]; then echo "caf_tsan: $prefix has CAF $version (TSan)"; exit 0; fi
work="$(dirname "$prefix")/caf-src"
mkdir -p "$work"
src="$work/actor-framework-$version"
if [ ! -d "$src" ]; then
  tarball="$work/actor-framework_$version.orig.tar.gz"
  # The tarball is also kept outside the checkout (beside the ccache), so
  # that a fresh clone (CI's) does not fetch it again.
  kept="${SB_SRC_CACHE:-$HOME/.cache/switchboard-src}/actor-framework_$version.orig.tar.gz"
  [ -f "$tarball" ] || [ ! -f "$kept" ] || cp "$kept" "$tarball"
  if [ ! -f "$tarball" ]; then
    # Private apt state: a deb-src entry for bookworm, lists under $work.
    apt_dir="$work/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d"
    cat >"$apt_dir/sources.list.d/debian-src.sources" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_opts=(-o Dir::Etc::SourceList=/dev/null
      -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
      -o "Dir::State::Lists=$apt_dir/lists" -o Debug::NoLocking=1)
    apt-get "${apt_opts[@]}" update >/dev/null
    # Only the upstream tarball (the mirror has no debian.tar.xz of 2.1):
    # Debian's one patch adds an #include <limits> to caf_io, not built here.
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only \
      actor-framework="$version-2.1" >/dev/null 2>&1) || true
    [ -f "$tarball" ] || { echo "caf_tsan: cannot fetch $tarball" >&2; exit 1; }
    mkdir -p "$(dirname "$kept")" && cp "$tarball" "$kept.tmp" && mv "$kept.tmp" "$kept"
  fi
  tar -C "$work" -xzf "$tarball"
fi
source "$(dirname "${BASH_SOURCE[0]}")/ccache_env.sh"
# Paths relative to the build's parent and the working directory left out of
# the hash, as scripts/build.sh does: otherwise every checkout (each worktree,
# each CI directory) misses the cache (measured: a second worktree rebuilt
# all 141 steps; docs/stack.md 7).
export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Same configuration as Debian's build_config.hpp (log level QUIET, memory
# management and exceptions on); no io, tests, examples, tools, OpenSSL,
# OpenCL or Python: we link only caf_core (cmake/FindCAF.cmake).
# -O1 -g1: TSan's advice for speed, line tables for its stacks; builds
# faster than CAF's default -O2 -g (docs/stack.md 7).
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$prefix" "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCAF_LOG_LEVEL=QUIET -DCAF_NO_IO=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_EXAMPLES=yes \
  -DCAF_NO_TOOLS=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes \
  -DCAF_NO_PYTHON=yes -DCAF_NO_SUMMARY=yes >/dev/null
cmake --build "$work/build" -- -j"$(nproc)"
cmake --install "$work/build" >/dev/null
touch "$stamp"
echo "caf_tsan: installed CAF $version (TSan) to $prefix"
