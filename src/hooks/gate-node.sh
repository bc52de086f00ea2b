# Shared by both hook stubs (src/hooks/pre-receive-stub.sh, update-stub.sh): scripts/build.mjs puts it in place
# of their `# build: gate-node.sh` line, so each installed stub stays one file.

# The gate's node runs without two variables a host's environment may hold (decision 0067), and puts
# them back, as they were, for every process it starts (src/hooks/host-node-env.ts): NODE_OPTIONS,
# whose --require, --import or V8 flags would run code in the gate's process before it decides (an
# --import that exits 0 accepted the push), or change how it runs; and NODE_EXTRA_CA_CERTS, every
# certificate of which Node 20 reads while it starts (about 40 ms of each cold push here), though the
# gate opens no TLS connection. Their helper variables are this stub's alone, on every path.
unset GATOS_CHAINED_NODE_OPTIONS GATOS_CHAINED_NODE_EXTRA_CA_CERTS
gate_node() {
  if [ -n "${NODE_OPTIONS+set}" ]; then
    GATOS_CHAINED_NODE_OPTIONS=$NODE_OPTIONS
    export GATOS_CHAINED_NODE_OPTIONS
    unset NODE_OPTIONS
  fi
  if [ -n "${NODE_EXTRA_CA_CERTS+set}" ]; then
    GATOS_CHAINED_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
    export GATOS_CHAINED_NODE_EXTRA_CA_CERTS
    unset NODE_EXTRA_CA_CERTS
  fi
  exec node "$@"
}
