#!/bin/sh
# gatos-gate hook: installed by gatos install; a previous hook is kept as update.gatos-chained
#
# The update hook, first as a shell stub so that a push pre-receive already
# decided starts no second Node process, and so that the update hook honours
# the decision pre-receive made for this very push (in a non-atomic push that
# changes the active bundle, the refs after it are written under the new
# one: deciding them again would half-apply the push). pre-receive leaves one
# verdict record per update it allowed in $GIT_DIR/gatos/verdicts (clients
# cannot write there): a folder named by the session and the ref (its slashes
# written as %), the session naming the receive-pack process both hooks are
# children of ($PPID here): boot id, pid, and the inode of its stdin (or its
# start time), so a record left by a push that died can never serve another
# receive-pack, even one reusing the pid. In the folder, one file per policy
# commit the update is allowed under (the one pre-receive decided under, the
# one the push makes active), named by the old id, the new id and that
# commit, holding its time in seconds since boot (src/gate/record.ts,
# src/hooks/records.ts). When the file named by this update and the active
# commit exists and was written at most 600 s ago, the record is consumed
# (emptied) and the update is allowed (then the operator's own
# update.gatos-chained runs, as after any accepting decision). On that path
# the stub runs shell builtins only: every process it started cost about
# 2.5 ms (decision 0038).
# Anything else, any doubt or any failing step runs the full hook,
# update.cjs, which decides by itself (fail closed: this stub never refuses
# and never allows on its own judgement, only on pre-receive's record).
# bash running as sh (RHEL, Fedora) imports shell functions from the environment (BASH_FUNC_<name>%%), which
# would stand in for the commands this stub runs: a `read` that exits 0 accepted a push. This line unsets one
# for every command it runs (test/hooks/stub-commands.test.ts holds the list to them); what else bash takes
# from the environment is the host's (docs/security.md, "Known limits").
# build: no imported functions
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
# build: gate-node.sh (gate_node: the gate's node, without the variables of src/push/gate-node-env.json)
full() {
  gate_node "$here/update.cjs" "$@"
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
# The active policy commit, by its exact full name (no abbreviation rules), as the Node hook reads it:
# from its loose ref file when the files backend keeps it there (a loose ref overrides packed-refs; git
# replaces the file by a rename, so this reads the old id or the new one), else from git.
g=${GIT_DIR:-.}
policy=
if [ -z "${GIT_COMMON_DIR:-}" ] && [ ! -e "$g/reftable" ] && [ -f "$g/refs/gatos/policies/active" ] && [ ! -L "$g/refs/gatos/policies/active" ]; then
  IFS= read -r policy < "$g/refs/gatos/policies/active" || policy=
  case ${#policy} in
    40 | 64) ;;
    *) policy= ;;
  esac
fi
if [ -z "$policy" ]; then
  policy=$(git show-ref --verify --hash refs/gatos/policies/active 2>/dev/null) || full "$@"
fi
case $policy in
  '' | *[!0-9a-f]*) full "$@" ;;
esac
# The session: boot id, receive-pack's pid, and the inode number of its standard input (the pipe or socket
# of its one connection, which no later process with that pid holds: `ino:` in /proc/<pid>/fdinfo/0, about
# 50 bytes, Linux 5.14 and later) or, where that is no pipe or socket or fdinfo shows no inode, its start
# time (field 22 of /proc/<pid>/stat, about 320 bytes, counted after the command name's last ')'), as
# src/hooks/records.ts receivePackSession builds it. A named FIFO there (a file's inode, shared by every later
# reader) passes `-p` here, but receivePackSession names it by the start time: no record matches this name,
# and update.cjs decides with the record under its own. A shell builtin reads one byte per system call
# (decision 0050).
name_session() {
  IFS= read -r boot < /proc/sys/kernel/random/boot_id || return 1
  case $boot in
    '' | *[!0-9a-f-]*) return 1 ;;
  esac
  which=
  if [ -p "/proc/$PPID/fd/0" ] || [ -S "/proc/$PPID/fd/0" ]; then
    while IFS=': 	' read -r key val; do
      [ "$key" != ino ] || which=i$val
    done 2> /dev/null < "/proc/$PPID/fdinfo/0"
  fi
  case $which in
    i) return 1 ;;
    i*[!0-9]*) return 1 ;;
    i*) ;;
    *)
      IFS= read -r stat < "/proc/$PPID/stat" || return 1
      case $stat in
        *') '*) ;;
        *) return 1 ;;
      esac
      set -f
      # shellcheck disable=SC2086
      set -- ${stat##*') '}
      set +f
      [ "$#" -ge 20 ] || return 1
      shift 19
      case $1 in
        '' | *[!0-9]*) return 1 ;;
      esac
      which=$1
      ;;
  esac
  session=$boot.$PPID.$which
}
name_session || full "$@"
# The record's name: the session, `_`, the ref with each `/` written as `%` (src/gate/record.ts recordKey).
enc= rest=$ref
while :; do
  case $rest in
    */*)
      enc=$enc${rest%%/*}%
      rest=${rest#*/}
      ;;
    *)
      enc=$enc$rest
      break
      ;;
  esac
done
case /$ref in
  */.*) full "$@" ;;
esac
# The record: a folder named by the session and the ref, holding one file per policy commit the update is
# allowed under, named by the old and new ids and that commit, holding the time it was written. The name
# carries all that must match, so only that time is read (v3 records were nine lines in clear, about 330
# bytes, and a shell builtin reads one byte per system call: decision 0050).
dir=$g/gatos/verdicts/${session}_$enc
record=$dir/v4.$old.$new.$policy
[ -d "$dir" ] && [ ! -L "$dir" ] && [ -f "$record" ] && [ ! -L "$record" ] || full "$@"
# Whole seconds since boot when pre-receive wrote it, one whole line and nothing after it; an emptied
# (consumed) record reads nothing.
whole= more=
{
  IFS= read -r written && ! IFS= read -r more && [ -z "$more" ] && whole=1
} < "$record"
[ -n "$whole" ] || full "$@"
case $written in
  '' | *[!0-9]*) full "$@" ;;
esac
[ "${#written}" -le 15 ] || full "$@"
# Seconds since boot, as the record is dated (the session names the boot).
IFS=' ' read -r up _ < /proc/uptime || full "$@"
now=${up%%.*}
case $now in
  '' | *[!0-9]*) full "$@" ;;
esac
[ "${#now}" -le 15 ] || full "$@"
age=$((now - written))
[ "$age" -ge 0 ] && [ "$age" -le 600 ] || full "$@"
# Consumed: emptied with a builtin (an empty record allows nothing; pre-receive prunes it).
true > "$record" || full "$@"
if [ "${GATOS_TRACE:-}" = 1 ]; then
  echo "gatos trace: update: pre-receive's verdict record matched; the update hook did not start Node" >&2
fi
if [ -x "$0.gatos-chained" ]; then
  exec "$0.gatos-chained" "$@"
fi
exit 0
