#!/bin/sh
# Environment faults: a missing index, a folder or file that is not an
# index, an index of another schema version or language, a plain Xapian
# database, an index with truncated tables, a read-only index, a full disk.  Each is a
# clear message and exit 2 (a read-only index still answers searches),
# and what was committed before stays intact.
#
# The read-only and full-disk cases mount a bind mount and a tmpfs in a
# private mount namespace (unshare -m), so nothing outlives the test; when
# that is not allowed they are skipped with the reason.
set -eu
NAME=t62
. tests/lib/e2e.sh

# run NAME WANT CMD...: run with a time limit; the exit status must be WANT,
# and stderr (kept in $T/NAME.err) must say something.
run() {
    name=$1 want=$2
    shift 2
    rc=0
    timeout 60 "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, want $want"
        sed 's/^/    /' "$T/$name.err" >&2
    fi
    if [ "$want" -eq 2 ] && [ ! -s "$T/$name.err" ]; then
        bad "$name: no message on stderr"
    fi
}
# expect NAME REGEX: the message of NAME matches.
expect() {
    grep -Eqi "$2" "$T/$1.err" || bad "$1: message does not match /$2/: $(cat "$T/$1.err")"
}
# fingerprint DIR: checksums of an index's files (not its lock).
fingerprint() {
    (cd "$1" && find . -type f ! -name lock | LC_ALL=C sort | xargs md5sum)
}

mkdir -p "$T/in"
for i in 1 2 3; do
    printf 'Article %s\n\nfaultmarker number%s of the fault tests\n' "$i" "$i" >"$T/in/a$i.txt"
done
printf 'Fourth article\n\nfaultmarker fourth\n' >"$T/a4.txt"
"$BIN/cti-index" -q --db "$T/good" "$T/in"
[ "$("$BIN/cti-search" --db "$T/good" --count faultmarker)" = 3 ] || bad "setup: 3 articles expected"

echo "t62: missing index"
run search-missing 2 "$BIN/cti-search" --db "$T/nothing" faultmarker
expect search-missing "nothing"
[ ! -e "$T/nothing" ] || bad "cti-search created $T/nothing"

echo "t62: a folder that is not an index"
mkdir "$T/plain"
echo "my notes" >"$T/plain/notes.txt"
run search-plain 2 "$BIN/cti-search" --db "$T/plain" faultmarker
expect search-plain "not a cti index"
run index-plain 2 "$BIN/cti-index" --db "$T/plain" "$T/in"
expect index-plain "not a cti index"
[ "$(cat "$T/plain/notes.txt")" = "my notes" ] || bad "index-plain changed notes.txt"
left=$(ls -A "$T/plain" | tr '\n' ' ')
[ "$left" = "notes.txt " ] || bad "index-plain left files in the folder it refused: $left"

echo "t62: a file given as the index"
run search-file 2 "$BIN/cti-search" --db "$T/plain/notes.txt" faultmarker
run index-file 2 "$BIN/cti-index" --db "$T/plain/notes.txt" "$T/in"
[ "$(cat "$T/plain/notes.txt")" = "my notes" ] || bad "index-file changed notes.txt"

echo "t62: a damaged stub file"
cp -R "$T/good" "$T/stub"
printf 'glass db.999\n' >"$T/stub/XAPIANDB"
run search-stub 2 "$BIN/cti-search" --db "$T/stub" faultmarker

if /usr/bin/python3 -c 'import xapian' 2>/dev/null; then
    setmeta() { # DIR KEY VALUE: set a metadata key in every database of index DIR
        for d in $(awk '{ print $2 }' "$1/XAPIANDB"); do
            /usr/bin/python3 -c '
import sys, xapian
db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)
db.set_metadata(sys.argv[2], sys.argv[3])
db.commit()
db.close()' "$1/$d" "$2" "$3"
        done
    }
    echo "t62: an index of another schema version"
    cp -R "$T/good" "$T/v999"
    setmeta "$T/v999" cti.schema 999
    fingerprint "$T/v999" >"$T/v999.sum"
    run search-v999 2 "$BIN/cti-search" --db "$T/v999" faultmarker
    expect search-v999 "schema|version"
    run index-v999 2 "$BIN/cti-index" --db "$T/v999" "$T/a4.txt"
    expect index-v999 "schema|version"
    fingerprint "$T/v999" | cmp -s - "$T/v999.sum" || bad "index-v999 changed the index"

    echo "t62: an index of an unknown language"
    cp -R "$T/good" "$T/klingon"
    setmeta "$T/klingon" cti.language klingon
    fingerprint "$T/klingon" >"$T/klingon.sum"
    run search-klingon 2 "$BIN/cti-search" --db "$T/klingon" faultmarker
    expect search-klingon "klingon"
    run index-klingon 2 "$BIN/cti-index" --db "$T/klingon" "$T/a4.txt"
    expect index-klingon "klingon"
    fingerprint "$T/klingon" | cmp -s - "$T/klingon.sum" || bad "index-klingon changed the index"

    echo "t62: a plain Xapian database"
    /usr/bin/python3 -c '
import sys, xapian
db = xapian.WritableDatabase(sys.argv[1], xapian.DB_CREATE)
d = xapian.Document(); d.add_term("faultmarker"); d.set_data("not cti")
db.add_document(d); db.commit(); db.close()' "$T/raw"
    run search-raw 2 "$BIN/cti-search" --db "$T/raw" faultmarker
    expect search-raw "not a cti index|schema"
    run index-raw 2 "$BIN/cti-index" --db "$T/raw" "$T/a4.txt"
else
    echo "t62: SKIP schema, language and plain-Xapian cases: /usr/bin/python3 has no xapian module (apt-get install python3-xapian)"
fi

echo "t62: another language asked of an existing index"
fingerprint "$T/good" >"$T/good.sum"
run index-french 2 "$BIN/cti-index" --db "$T/good" --language french "$T/a4.txt"
expect index-french "language|english"
fingerprint "$T/good" | cmp -s - "$T/good.sum" || bad "index-french changed the index"

echo "t62: a damaged index (tables cut short) is refused, not misread"
# (Junk written inside the tables is not tried: libxapian itself does not
# check every block it reads, and ASan reports its over-reads.)
cp -R "$T/good" "$T/broken"
for f in "$T"/broken/db.*/*.glass; do
    size=$(wc -c <"$f")
    truncate -s $((size / 2)) "$f"
done
run search-broken 2 "$BIN/cti-search" --db "$T/broken" faultmarker
expect search-broken "broken"
run index-broken 2 "$BIN/cti-index" --db "$T/broken" "$T/a4.txt"
expect index-broken "broken"

# --- mounts: read-only index and full disk --------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
   ! unshare -m true 2>/dev/null; then
    echo "t62: SKIP read-only and full-disk cases: need root and unshare -m to mount"
    [ "$fail" -eq 0 ] && echo "t62: ok"
    exit "$fail"
fi

cat >"$T/mounts.sh" <<'INNER'
set -eu
T=$1 BIN=$2
fail=0
bad() { echo "t62: FAIL: $*" >&2; fail=1; }
mount --make-rprivate / 2>/dev/null || true

echo "t62: a read-only index"
cp -R "$T/good" "$T/rosrc"
mkdir "$T/ro"
if mount --bind "$T/rosrc" "$T/ro" && mount -o remount,ro,bind "$T/ro"; then
    got=$(timeout 60 "$BIN/cti-search" --db "$T/ro" --count faultmarker 2>"$T/ro.err") || true
    [ "$got" = 3 ] || bad "search on a read-only index: '$got' hits, want 3: $(cat "$T/ro.err")"
    rc=0
    timeout 60 "$BIN/cti-index" --db "$T/ro" "$T/a4.txt" >/dev/null 2>"$T/ro.err" || rc=$?
    [ "$rc" -eq 2 ] || bad "cti-index on a read-only index: exit $rc, want 2"
    grep -qi "read-only" "$T/ro.err" || bad "cti-index on a read-only index: unclear message: $(cat "$T/ro.err")"
    umount "$T/ro"
else
    echo "t62: SKIP read-only case: bind mount refused"
fi

echo "t62: a full disk"
mkdir "$T/full"
if mount -t tmpfs -o size=1m tmpfs "$T/full"; then
    "$BIN/cti-index" -q --db "$T/full/db" "$T/in"
    # 400 articles of 300 distinct-looking words: far more than 1 MiB of index.
    python3 -c '
import os, sys
d = sys.argv[1]; os.makedirs(d)
s = 12345
for i in range(400):
    w = []
    for _ in range(300):
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        w.append("w%x" % ((s >> 33) % 50000))
    open(os.path.join(d, "b%03d.txt" % i), "w").write("Bulk %d\n\nfillmarker %s\n" % (i, " ".join(w)))' "$T/bulk"
    rc=0
    timeout 120 "$BIN/cti-index" --db "$T/full/db" "$T/bulk" >/dev/null 2>"$T/full.err" || rc=$?
    [ "$rc" -eq 2 ] || bad "indexing onto a full disk: exit $rc, want 2"
    grep -qi "no space" "$T/full.err" || bad "full disk: unclear message: $(cat "$T/full.err")"
    got=$(timeout 60 "$BIN/cti-search" --db "$T/full/db" --count faultmarker 2>&1) || true
    [ "$got" = 3 ] || bad "after a full disk the committed articles are gone: '$got'"
    for d in $(awk '{ print $2 }' "$T/full/db/XAPIANDB"); do
        timeout 60 xapian-check "$T/full/db/$d" >"$T/check" 2>&1 ||
            { bad "xapian-check after a full disk"; cat "$T/check" >&2; }
    done
    # Room again: a re-run completes and holds what a clean build holds.
    mount -o remount,size=64m "$T/full"
    rc=0
    timeout 120 "$BIN/cti-index" -q --db "$T/full/db" "$T/in" "$T/bulk" 2>"$T/full2.err" || rc=$?
    [ "$rc" -eq 0 ] || bad "re-run after freeing space: exit $rc: $(cat "$T/full2.err")"
    got=$("$BIN/cti-search" --db "$T/full/db" --count fillmarker 2>&1) || true
    [ "$got" = 400 ] || bad "re-run after freeing space: $got of 400 bulk articles"
    got=$("$BIN/cti-search" --db "$T/full/db" --count faultmarker 2>&1) || true
    [ "$got" = 3 ] || bad "re-run after freeing space: $got of 3 first articles"
    umount "$T/full"

    # The bulk path (parallel segments) onto a full disk: each article is
    # counted once, and the message names the cause, not what Xapian did
    # after it.
    # 700 articles: enough that the disk fills while segments are being
    # written, not only when they are closed.
    echo "t62: a full disk on the bulk path"
    python3 -c '
import os, sys
d = sys.argv[1]; os.makedirs(d)
s = 54321
for i in range(700):
    w = []
    for _ in range(300):
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        w.append("w%x" % ((s >> 33) % 50000))
    open(os.path.join(d, "c%03d.txt" % i), "w").write("Bulk %d\n\nfillmarker %s\n" % (i, " ".join(w)))' "$T/bulk2"
    mount -t tmpfs -o size=1m tmpfs "$T/full"
    rc=0
    timeout 120 "$BIN/cti-index" --bulk -j 2 --json --db "$T/full/db" "$T/bulk2" \
        >"$T/fullbulk.json" 2>"$T/fullbulk.err" || rc=$?
    [ "$rc" -eq 2 ] || bad "bulk onto a full disk: exit $rc, want 2"
    grep -qi "no space left on device" "$T/fullbulk.err" ||
        bad "bulk onto a full disk: the message does not name the full disk: $(cat "$T/fullbulk.err")"
    python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
n = int(sys.argv[2])
ok = s["failed"] <= n and s["added"] + s["failed"] <= n and s["added"] <= s["articles"]
sys.exit(0 if ok else 1)' "$T/fullbulk.json" 700 ||
        bad "bulk onto a full disk: the summary counts more than the 700 inputs: $(cat "$T/fullbulk.json")"
    src=0
    timeout 60 "$BIN/cti-search" --db "$T/full/db" --count fillmarker >/dev/null 2>"$T/fullbulk.serr" || src=$?
    [ "$src" -le 1 ] || bad "after a full disk on the bulk path the index cannot be searched: $(cat "$T/fullbulk.serr")"
    umount "$T/full"
else
    echo "t62: SKIP full-disk case: tmpfs mount refused"
fi
exit "$fail"
INNER
unshare -m sh "$T/mounts.sh" "$T" "$BIN" || fail=1

[ "$fail" -eq 0 ] && echo "t62: ok"
exit "$fail"
