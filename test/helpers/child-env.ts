/**
 * Runs in every jest worker before its tests. NODE_EXTRA_CA_CERTS (set on
 * machines behind a TLS-inspecting proxy, this one included) makes every
 * Node process parse a certificate bundle at start-up: about 60-80 ms here,
 * paid by each of the thousands of CLI and hook processes the suites start.
 * No test opens a TLS connection (loopback only), so the processes they
 * start do without it.
 */
delete process.env.NODE_EXTRA_CA_CERTS;
