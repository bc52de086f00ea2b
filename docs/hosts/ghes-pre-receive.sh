#!/bin/sh
# The gatos-gate pre-receive hook script for GitHub Enterprise Server: commit
# it to the hook repository and select it in the pre-receive hook settings,
# with the environment built in docs/hosts/ghes.md (Node 20 and the built
# gate under /opt/gatos-gate). GitHub runs it with the push on stdin and
# GITHUB_USER_LOGIN naming the pusher; the gate reads both.
# As the installed stubs do (decision 0067; the list is src/push/gate-node-env.json): the gate's node
# never runs with the variables that could run code in it before it decides (NODE_OPTIONS, OPENSSL_CONF),
# end it with status 0 (NODE_UNIQUE_ID, NODE_CHANNEL_FD), hang it, print its environment to the pusher or
# slow it down; nor with the stubs' helper variables, which nothing here should set. GitHub runs no
# chained hook and the gate writes no audit ref here, so nothing needs them back.
unset NODE_OPTIONS NODE_EXTRA_CA_CERTS NODE_DEBUG NODE_DEBUG_NATIVE NODE_V8_COVERAGE NODE_COMPILE_CACHE \
  OPENSSL_CONF NODE_UNIQUE_ID NODE_CHANNEL_FD NODE_CHANNEL_SERIALIZATION_MODE GATOS_CHAINED_NODE_OPTIONS \
  GATOS_CHAINED_NODE_EXTRA_CA_CERTS GATOS_CHAINED_NODE_DEBUG GATOS_CHAINED_NODE_DEBUG_NATIVE \
  GATOS_CHAINED_NODE_V8_COVERAGE GATOS_CHAINED_NODE_COMPILE_CACHE GATOS_CHAINED_OPENSSL_CONF
exec node "${GATOS_GATE_HOME:-/opt/gatos-gate}/hooks/pre-receive.cjs"
