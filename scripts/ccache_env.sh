# Sourced by scripts/build.sh, fuzz.sh and caf_tsan.sh: the one ccache the
# project's builds share. Each caller sets CCACHE_BASEDIR (its source root)
# itself, with CCACHE_NOHASHDIR=1, so that every checkout hits the cache.
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/switchboard-ccache}"
# ccache's default 5 GB holds less than the four trees' objects (the ASan
# ones are the biggest), so a whole run would evict its own first tree.
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-25G}"
