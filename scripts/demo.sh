#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs one simulated
# booking call end to end (switchboard demo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh" "$here/build/release" Release >/dev/null
exec "$here/build/release/app/switchboard" demo "$@"
