/**
 * The gate's own rules: invariants no policy can switch off. The
 * repository's evaluate mode records the operator's limits among them
 * (fast-forward-only, blob size) instead of enforcing them, never a failure
 * to read or verify (verdict.ts, enforcedIn). Their ids start with `gate/`
 * so they never collide with policy rule ids.
 */
export const RULES = {
  facts: { id: 'gate/read', hint: 'the pushed objects could not be read; push again, and tell the operator if it persists' },
  refName: { id: 'gate/ref-name', hint: 'journals are refs/gatos/journal/<ns>/<kind>/<name>, state refs refs/gatos/state/<ns>, bundles refs/gatos/policies/<64 hex>' },
  auditReadonly: { id: 'gate/audit-readonly', hint: 'refs/gatos/audit/** records refusals; read it with `gatos audit log`, never push to it' },
  ffOnly: { id: 'gate/fast-forward-only', hint: 'fetch, rebase your new commits onto the remote tip, and push without --force' },
  linear: { id: 'gate/linear-history', hint: 'rebase instead of merging: GATOS refs keep one parent per commit' },
  event: { id: 'gate/event', hint: 'write events with `gatos event add`, signed by a key the active trust graph lists' },
  proof: { id: 'gate/proof-of-fold', hint: 'recompute the checkpoint with `gatos fold checkpoint` against the active bundle and push it' },
  bundle: { id: 'gate/bundle', hint: 'publish bundles with `gatos policy publish`; the pushed one does not load' },
  eventTime: { id: 'gate/event-time', hint: 'push events soon after writing them, from a machine with a correct clock: append them again with gatos event add (a current ts) and push' },
  policy: { hint: 'see `gatos policy explain` for the rule; ask an operator if you think you should be allowed' },
  gateError: { id: 'gate/error', hint: 'the gate could not decide, so it refused; retry, and give the operator the message above if it persists' },
  objectType: { id: 'gate/object-type', hint: 'GATOS refs and branches take commits, refs/tags/** a commit or an annotated tag of a commit (unless the operator set gatos.tipTypes): push the commit itself, never a blob, a tree or a tag of a tag' },
  objectSize: { id: 'gate/object-size', hint: 'keep large files, commit headers and tag messages out of the repository (the airgapped template wants a <name>.ptr.json pointer to the site store); rewrite the objects named above and push again' },
  /** The update hook alone sees one ref: a checkpoint over journal commits no server ref holds yet cannot be proven complete there. */
  updateHookJournalFirst: { id: 'gate/update-hook-journal-first', hint: 'with only the update hook installed, push the journal first, then the checkpoint' },
  /** Not a rule of its own: the hint of a policy denial whose rule needed the pusher and the host named nobody. */
  noIdentity: { hint: 'the host must tell the gate who pushes: push through the host (ssh or https with your account), and operators check gatos.host and gatos.actorEnv (docs/hosts/)' },
  /** Epoch anchors and what they record (src/gate/epoch.ts, docs/epochs.md): EPOCH_BROKEN. */
  epoch: { id: 'gate/epoch', hint: 'create anchors with `gatos epoch new <ns>` after fetching refs/gatos/*, and push the one new epoch ref alone' },
  /** The message bus (src/gate/bus.ts, docs/bus.md). */
  busConfig: { id: 'gate/bus-config', hint: 'change a topic with `gatos bus reshard` (a new version, from_version the current one) or flip it with `gatos bus reshard --flip`; fetch refs/gatos/mbus-config/* first' },
  busMessage: { id: 'gate/bus-message', hint: 'publish with `gatos bus publish`: an event whose ns is the topic, claiming bus:publish:<topic>, payload { key, map, body }' },
  busPlacement: { id: 'gate/bus-placement', hint: 'fetch refs/gatos/mbus-config/<topic> and publish again with `gatos bus publish`, which places each message by the current map (both maps during a reshard)' },
  busExactlyOnce: { id: 'gate/bus-exactly-once', hint: 'a (topic, ULID) is accepted once: publish a new message (a new ULID) instead of replaying one; a dual-write twin must carry the same bytes' },
  busAck: { id: 'gate/bus-ack', hint: 'ack with `gatos bus ack` after fetching: name messages on the topic\'s shards, never behind your previous ack' },
  busBackpressure: { id: 'gate/bus-backpressure', hint: 'the subscriber named must consume and ack (`gatos bus subscribe`, `gatos bus ack`) before more is published to this shard' },
  busFlip: { id: 'gate/bus-flip', hint: 'wait until every subscriber has acked the old map\'s shards to their tips (`gatos bus status`), then flip again' },
  /** A proof envelope on refs/gatos/audit/proofs/<ns> whose roots, commitment or signature do not hold (src/push/proofs.ts). */
  proofEnvelope: { id: 'gate/proof-envelope', hint: 'write proofs with `gatos prove` for a checkpoint on the namespace\'s state ref, and check them with `gatos verify`' },
  /** Bus segments: a summary closing a shard's window (src/gate/bus-segment.ts, docs/bus.md). */
  busSegment: { id: 'gate/bus-segment', hint: 'rotate with `gatos bus rotate <topic>` after fetching refs/gatos/mbus/<topic>/*: it writes the summary the window gives, once the config\'s segment policy allows' },
  /** Session refs and session merges (src/gate/session.ts, docs/sessions.md). */
  session: { id: 'gate/session', hint: 'write sessions with `gatos session start|save|undo|merge`; fetch refs/gatos/state/<ns> before merging' },
  sessionOwner: { id: 'gate/session-owner', hint: 'push only your own sessions: refs/gatos/sessions/<your kind>/<your name>/<ulid> (gatos session start names it)' },
  /** Bus retention: a prune root and its archive ref (src/gate/bus-prune.ts, decision 0039). */
  busPrune: { id: 'gate/bus-prune', hint: 'prune with `gatos bus prune <topic>` after fetching refs/gatos/mbus*/*: it writes the prune root the summaries give and the archive ref at the old tip; push both together (git push --atomic origin +<shard ref> <archive ref>)' },
  /** A push naming one ref more than once (src/gate/ref-once.ts). */
  refOnce: { id: 'gate/one-update-per-ref', hint: 'name each ref once per push (the stock git client does); push the update you mean' },
} as const;
