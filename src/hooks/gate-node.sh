# Shared by both hook stubs (src/hooks/pre-receive-stub.sh, update-stub.sh): scripts/build.mjs puts it in place
# of their `# build: gate-node.sh` line, so each installed stub stays one file, and writes the lines marked
# `# build: ...` below from src/push/gate-node-env.json, the one list the loader and the hook's threads use too.

# The gate's node starts without the variables a host's environment may hold that would run code in it
# before it decides, end it with status 0, hang it, print its environment to the pusher, or only cost
# time (decision 0067; docs/security.md, fifteenth pass): NODE_OPTIONS (--require, --import, V8 flags),
# NODE_UNIQUE_ID with NODE_CHANNEL_FD (a cluster worker that exits 0 when its channel closes),
# OPENSSL_CONF (an OpenSSL provider is a shared library loaded at start-up), NODE_V8_COVERAGE (a folder
# under /proc spins forever), NODE_DEBUG (every child's environment on stderr), NODE_EXTRA_CA_CERTS
# (about 40 ms of Node 20's start, for a gate that opens no TLS connection). The kept ones travel as
# GATOS_CHAINED_<name>, set or empty, and the loader puts them back, as they were, for every process the
# hook starts (src/hooks/host-node-env.ts); the helper variables are this stub's alone, on every path.
# build: unset the helper variables
gate_node() {
  # build: keep each variable
  # build: drop each variable
  exec node "$@"
}
