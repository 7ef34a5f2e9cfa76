#!/bin/sh
# When a commit fails (a full disk), the summary counts what the index
# really holds: articles the failed commit lost are failed, not added, in
# the text line and in --json.
set -eu
NAME=t64
. tests/lib/e2e.sh

echo "t64: 1. the summary after a failed commit"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    mkdir "$T/full" "$T/many" "$T/small"
    printf 'Small\n\nplain small article\n' >"$T/small/a.txt"
    i=0
    while [ "$i" -lt 300 ]; do
        awk -v i="$i" 'BEGIN { srand(i); printf "Many %d\n\n", i;
            for (w = 0; w < 300; w++) printf "w%x ", int(rand() * 50000); print "" }' >"$T/many/m$i.txt"
        i=$((i + 1))
    done
    unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" &&
        "$2/cti-index" -q --db "$1/db" "$3" &&
        { "$2/cti-index" --db "$1/db" --json "$4" >"$5" 2>/dev/null; true; }' sh \
        "$T/full" "$BIN" "$T/small" "$T/many" "$T/full.json" 2>/dev/null || true
    if [ -s "$T/full.json" ]; then
        python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
sys.exit(0 if s["failed"] > 0 or s["added"] <= s["articles"] else 1)' "$T/full.json" ||
            bad "after a failed commit the summary says: $(cat "$T/full.json")"
    else
        echo "t64: SKIP 1: could not fill a tmpfs"
    fi
else
    echo "t64: SKIP 1: needs root and unshare -m to mount a small tmpfs"
fi

[ "$fail" -eq 0 ] && echo "t64: ok"
exit "$fail"
