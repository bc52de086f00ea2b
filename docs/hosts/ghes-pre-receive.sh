#!/bin/sh
# The gatos-gate pre-receive hook script for GitHub Enterprise Server: commit
# it to the hook repository and select it in the pre-receive hook settings,
# with the environment built in docs/hosts/ghes.md (Node 20 and the built
# gate under /opt/gatos-gate). GitHub runs it with the push on stdin and
# GITHUB_USER_LOGIN naming the pusher; the gate reads both.
# As the installed stubs do (decision 0067): the gate's node never runs with NODE_OPTIONS (code that
# would run before the gate decides) or NODE_EXTRA_CA_CERTS (about 40 ms of Node 20's start-up).
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
exec node "${GATOS_GATE_HOME:-/opt/gatos-gate}/hooks/pre-receive.cjs"
