#!/bin/sh
# Hits loaded side by side (-j): the same page, byte for byte, whatever
# the number of threads (none given included), in every output form, across the batches a long
# page is loaded in, and with texts that cannot be read; a bad -j is
# refused by name.
set -eu
NAME=t39
. tests/lib/e2e.sh
DATA=${CTI_TEST_DATA:-tests/data}

echo "t39: one page, loaded by 1, 2 and 16 threads and as cti-search picks"
"$BIN/cti-index" --quiet --db "$T/db" "$DATA/sotu"

# The page without the time its footer gives.
page() {
    "$BIN/cti-search" --db "$T/db" --color never "$@" 2>"$T/err" |
        sed -e 's/, [0-9.]* ms$//' -e 's/"ms":[0-9.]*//'
    cat "$T/err"
}

n=0
for q in government 'tax reform' '"state of the union"' 'nuclear NEAR/5 weapons' \
         'immigration OR border' 'econom*'; do
    for f in "" "--json" "-n 40" "--offset 7 -n 23 --fragments 3" \
             "--highlight html --snippet-size 120" "--no-snippets -n 20" \
             "--no-collapse -n 35"; do
        # shellcheck disable=SC2086
        page $f -j 1 "$q" >"$T/one"
        [ -s "$T/one" ] || bad "no output for '$q' $f"
        # "": no -j, the threads cti-search picks (a helper for these
        # long addresses).
        for j in "" 2 16; do
            # shellcheck disable=SC2086
            page $f ${j:+-j "$j"} "$q" >"$T/many"
            cmp -s "$T/one" "$T/many" ||
                bad "'$q' $f: -j '$j' differs from -j 1: $(diff "$T/one" "$T/many" | head -5)"
            n=$((n + 1))
        done
    done
done
# -n 40 crosses the batches of 16 hits: every rank is there, in order.
ranks=$("$BIN/cti-search" --db "$T/db" --json -n 40 -j 4 government |
        sed -n 's/^{"rank":\([0-9]*\),.*/\1/p' | tr '\n' ' ')
want=$(seq 1 40 | tr '\n' ' ')
[ "$ranks" = "$want" ] || bad "ranks of a 40-hit page: $ranks"

# Hits whose text cannot be read (the dictionary gone from the index:
# its metadata and its file) are said on standard error in the order of
# the page, with any -j.
/usr/bin/python3 - "$T/db" <<'PY'
import sys, xapian
db = xapian.WritableDatabase(sys.argv[1])
db.set_metadata("cti.text.dict." + db.get_metadata("cti.text.dict").decode(), "")
db.commit()
PY
rm -f "$T/db"/text-dict-*
page -j 1 -n 30 government >"$T/one"
grep -q "dictionary .* is missing" "$T/one" || bad "no problem said: $(tail -3 "$T/one")"
for j in "" 2 4; do
    page ${j:+-j "$j"} -n 30 government >"$T/many"
    cmp -s "$T/one" "$T/many" ||
        bad "unreadable texts: -j $j differs from -j 1: $(diff "$T/one" "$T/many" | head -5)"
done
echo "t39: $n pages compared"

for j in 0 17 x -1; do
    rc=0
    "$BIN/cti-search" --db "$T/db" -j "$j" government >/dev/null 2>"$T/err" || rc=$?
    [ "$rc" -eq 2 ] || bad "-j $j exited $rc, not 2"
    grep -q -- "--jobs '$j'" "$T/err" || bad "-j $j: no message naming --jobs: $(cat "$T/err")"
done

[ "$fail" -eq 0 ] && echo "t39: ok"
exit "$fail"
