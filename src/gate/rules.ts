/**
 * The gate's own rules: invariants no policy can switch off (only the
 * repository's evaluate mode records them instead of enforcing them). Their
 * ids start with `gate/` so they never collide with policy rule ids.
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
  blobSize: { id: 'gate/blob-size', hint: 'keep large files out of the repository (the airgapped template wants a <name>.ptr.json pointer to the site store); rewrite the commits without them and push again' },
  eventTime: { id: 'gate/event-time', hint: 'push events soon after writing them, from a machine with a correct clock: append them again with gatos event add (a current ts) and push' },
  policy: { hint: 'see `gatos policy explain` for the rule; ask an operator if you think you should be allowed' },
  gateError: { id: 'gate/error', hint: 'the gate could not decide, so it refused; retry, and give the operator the message above if it persists' },
  /** The update hook alone sees one ref: a checkpoint over journal commits no server ref holds yet cannot be proven complete there. */
  updateHookJournalFirst: { id: 'gate/update-hook-journal-first', hint: 'with only the update hook installed, push the journal first, then the checkpoint' },
} as const;
