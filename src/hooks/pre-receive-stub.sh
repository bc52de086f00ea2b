#!/bin/sh
# gatos-gate hook: installed by gatos install; a previous hook is kept as pre-receive.gatos-chained
#
# The pre-receive hook, first as a POSIX sh client of `gatos serve` (the
# warm decision daemon, docs/daemon.md), so that a push decided by the daemon
# starts no Node process. Without a daemon for this repository (no FIFO
# $GIT_DIR/gatos/daemon/requests) it execs the hook in Node at once, with
# git's stdin untouched: the cold path, pre-receive.cjs, which decides by
# itself. With one, it checks the daemon is trustworthy (its folder, FIFO and
# pid file are this user's, not symlinks; the pid file's process is alive,
# runs as this user and holds that FIFO open), sends one request line bound
# to a fresh 128-bit nonce (a usual push's update lines inside it, the reply
# coming back into this hook's stdin pipe; others through a private folder
# daemon/c.XXXXXX (mode 0700) with a reply FIFO), and relays the daemon's
# `remote:` lines and exit status (protocol: src/serve/protocol.ts,
# docs/decisions/0025-daemon-transport.md, 0038 and 0047).
# Fail closed: a daemon that is not there, not ours, does not accept the
# request within GATOS_DAEMON_ACCEPT_MS (default 2000), dies before its
# verdict, says to, or answers with another push's nonce: the push is
# decided cold, by pre-receive.cjs, on the same update lines. This stub
# never accepts on its own judgement, only on the daemon's exit status 0 for
# this nonce (then the operator's own pre-receive.gatos-chained runs, as
# after any accepting decision).
# Tools: sh and sleep; for unusual pushes mktemp, mkfifo, od, cat (stock on Debian and Alpine).
# A redirection that fails on a special builtin (`exec`, `:`) ends a POSIX shell on the spot (exit 2: a
# refusal without its reason): every one that opens a file goes through `command exec`, or uses `true`,
# so that the line's own fallback runs.
# bash running as sh (RHEL, Fedora) imports shell functions from the environment (BASH_FUNC_<name>%%), which
# would stand in for the commands this stub runs: a `read` that exits 0 accepted a push. This line unsets one
# for every command it runs (test/hooks/stub-commands.test.ts holds the list to them); what else bash takes
# from the environment is the host's (docs/security.md, "Known limits").
# build: no imported functions
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
trace() {
  if [ "${GATOS_TRACE:-}" = 1 ]; then echo "gatos trace: pre-receive: $1" >&2; fi
}
# build: gate-node.sh (gate_node: the gate's node, without the variables of src/push/gate-node-env.json)
cold() {
  gate_node "$here/pre-receive.cjs"
}
d=${GIT_DIR:-.}/gatos/daemon
[ -p "$d/requests" ] || cold
untrusted() {
  trace "$1; deciding without the daemon"
  cold
}
[ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || untrusted 'the daemon folder is not this user'"'"'s'
[ ! -L "$d/requests" ] && [ -O "$d/requests" ] || untrusted 'the request FIFO is not this user'"'"'s'
[ -f "$d/pid" ] && [ ! -L "$d/pid" ] && [ -O "$d/pid" ] || untrusted 'no pid file of this user'"'"'s'
IFS=' ' read -r magic dpid dstart dfd rest < "$d/pid" || untrusted 'the pid file cannot be read'
[ "$magic" = gatos-daemon-2 ] && [ -z "$rest" ] || untrusted 'the pid file is not a gatos daemon'"'"'s'
case $dpid$dstart$dfd in
  '' | *[!0-9]*) untrusted 'the pid file is malformed' ;;
esac
[ -n "$dstart" ] && [ -n "$dfd" ] || untrusted 'the pid file is malformed'
# The daemon still runs, as this user, and is the process that holds this very request FIFO open on the
# descriptor its pid file names: a reused pid, or a process of another user, does not. Two stat calls;
# reading its /proc/<pid>/stat for the start time with a builtin (one byte per read) cost about 0.5 ms,
# and the watcher asks every 50 ms (decision 0047).
alive() {
  [ -O "/proc/$dpid" ] && [ "/proc/$dpid/fd/$dfd" -ef "$d/requests" ]
}
alive 2>/dev/null || untrusted "no daemon runs as pid $dpid"
# The push's update lines. A few plain ones (the usual push) travel inside the request line and the
# reply comes on the FIFO daemon/r.<nonce>: no folder to make, copy or remove (mktemp, cat and rm cost
# about 2.5 ms each here, decision 0038). Anything else goes through a private folder daemon/c.XXXXXX
# holding git's stdin byte for byte. From here on git's stdin is being read: any failure decides cold on
# the saved copy, or refuses.
nl='
'
all= req= count=0 inline=1 more= partial= l=
while :; do
  if ! IFS= read -r l; then
    # The end of git's stdin; a last line without its newline goes through a folder, as it came.
    [ -z "$l" ] || {
      all=$all$l
      inline= partial=1
    }
    break
  fi
  all=$all$l$nl
  count=$((count + 1))
  case $l in
    *[!0-9A-Za-z/._+@\ -]* | ' '* | *' ' | *'  '* | *' '*' '*' '*) inline= ;;
    *' '*' '*) req="$req $l" ;;
    *) inline= ;;
  esac
  # More than a request line carries: the rest is read by cat, into the folder.
  if [ "$count" -ge 20 ] || [ "${#req}" -gt 3800 ]; then
    inline= more=1
    break
  fi
done
[ -n "$all" ] || inline=
body=${all%"$nl"}
c= f= w=
refuse() {
  [ -z "$c" ] || rm -rf "$c"
  [ -z "$f" ] || rm -f "$f"
  echo "gatos gate: refused: $1 [GATE_ERROR]" >&2
  exit 2
}
# The cold hook on exactly the update lines git gave: saved in the folder, or read into $all (whole
# lines only: a here-document ends with the newline the last line had).
cold_saved() {
  if [ -n "$c" ]; then
    command exec 0< "$c/stdin" || refuse 'the saved update lines cannot be read'
    rm -rf "$c"
    cold
  fi
  [ -z "$f" ] || rm -f "$f"
  [ -z "$partial" ] || refuse 'the push'"'"'s update lines could not be saved'
  gate_node "$here/pre-receive.cjs" <<LINES
$body
LINES
}
fallback() {
  [ -z "$w" ] || kill "$w" 2>/dev/null
  trace "$1; deciding without the daemon"
  exec 3>&- 4>&-
  cold_saved
}
# Before anything is saved, only the lines read so far exist: a folder must hold them and the rest.
if [ -z "$inline" ]; then
  trace 'the update lines go to the daemon through a folder'
  c=$(mktemp -d "$d/c.XXXXXX" 2>/dev/null) || {
    c=
    [ -z "$more" ] || refuse 'the push'"'"'s update lines could not be saved for the daemon'
    fallback 'no private folder could be made'
  }
  if [ -n "$more" ]; then
    { printf '%s' "$all" && cat; } > "$c/stdin" || refuse 'the push'"'"'s update lines could not be saved for the daemon'
  else
    printf '%s' "$all" > "$c/stdin" || refuse 'the push'"'"'s update lines could not be saved for the daemon'
  fi
fi
# The nonce: 128 bits from the kernel (a fresh random UUID per read, with a shell builtin; od otherwise).
n=
if IFS= read -r u < /proc/sys/kernel/random/uuid 2> /dev/null; then
  IFS=-
  set -f
  # shellcheck disable=SC2086
  set -- $u
  set +f
  IFS=' '
  n=$1$2$3$4$5
fi
case $n in
  '' | *[!0-9a-f]*) n= ;;
esac
if [ "${#n}" -ne 32 ]; then
  n=
  for x in $(od -An -N16 -tx1 /dev/urandom 2> /dev/null); do n=$n$x; done
fi
case $n in
  *[!0-9a-f]*) fallback 'no nonce could be drawn' ;;
esac
[ "${#n}" -eq 32 ] || fallback 'no nonce could be drawn'
# The reply channel. Inline, when git's stdin is a pipe (it always is under receive-pack): the daemon writes
# the reply into that pipe, opening it as /proc/<this pid>/fd/0, and accepts by removing the plain file
# daemon/r.<nonce> this client creates with noclobber; no process starts (mkfifo cost about 1.5 ms here,
# decision 0047). This client opens the pipe for writing too, so that reading it waits for the daemon's
# lines instead of ending at the end of git's, and the watcher can end the wait. Otherwise the reply
# comes on a FIFO of its own.
in=0
if [ -n "$inline" ] && [ -p "/proc/$$/fd/0" ] && command exec 4> "/proc/$$/fd/0"; then
  f=$d/r.$n
  set -C
  true > "$f" || {
    set +C
    f=
    fallback 'the request marker could not be made'
  }
  set +C
  request="gatos-push-3 $n $$$req"
elif [ -n "$inline" ]; then
  f=$d/r.$n
  mkfifo -m 600 "$f" 2> /dev/null || {
    f=
    fallback 'no reply FIFO could be made'
  }
  # Read and write: the open never blocks, and only this client and the daemon hold the FIFO.
  command exec 4<> "$f" || fallback 'the reply FIFO cannot be opened'
  in=4
  request="gatos-push-2 $n $$$req"
else
  mkfifo -m 600 "$c/reply" 2> /dev/null || fallback 'no reply FIFO could be made'
  command exec 4<> "$c/reply" || fallback 'the reply FIFO cannot be opened'
  in=4
  request="gatos-push-1 $n $$ ${c##*/}"
fi
# Not accepted yet: the daemon removes r.<nonce> (inline) or makes c.XXXXXX/accepted once it holds the reply.
waiting() {
  if [ -n "$c" ]; then [ ! -e "$c/accepted" ]; else [ -e "$f" ]; fi
}
command exec 3<> "$d/requests" || fallback 'the request FIFO cannot be opened'
printf '%s\n' "$request" >&3 || fallback 'the request could not be sent'
exec 3>&-
# Accepted at once? A daemon with a free moment opens this client's stdin and removes r.<nonce> within a
# fraction of a millisecond: a few checks with a builtin (GATOS_DAEMON_SPINS, default 20; no process), 200 when
# the daemon says (daemon/waits) that it waits on the CPU for requests, and so takes one within them (decision
# 0065). The file only changes how long this client checks, never what it decides.
# Once the daemon holds the pipe, nobody else may hold a writing end of it (git closed its own after the
# update lines): a daemon that dies, or closes the pipe without a verdict, then ends the read with
# end-of-file. So this client closes its own writing end once the daemon took the request, and no process
# watches the daemon from then on (decision 0050).
w= watch=1
if [ "$in" = 0 ]; then
  k=20
  [ ! -e "$d/waits" ] || k=200
  k=${GATOS_DAEMON_SPINS:-$k}
  case $k in
    '' | *[!0-9]* | ????????*) k=20 ;;
  esac
  while [ -e "$f" ] && [ "$k" -gt 0 ]; do k=$((k - 1)); done
  if [ ! -e "$f" ]; then
    exec 4>&-
    watch=
  fi
fi
# Otherwise a watcher: the daemon must accept the request within the limit, and (with a reply FIFO, which this
# client holds open for reading and writing) stay alive until it answers; it ends the wait with `t` (no
# answer) or `d` (died), each after a newline: a daemon killed in the middle of a line (a full pipe) leaves
# that line unended, and a `d` glued to it would be no message, the client then waiting forever. The client
# skips empty lines. The watcher ends with its client (killed while the daemon decides), instead of ticking for
# as long as the daemon lives. With the reply in this client's stdin, the watcher holds the pipe's writing end
# instead of the client, and ends as soon as the daemon accepted, before any tick when it already has: its
# `sleep`, a process every 50 ms, then never starts.
if [ -n "$watch" ]; then
  ms=${GATOS_DAEMON_ACCEPT_MS:-2000}
  case $ms in
    '' | *[!0-9]* | ??????*) ms=2000 ;;
  esac
  ticks=$((ms / 50))
  (
    i=0
    while :; do
      [ "$in" != 0 ] || [ -e "$f" ] || exit 0
      sleep 0.05 2> /dev/null || sleep 1
      [ -d "/proc/$$" ] || exit 0
      alive || {
        printf '\nd\n' >&4
        exit 0
      }
      if waiting; then
        i=$((i + 1))
        [ "$i" -lt "$ticks" ] || {
          printf '\nt\n' >&4
          exit 0
        }
      fi
    done
  ) < /dev/null > /dev/null 2>&1 &
  w=$!
  [ "$in" != 0 ] || exec 4>&-
fi
status= ended=1
while IFS= read -r l <&"$in"; do
  case $l in
    o*) printf '%s\n' "${l#o}" >&2 ;;
    r*) printf '%s\r' "${l#r}" >&2 ;;
    '') ;;
    "x $n "*)
      status=${l#"x $n "} ended=
      break
      ;;
    "c $n") fallback 'the daemon does not serve this push' ;;
    d) fallback 'the daemon stopped before its verdict' ;;
    t) fallback 'no daemon answered in time' ;;
    *) fallback 'the daemon'"'"'s answer is not for this push' ;;
  esac
done
# The end of the pipe before a verdict: every writing end is closed, the daemon's too (it died, or gave up).
[ -z "$ended" ] || fallback 'the daemon stopped before its verdict'
case $status in
  '' | *[!0-9]* | ????*) fallback 'the daemon'"'"'s verdict is malformed' ;;
esac
[ -z "$w" ] || kill "$w" 2> /dev/null
trace "decided by the daemon (pid $dpid), exit status $status"
exec 4>&-
if [ "$status" -eq 0 ] && [ -x "$here/pre-receive.gatos-chained" ]; then
  if [ -n "$c" ]; then
    command exec 0< "$c/stdin" || refuse 'the saved update lines cannot be read'
    rm -rf "$c"
    exec "$here/pre-receive.gatos-chained"
  fi
  exec "$here/pre-receive.gatos-chained" <<LINES
$body
LINES
fi
# The daemon removed r.<nonce> when it accepted; a folder is this client's to remove.
[ -z "$c" ] || rm -rf "$c"
exit "$status"
