#!/bin/sh
# gatos-gate hook: installed by gatos install; a previous hook is kept as update.gatos-chained
#
# The update hook, first as a shell stub so that a push pre-receive already
# decided starts no second Node process. pre-receive leaves one verdict
# record per update it allowed in $GIT_DIR/gatos/verdicts (clients cannot
# write there), named by sha256("gatos-verdict-v1\0<ref>\0<old>\0<new>\0<active
# policy commit>") and holding those parts in clear (src/gate/record.ts,
# src/hooks/records.ts). When that exact file exists with exactly that
# content, the record is consumed and the update is allowed (then the
# operator's own update.gatos-chained runs, as after any accepting decision).
# Anything else, any doubt or any failing step runs the full hook,
# update.cjs, which decides by itself (fail closed: this stub never refuses
# and never allows on its own judgement, only on pre-receive's record).
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
full() {
  exec node "$here/update.cjs" "$@"
}
[ "$#" -eq 3 ] || full "$@"
ref=$1 old=$2 new=$3
# Only plain ref names and lower-case hex ids take the fast path.
case $ref in
  refs/*) ;;
  *) full "$@" ;;
esac
case $ref in
  *[!A-Za-z0-9/._+@-]*) full "$@" ;;
esac
case $old$new in
  *[!0-9a-f]*) full "$@" ;;
esac
[ -n "$old" ] && [ -n "$new" ] || full "$@"
# The active policy commit, by its exact full name (no abbreviation rules), as the Node hook reads it.
policy=$(git show-ref --verify --hash refs/gatos/policies/active 2>/dev/null) || full "$@"
case $policy in
  '' | *[!0-9a-f]*) full "$@" ;;
esac
if command -v sha256sum >/dev/null 2>&1; then
  key=$(printf 'gatos-verdict-v1\000%s\000%s\000%s\000%s' "$ref" "$old" "$new" "$policy" | sha256sum) || full "$@"
elif command -v shasum >/dev/null 2>&1; then
  key=$(printf 'gatos-verdict-v1\000%s\000%s\000%s\000%s' "$ref" "$old" "$new" "$policy" | shasum -a 256) || full "$@"
else
  full "$@"
fi
key=${key%% *}
case $key in
  '' | *[!0-9a-f]*) full "$@" ;;
esac
[ "${#key}" -eq 64 ] || full "$@"
record=${GIT_DIR:-.}/gatos/verdicts/$key
[ -f "$record" ] && [ ! -L "$record" ] || full "$@"
# The record's six lines, compared with shell builtins (a cmp process cost a fork per ref); a line
# without its newline, a seventh line or any difference means the full hook.
whole=
{
  IFS= read -r l1 && IFS= read -r l2 && IFS= read -r l3 && IFS= read -r l4 && IFS= read -r l5 && IFS= read -r l6 &&
    ! IFS= read -r l7 && [ -z "$l7" ] && whole=1
} < "$record"
[ -n "$whole" ] || full "$@"
[ "$l1" = gatos-verdict-v1 ] && [ "$l2" = "$ref" ] && [ "$l3" = "$old" ] && [ "$l4" = "$new" ] && [ "$l5" = "$policy" ] && [ "$l6" = allowed ] || full "$@"
rm -f -- "$record" || full "$@"
if [ "${GATOS_TRACE:-}" = 1 ]; then
  echo "gatos trace: update: pre-receive's verdict record matched; the update hook did not start Node" >&2
fi
if [ -x "$0.gatos-chained" ]; then
  exec "$0.gatos-chained" "$@"
fi
exit 0
