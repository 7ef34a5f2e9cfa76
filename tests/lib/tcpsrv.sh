# tcpsrv.sh - start xapian-tcpsrv on a free loopback port (sourced by the
# shard tests and bench/shards.sh).
#
# cti_serve DB [OPTION...]: serve database DB (xapian-tcpsrv options after
# it) on 127.0.0.1; sets PORT and SPID and appends SPID to PIDS.  The server
# runs in its own session (xapian-tcpsrv signals its whole process group
# when it stops), so kill it with `kill -9 -- -$SPID`.  Retries when the
# port was taken in between; returns 1 when it cannot start, with the
# server's output in $CTI_SRV_LOG (default /dev/null).
cti_serve() {
    cti_db=$1
    shift
    for cti_try in 1 2 3 4 5; do
        PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
        setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$PORT" \
            "$@" "$cti_db" > "${CTI_SRV_LOG:-/dev/null}" 2>&1 &
        SPID=$!
        PIDS="$PIDS $SPID"
        # Ready when it accepts a connection; gone if it could not bind.
        if timeout 10 python3 -c 'import socket, sys, time
for i in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)' "$PORT" && kill -0 "$SPID" 2>/dev/null; then
            return 0
        fi
        kill -9 "$SPID" 2>/dev/null || :
    done
    return 1
}
