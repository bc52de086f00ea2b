#!/bin/sh
# Installs the GATOS push-gate into a bare repository:
#   ./install.sh <bare-repo> [--template minimal|regulated|airgapped] [--trust <workspace>/gatos/trust]
#                [--host plain|gitolite|gitlab|gitea|forgejo|ghes] [--dry-run] [--audit-readable]
#   ./install.sh --all <folder of bare repositories> [the same options]
#   ./install.sh <bare-repo> --uninstall
# Each host has its page: docs/hosts/<host>.md.
# It needs git and Node >= 20 on the host, and a built checkout (npm ci && npm run build).
# Everything else is `gatos install` (docs/operators.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "install.sh: error: node (version 20 or later) is not on PATH" >&2
  echo "  hint: install Node.js 20+, then run this again" >&2
  exit 2
fi
built=yes
for f in dist/gatos.cjs dist/gatos.bundle.cjs dist/gatosd.cjs hooks/pre-receive hooks/pre-receive.cjs hooks/pre-receive.bundle.cjs hooks/pre-receive.compilers.cjs hooks/update hooks/update.cjs hooks/update.bundle.cjs hooks/update.compilers.cjs; do
  [ -f "$here/$f" ] || built=no
done
if [ "$built" = no ]; then
  echo "install.sh: error: the gate is not built in $here" >&2
  echo "  hint: run 'npm ci && npm run build' there first" >&2
  exit 2
fi
exec node "$here/dist/gatos.cjs" install "$@"
