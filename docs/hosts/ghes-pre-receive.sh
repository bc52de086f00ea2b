#!/bin/sh
# The gatos-gate pre-receive hook script for GitHub Enterprise Server: commit
# it to the hook repository and select it in the pre-receive hook settings,
# with the environment built in docs/hosts/ghes.md (Node 20 and the built
# gate under /opt/gatos-gate). GitHub runs it with the push on stdin and
# GITHUB_USER_LOGIN naming the pusher; the gate reads both.
exec node "${GATOS_GATE_HOME:-/opt/gatos-gate}/hooks/pre-receive.cjs"
