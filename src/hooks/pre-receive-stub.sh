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
# started when the file says, and runs as this user), saves the push's
# update lines in a private folder daemon/c.XXXXXX (mode 0700) with a reply
# FIFO, sends one request line bound to a fresh 128-bit nonce, and relays
# the daemon's `remote:` lines and exit status (protocol:
# src/serve/protocol.ts, docs/decisions/0025-daemon-transport.md).
# Fail closed: a daemon that is not there, not ours, does not accept the
# request within GATOS_DAEMON_ACCEPT_MS (default 2000), dies before its
# verdict, says to, or answers with another push's nonce: the push is
# decided cold, by pre-receive.cjs, on the same update lines. This stub
# never accepts on its own judgement, only on the daemon's exit status 0 for
# this nonce (then the operator's own pre-receive.gatos-chained runs, as
# after any accepting decision).
# Tools: sh, mktemp, mkfifo, od, cat, sleep (stock on Debian and Alpine).
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
trace() {
  if [ "${GATOS_TRACE:-}" = 1 ]; then echo "gatos trace: pre-receive: $1" >&2; fi
}
cold() {
  exec node "$here/pre-receive.cjs"
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
IFS=' ' read -r magic dpid dstart rest < "$d/pid" || untrusted 'the pid file cannot be read'
[ "$magic" = gatos-daemon-1 ] && [ -z "$rest" ] || untrusted 'the pid file is not a gatos daemon'"'"'s'
case $dpid$dstart in
  '' | *[!0-9]*) untrusted 'the pid file is malformed' ;;
esac
# The daemon still runs, as this user, and is the process that wrote the pid file (start time, field 22
# of /proc/<pid>/stat, counted after the command name's last ')': a reused pid has another).
alive() {
  [ -O "/proc/$dpid" ] || return 1
  IFS= read -r stat < "/proc/$dpid/stat" || return 1
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
  [ "$1" = "$dstart" ]
}
alive 2>/dev/null || untrusted "no daemon runs as pid $dpid"
c=$(mktemp -d "$d/c.XXXXXX" 2>/dev/null) || untrusted 'no private folder could be made'
# From here on git's stdin is being read: any failure decides cold on the saved copy, or refuses.
refuse() {
  rm -rf "$c"
  echo "gatos gate: refused: $1 [GATE_ERROR]" >&2
  exit 2
}
cat > "$c/stdin" || refuse 'the push'"'"'s update lines could not be saved for the daemon'
w=
fallback() {
  [ -z "$w" ] || kill "$w" 2>/dev/null
  trace "$1; deciding without the daemon"
  exec 3>&- 4>&- 0< "$c/stdin" || refuse 'the saved update lines cannot be read'
  rm -rf "$c"
  cold
}
n=
for x in $(od -An -N16 -tx1 /dev/urandom 2>/dev/null); do n=$n$x; done
case $n in
  *[!0-9a-f]*) fallback 'no nonce could be drawn' ;;
esac
[ "${#n}" -eq 32 ] || fallback 'no nonce could be drawn'
mkfifo -m 600 "$c/reply" 2>/dev/null || fallback 'no reply FIFO could be made'
# Read and write: the open never blocks, and only this client and the daemon hold the FIFO.
exec 4<> "$c/reply" || fallback 'the reply FIFO cannot be opened'
exec 3<> "$d/requests" || fallback 'the request FIFO cannot be opened'
printf '%s %s %s %s\n' gatos-push-1 "$n" "$$" "${c##*/}" >&3 || fallback 'the request could not be sent'
exec 3>&-
# A watcher: the daemon must accept the request within the limit and stay alive until it answers;
# otherwise it ends the wait with `t` (no answer) or `d` (died).
ms=${GATOS_DAEMON_ACCEPT_MS:-2000}
case $ms in
  '' | *[!0-9]* | ??????*) ms=2000 ;;
esac
ticks=$((ms / 50))
(
  i=0
  while :; do
    sleep 0.05 2>/dev/null || sleep 1
    alive || { echo d >&4; exit 0; }
    if [ ! -e "$c/accepted" ]; then
      i=$((i + 1))
      [ "$i" -lt "$ticks" ] || { echo t >&4; exit 0; }
    fi
  done
) < /dev/null > /dev/null 2>&1 &
w=$!
status=
while IFS= read -r l <&4; do
  case $l in
    o*) printf '%s\n' "${l#o}" >&2 ;;
    r*) printf '%s\r' "${l#r}" >&2 ;;
    "x $n "*)
      status=${l#"x $n "}
      break
      ;;
    "c $n") fallback 'the daemon does not serve this push' ;;
    d) fallback 'the daemon stopped before its verdict' ;;
    t) fallback 'no daemon answered in time' ;;
    *) fallback 'the daemon'"'"'s answer is not for this push' ;;
  esac
done
case $status in
  '' | *[!0-9]* | ????*) fallback 'the daemon'"'"'s verdict is malformed' ;;
esac
kill "$w" 2>/dev/null
trace "decided by the daemon (pid $dpid), exit status $status"
if [ "$status" -eq 0 ] && [ -x "$here/pre-receive.gatos-chained" ]; then
  exec 3>&- 4>&- 0< "$c/stdin"
  rm -rf "$c"
  exec "$here/pre-receive.gatos-chained"
fi
exec 4>&-
rm -rf "$c"
exit "$status"
