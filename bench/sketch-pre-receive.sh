#!/bin/sh
# The upstream GATOS pre-receive sketch's logic, as a jq-free POSIX sh copy,
# for `npm run bench` (suite `daemon`) only: the baseline the gate with its
# daemon must add less time than. It never guards a real repository.
# For each update line: a non-fast-forward is refused (a create, old = the
# zero id, is allowed); on refs/gatos/state/** the new commit's message must
# carry the State-Root: and Policy-Root: trailers.
status=0
while read -r old new ref; do
  case $old in
    *[!0]*)
      if ! git merge-base --is-ancestor "$old" "$new" 2>/dev/null; then
        echo "sketch: $ref: not a fast-forward" >&2
        status=1
        continue
      fi ;;
  esac
  case $ref in
    refs/gatos/state/*)
      msg=$(git log -1 --format=%B "$new") || { status=1; continue; }
      for t in State-Root Policy-Root; do
        if ! printf '%s\n' "$msg" | grep -q "^$t: "; then
          echo "sketch: $ref: no $t: trailer" >&2
          status=1
        fi
      done ;;
  esac
done
exit $status
