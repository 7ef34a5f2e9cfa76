#!/bin/sh
# Huge and shifting input beside normal articles: a 100 MB single-line
# article, a gzip bomb (2 GiB of zeros in 2 MB: refused past the inflate
# cap, with a message), a 2 GiB-inflating .jsonl.gz, a 60 MB JSON line, a
# 60 MB unterminated JSON line, and a folder whose files are deleted and
# re-created while cti-index walks it.  No normal article is lost, nothing
# crashes, memory stays bounded, the huge article is searchable with a
# clean snippet, and a second run changes nothing.
set -eu
NAME=t72
. tests/lib/e2e.sh
churn=
cleanup() {
    [ -n "$churn" ] && kill "$churn" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

mkdir -p "$T/in/normal" "$T/in/huge" "$T/in/churn"
for i in 0 1 2 3 4 5 6 7 8 9; do
    printf 'Normal article %s\n\nhugetestnormal normal%s text about the senate vote\n' "$i" "$i" \
        >"$T/in/normal/n$i.txt"
done
python3 - "$T/in/huge" <<'PY'
import json, os, sys, zlib
d = sys.argv[1]
w = [b"alpha", b"beta", b"gamma", b"delta", b"campaign", b"senate", b"vote", b"court"]
chunk = b" ".join(w[i % 8] + b"%d" % (i % 1000) if i % 3 == 0 else w[i % 8]
                  for i in range(100000)) + b" "
with open(os.path.join(d, "line.txt"), "wb") as f:
    n = 0
    while n < 100 * 1024 * 1024:
        f.write(chunk)
        n += len(chunk)
    f.write(b"\x1b[31m bigmarker \x1b]0;owned\x07 end")

def bomb(path, gib):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    z = b"\0" * (1 << 24)
    with open(path, "wb") as f:
        for _ in range(gib * 64):
            f.write(co.compress(z))
        f.write(co.flush())
bomb(os.path.join(d, "bomb.txt.gz"), 2)
bomb(os.path.join(d, "bomb.jsonl.gz"), 2)
text = (chunk.decode() * 700)[:60 * 1024 * 1024]
with open(os.path.join(d, "big.jsonl"), "w") as f:
    f.write(json.dumps({"id": "small-1", "text": "jsonsmallmarker one"}) + "\n")
    f.write(json.dumps({"id": "big-json", "text": text + " bigjsonmarker"}) + "\n")
    f.write('{"id": "cut", "text": "' + text + "\n")
    f.write(json.dumps({"id": "small-2", "text": "jsonsmallmarker two"}) + "\n")
PY
ls -l "$T/in/huge" | awk 'NR > 1 { print "t72:   " $5 "\t" $9 }'

# The churn folder: 400 stable files, and 400 that a background loop keeps
# deleting and re-creating during the walk.
i=0
while [ "$i" -lt 400 ]; do
    printf 'Stable %s\n\nchurnstable file %s\n' "$i" "$i" >"$T/in/churn/s$i.txt"
    i=$((i + 1))
done
(
    while [ ! -f "$T/stop" ]; do
        j=0
        while [ "$j" -lt 400 ]; do
            rm -f "$T/in/churn/v$j.txt"
            printf 'Volatile %s\n\nchurnvolatile %s\n' "$j" "$j" >"$T/in/churn/v$j.txt.tmp" &&
                mv "$T/in/churn/v$j.txt.tmp" "$T/in/churn/v$j.txt"
            j=$((j + 1))
        done
    done
) &
churn=$!

echo "t72: indexing"
rc=0
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %e' -o "$T/time" timeout 900 "$BIN/cti-index" --db "$T/db" "$T/in" \
        >"$T/out" 2>"$T/err" || rc=$?
else
    echo "t72: (no /usr/bin/time: peak memory not measured)"
    echo "0 ?" >"$T/time"
    timeout 900 "$BIN/cti-index" --db "$T/db" "$T/in" >"$T/out" 2>"$T/err" || rc=$?
fi
touch "$T/stop"
wait "$churn" 2>/dev/null || true
churn=
read -r rss secs <<EOT || true
$(tail -1 "$T/time")
EOT
echo "t72: cti-index exit $rc in ${secs:-?} s, peak RSS ${rss:-?} KiB"
case $rc in 0|2) ;; *) bad "cti-index exit $rc (crash or timeout)"; tail -20 "$T/err" >&2 ;; esac
[ "$rc" -eq 2 ] || bad "cti-index exit $rc, want 2 (the bombs fail)"
[ "${rss:-0}" -lt 3500000 ] || bad "cti-index peak memory ${rss} KiB is over 3.5 GB"
grep -q "bomb.txt.gz: " "$T/err" || bad "no message for bomb.txt.gz"
grep -q "bomb.jsonl.gz: " "$T/err" || bad "no message for bomb.jsonl.gz"
grep -q "big.jsonl:3: " "$T/err" || bad "no message for the cut JSON line (big.jsonl:3)"
if LC_ALL=C grep -v -E "churn/v[0-9]+\.txt|bomb|big\.jsonl:3|line\.txt" "$T/err" | grep -q "^cti-index: .*: "; then
    echo "t72: unexpected messages:" >&2
    LC_ALL=C grep -v -E "churn/v[0-9]+\.txt|bomb|big\.jsonl:3|line\.txt" "$T/err" | grep "^cti-index: .*: " | head >&2
    fail=1
fi

echo "t72: what must be there is there"
for spec in hugetestnormal:10 bigmarker:1 bigjsonmarker:1 jsonsmallmarker:2 churnstable:400; do
    m=${spec%:*} want=${spec#*:}
    got=$(timeout 120 "$BIN/cti-search" --db "$T/db" --count "$m" 2>&1) || true
    [ "$got" = "$want" ] || bad "search $m: '$got' hits, want $want"
done
got=$(timeout 120 "$BIN/cti-search" --db "$T/db" --count churnvolatile 2>&1) || true
[ "$got" -le 400 ] 2>/dev/null || bad "churnvolatile: '$got' hits (at most 400: one per file name)"

echo "t72: the huge article's snippet is clean and quick"
rc=0
timeout 60 "$BIN/cti-search" --db "$T/db" --color always bigmarker >"$T/s.out" 2>"$T/s.err" || rc=$?
[ "$rc" -eq 0 ] || bad "search bigmarker exit $rc: $(cat "$T/s.err")"
if LC_ALL=C sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b\x07]*\x1b\\//g' "$T/s.out" |
    LC_ALL=C grep -q "$(printf '[\033\007]')"; then
    bad "the huge article's escape sequences reached the output"
fi

echo "t72: the huge article is shown whole, in bounded memory"
id=$(cd "$T/in/huge" && pwd -P)/line.txt
size=$(wc -c <"$id")
rc=0
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %e' -o "$T/stime" timeout 300 "$BIN/cti-search" --db "$T/db" \
        --show "$id" bigmarker >"$T/show" 2>"$T/show.err" || rc=$?
else
    echo "0 ?" >"$T/stime"
    timeout 300 "$BIN/cti-search" --db "$T/db" --show "$id" bigmarker >"$T/show" 2>"$T/show.err" || rc=$?
fi
read -r rss secs <<EOT || true
$(tail -1 "$T/stime")
EOT
echo "t72: --show exit $rc in ${secs:-?} s, peak RSS ${rss:-?} KiB for a $size-byte article"
[ "$rc" -eq 0 ] || bad "--show exit $rc: $(cat "$T/show.err")"
# Xapian hands over a document's data whole (once); everything else is a
# window of about a megabyte.  Holding the text as well would be 2x more.
[ "${rss:-0}" -lt $((size * 16 / 10 / 1024)) ] ||
    bad "--show peak memory ${rss} KiB for a $((size / 1024)) KiB article"
shown=$(wc -c <"$T/show")
[ "$shown" -ge $((size - 1024)) ] || bad "--show printed $shown bytes of $size"
tail -c 100 "$T/show" | grep -q '\[bigmarker\]' || bad "--show: bigmarker not highlighted at the end"
if LC_ALL=C grep -q "$(printf '[\033\007]')" "$T/show"; then
    bad "--show let the article's escape sequences through"
fi

echo "t72: the index is consistent; a second run changes nothing"
for d in $(awk '{ print $2 }' "$T/db/XAPIANDB"); do
    timeout 300 xapian-check "$T/db/$d" >"$T/check" 2>&1 || { bad "xapian-check $d"; tail -5 "$T/check" >&2; }
done
rc=0
timeout 900 "$BIN/cti-index" --db "$T/db" --json "$T/in/normal" "$T/in/huge" >"$T/out2" 2>"$T/err2" || rc=$?
[ "$rc" -eq 2 ] || bad "second run exit $rc, want 2"
python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert s["added"] == 0 and s["updated"] == 0, s
' "$T/out2" || bad "second run changed articles: $(cat "$T/out2")"

[ "$fail" -eq 0 ] && echo "t72: ok"
exit "$fail"
