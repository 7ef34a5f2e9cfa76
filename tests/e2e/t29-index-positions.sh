#!/bin/sh
# Where an index keeps its word positions: the State of the Union
# addresses indexed with positions per article (the default) and in
# Xapian's position table (--positions table) answer phrase, NEAR, page:
# and boolean searches alike: the same hits in the same order with the
# same scores, counts and snippets.  An index keeps the format it was
# created with (another --positions is refused), --stats names it, and a
# stub searching one index of each kind answers as either.  (A damaged
# blob and databases without the key: tests/test_positions.c.)
set -eu
NAME=t29
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SRCH=$BIN/cti-search
fail() { echo "t29: FAIL: $*" >&2; exit 1; }

# One worker each: the same documents get the same ids in both indexes.
timeout 300 "$IDX" -q -j 1 --db "$T/art" tests/data/sotu.jsonl
timeout 300 "$IDX" -q -j 1 --db "$T/tab" --positions table tests/data/sotu.jsonl
fmt() { timeout 30 "$SRCH" --db "$1" --stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["positions"])'; }
[ "$(fmt "$T/art")" = article ] || fail "the default format, article, not recorded"
[ "$(fmt "$T/tab")" = table ] || fail "--positions table not recorded"
timeout 30 "$SRCH" --db "$T/art" --stats | grep -q '^positions  *per article' || fail "--stats does not say where positions are"
a=$(du -sk "$T/art" | cut -f1)
t=$(du -sk "$T/tab" | cut -f1)
[ "$a" -lt "$t" ] || fail "positions per article take $a KB, the table $t KB"
echo "t29: SOTU indexed: $a KB with positions per article, $t KB with the table"

n=0
while IFS= read -r q; do
    [ -n "$q" ] || continue
    for d in art tab; do
        timeout 60 "$SRCH" --db "$T/$d" --json -n 40 --count-time 60000 "$q" > "$T/$d.out" 2>&1 || :
        timeout 60 "$SRCH" --db "$T/$d" -c --count-time 60000 "$q" >> "$T/$d.out" 2>&1 || :
    done
    grep -q '"rank":1,' "$T/tab.out" || fail "no hits for '$q' (the test needs some)"
    cmp -s "$T/art.out" "$T/tab.out" || { diff "$T/art.out" "$T/tab.out" | head -5 >&2; fail "'$q' differs"; }
    n=$((n + 1))
done <<'QUERIES'
"state of the union"
"united states"
"the people of the united states"
"of the"
"free trade" OR tariff*
"the people" AND war
tax NEAR/3 cut
slavery NEAR/10 territory
"federal government" NEAR/5 state
title:"union address"
author:"george washington"
page:"fellow citizens"
economy growth
"public debt" NOT slavery
union AND strength
peace
QUERIES
echo "t29: $n queries give the same hits, scores, counts and snippets"

# The format is the index's: another is refused, the same is fine.
if timeout 60 "$IDX" -q --db "$T/art" --positions table corpus 2> "$T/err"; then
    fail "an article index took --positions table"
fi
grep -q "keeps positions as 'article', not 'table'" "$T/err" || fail "unclear refusal: $(cat "$T/err")"
timeout 60 "$IDX" -q --db "$T/art" --positions article corpus || fail "same format refused"
timeout 60 "$IDX" -q --db "$T/art" tests/data/sotu.jsonl corpus || fail "no --positions refused"
timeout 60 "$IDX" -q --db "$T/tab" corpus
echo "t29: an index keeps its format: $(cat "$T/err")"
# A format cti does not know: exit 2, the choices named, nothing created.
rc=0
timeout 60 "$IDX" -q --db "$T/new" --positions blob corpus 2> "$T/err" || rc=$?
[ $rc -eq 2 ] || fail "--positions blob: exit $rc"
grep -q "takes 'article' or 'table', not 'blob'" "$T/err" || fail "unclear: $(cat "$T/err")"
[ ! -e "$T/new" ] || fail "--positions blob created an index"

# One index of each kind searched as one (a stub of local databases),
# either first.
mkdir "$T/more"
printf 'Zebra crossing\n\nThe zebra crossing near the old school was repainted.\n' > "$T/more/z.txt"
timeout 60 "$IDX" -q --db "$T/zt" --positions table "$T/more"
timeout 60 "$IDX" -q --db "$T/za" "$T/more"
printf 'auto %s\nauto %s\n' "$T/tab" "$T/za" > "$T/mix1.stub"
printf 'auto %s\nauto %s\n' "$T/art" "$T/zt" > "$T/mix2.stub"
for q in '"zebra crossing"' '"state of the union"' 'crossing NEAR/3 school' '"the old"'; do
    c1=$(timeout 30 "$SRCH" --db "$T/mix1.stub" -c --count-time 60000 "$q" || :)
    c2=$(timeout 30 "$SRCH" --db "$T/mix2.stub" -c --count-time 60000 "$q" || :)
    c3=$(timeout 30 "$SRCH" --db "$T/tab" -c --count-time 60000 "$q" || :)
    c4=$(timeout 30 "$SRCH" --db "$T/zt" -c --count-time 60000 "$q" || :)
    [ "$c1" = "$c2" ] && [ "$c1" = $((c3 + c4)) ] && [ "$c1" -gt 0 ] ||
        fail "mixed formats: '$q' counts $c1 and $c2, want $c3 + $c4"
done
echo "t29: a stub of both kinds answers as either"
