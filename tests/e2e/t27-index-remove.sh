#!/bin/sh
# Taking articles out of an index: --remove by id and by path (a file, a
# folder, relative or absolute, an id as cti-search prints it), an unknown
# id, --prune after a file and a whole folder are deleted, a missing input
# path that still has articles, a .jsonl file indexed again after lines
# left it (a collection that shrinks; a bad line removes nothing), an id
# met twice (a warning naming both places; a re-run settles at 0
# updated), --id-prefix and --scoped-ids, and removal on a sharded index.
set -eu
NAME=t27
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SRCH=$BIN/cti-search
T=$(cd "$T" && pwd -P)
ndocs() { xapian-delve "$1" | sed -n 's/^number of documents = //p'; }
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# Run cti-index; its exit status goes to $rc, stdout to $out, stderr to $T/err.
run() { rc=0; out=$("$IDX" "$@" 2>"$T/err") || rc=$?; }

article() { printf '%s\n\nThe %s report mentions %s today.\n' "$1" "$1" "$2" > "$3"; }
mkdir -p "$T/news/sub"
article Alpha aardvarks "$T/news/a.txt"
article Beta badgers "$T/news/b.txt"
article Gamma gazelles "$T/news/sub/c.txt"
article Delta dingoes "$T/news/sub/d.txt"
cat > "$T/feed.jsonl" <<'J'
{"id": "n1", "title": "One", "text": "Story one is about narwhals."}
{"id": "n2", "title": "Two", "text": "Story two is about ocelots."}
{"id": "n3", "title": "Three", "text": "Story three is about pangolins."}
{"id": "n4", "title": "Four", "text": "Story four is about quokkas."}
{"id": "n5", "title": "Five", "text": "Story five is about rheas."}
J
run --db "$T/db" --json "$T/news" "$T/feed.jsonl"
[ "$rc" = 0 ] && [ "$(key "$out" added)" = 9 ] || bad "first run ($rc): $out"

echo "t27: --remove by id"
run --db "$T/db" --json --remove n2
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] && [ "$(key "$out" articles)" = 8 ] ||
    bad "--remove n2 ($rc): $out $(cat "$T/err")"
[ "$(tf "$T/db" Qn2)" = 0 ] && [ "$(tf "$T/db" ocelot)" = 0 ] || bad "n2 still indexed"
n=$("$SRCH" --db "$T/db" --count ocelots || true)
[ "$n" = 0 ] || bad "cti-search still finds the removed article: $n"
[ "$(ndocs "$T/db")" = 8 ] || bad "after --remove n2: $(ndocs "$T/db") documents, want 8"

echo "t27: --remove by a relative path, and by an id as cti-search prints it"
# the id line of the first hit, as a terminal shows it: "   ID  score N"
shown_id() { "$SRCH" --color never --no-snippets "$@" | sed -n '2s/^   \(.*\)  score .*/\1/p'; }
id=$(cd "$T" && shown_id --db db aardvarks)
[ "$id" = news/a.txt ] || bad "cti-search showed the id '$id', want news/a.txt"
rc=0; out=$(cd "$T" && "$IDX" --db db --json --remove "$id" 2>"$T/err") || rc=$?
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] || bad "--remove $id ($rc): $out $(cat "$T/err")"
[ "$(tf "$T/db" aardvark)" = 0 ] || bad "news/a.txt still indexed"
rm "$T/news/b.txt"
rc=0; out=$(cd "$T/news" && "$IDX" --db ../db --json --remove b.txt 2>"$T/err") || rc=$?
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] ||
    bad "--remove of a deleted file by its relative path ($rc): $out $(cat "$T/err")"

echo "t27: --remove an unknown id: a message naming it, exit 2, the rest removed"
run --db "$T/db" --json --remove no-such-id n3
[ "$rc" = 2 ] || bad "--remove of an unknown id exits $rc, want 2"
grep -q "no-such-id" "$T/err" || bad "no message names the unknown id: $(cat "$T/err")"
[ "$(key "$out" removed)" = 1 ] && [ "$(tf "$T/db" Qn3)" = 0 ] || bad "n3 not removed beside an unknown id: $out"
[ "$(ndocs "$T/db")" = 5 ] || bad "after the unknown id: $(ndocs "$T/db") documents, want 5"

echo "t27: --remove - reads ids from standard input; a missing index is not created"
rc=0; out=$(printf 'n4\n' | "$IDX" --db "$T/db" --json --remove - 2>"$T/err") || rc=$?
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] && [ "$(tf "$T/db" Qn4)" = 0 ] ||
    bad "--remove - ($rc): $out $(cat "$T/err")"
run --db "$T/nodb" --remove n1
[ "$rc" = 2 ] && [ ! -e "$T/nodb" ] || bad "--remove on a missing index ($rc) or created it"

echo "t27: --remove a folder takes everything indexed under it"
run --db "$T/db" --json --remove "$T/news/sub/"
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 2 ] || bad "--remove folder ($rc): $out $(cat "$T/err")"
[ "$(tf "$T/db" gazell)" = 0 ] && [ "$(tf "$T/db" dingo)" = 0 ] || bad "the folder's articles are still indexed"
echo "t27: --remove a .jsonl file takes its articles"
run --db "$T/db" --json --remove "$T/feed.jsonl"
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 2 ] && [ "$(ndocs "$T/db")" = 0 ] ||
    bad "--remove feed.jsonl ($rc): $out, $(ndocs "$T/db") documents left"
run --db "$T/db" --remove
[ "$rc" = 2 ] || bad "--remove without an id exits $rc, want 2"

echo "t27: --prune after a file and a whole folder are deleted"
mkdir -p "$T/p/old"
article Epsilon elands "$T/p/x.txt"
article Zeta zebus "$T/p/y.txt"
for i in 1 2 3; do article "Old$i" ibexes "$T/p/old/o$i.txt"; done
printf '{"id": "q1", "text": "Kept about kudus."}\n{"id": "q2", "text": "Kept about lemurs."}\n' > "$T/p/q.jsonl"
run --db "$T/db2" --json "$T/p"
[ "$(key "$out" added)" = 7 ] || bad "prune setup: $out"
rm "$T/p/x.txt"
rm -r "$T/p/old"
echo "t27: indexing a deleted folder says its articles are still there"
run --db "$T/db2" --json "$T/p/old"
[ "$rc" = 2 ] || bad "indexing a deleted folder exits $rc, want 2"
grep -q "3 articles" "$T/err" && grep -q -- "--prune" "$T/err" ||
    bad "the message does not count the articles or point to --prune: $(cat "$T/err")"
[ "$(ndocs "$T/db2")" = 7 ] || bad "indexing a deleted folder changed the index"
run --db "$T/db2" --json --prune
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 4 ] || bad "--prune ($rc): $out $(cat "$T/err")"
[ "$(ndocs "$T/db2")" = 3 ] && [ "$(tf "$T/db2" zebus)" = 1 ] && [ "$(tf "$T/db2" kudus)" = 1 ] ||
    bad "--prune removed the wrong articles"
run --db "$T/db2" --json --prune
[ "$(key "$out" removed)" = 0 ] || bad "a second --prune removed more: $out"
rm "$T/p/q.jsonl"
run --db "$T/db2" --json --prune
[ "$(key "$out" removed)" = 2 ] && [ "$(ndocs "$T/db2")" = 1 ] || bad "--prune of a deleted .jsonl: $out"

echo "t27: a .jsonl indexed again after lines left it loses their articles"
i=1
while [ $i -le 6 ]; do
    echo "{\"id\": \"s$i\", \"title\": \"S$i\", \"text\": \"Line $i about word$i.\"}"
    i=$((i + 1))
done > "$T/s.jsonl"
run --db "$T/db3" --json "$T/s.jsonl"
[ "$(key "$out" added)" = 6 ] || bad "shrink setup: $out"
grep -v '"s2"\|"s4"' "$T/s.jsonl" > "$T/s2" && mv "$T/s2" "$T/s.jsonl"
run --db "$T/db3" --json "$T/s.jsonl"
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 2 ] && [ "$(key "$out" unchanged)" = 4 ] &&
    [ "$(key "$out" articles)" = 4 ] || bad "shrunk .jsonl ($rc): $out $(cat "$T/err")"
[ "$(tf "$T/db3" Qs2)" = 0 ] && [ "$(tf "$T/db3" Qs4)" = 0 ] && [ "$(tf "$T/db3" Qs5)" = 1 ] ||
    bad "the wrong articles left with the lines"
echo "t27: ... but not while a line of it is bad"
grep -v '"s6"' "$T/s.jsonl" > "$T/s2" && echo '{"id": "s7", "text": ' >> "$T/s2" && mv "$T/s2" "$T/s.jsonl"
run --db "$T/db3" --json "$T/s.jsonl"
[ "$rc" = 2 ] && [ "$(key "$out" removed)" = 0 ] && [ "$(tf "$T/db3" Qs6)" = 1 ] ||
    bad "a .jsonl with a bad line removed articles ($rc): $out"
grep -q 's.jsonl:4' "$T/err" || bad "the bad line is not named: $(cat "$T/err")"
grep -v '"s7"' "$T/s.jsonl" > "$T/s2" && mv "$T/s2" "$T/s.jsonl"
run --db "$T/db3" --json "$T/s.jsonl"
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] && [ "$(tf "$T/db3" Qs6)" = 0 ] ||
    bad "the fixed .jsonl did not remove s6 ($rc): $out"
echo "t27: ... a .jsonl.gz, and an emptied file"
gzip -c "$T/s.jsonl" > "$T/s.jsonl.gz"
run --db "$T/db3g" --json "$T/s.jsonl.gz"
head -n 1 "$T/s.jsonl" | gzip -c > "$T/s.jsonl.gz"
run --db "$T/db3g" --json "$T/s.jsonl.gz"
[ "$(key "$out" removed)" = 2 ] && [ "$(ndocs "$T/db3g")" = 1 ] || bad "shrunk .jsonl.gz: $out"
: > "$T/s.jsonl"
run --db "$T/db3" --json "$T/s.jsonl"
[ "$(key "$out" removed)" = 3 ] && [ "$(ndocs "$T/db3")" = 0 ] || bad "emptied .jsonl: $out"
echo "t27: ... a CSV file and a JSON file too"
printf 'id,title,text\nc1,C1,About caracals.\nc2,C2,About civets.\nc3,C3,About coatis.\n' > "$T/c.csv"
printf '{"articles": [{"id": "j1", "text": "About jerboas."}, {"id": "j2", "text": "About jackals."}]}\n' > "$T/j.json"
run --db "$T/db3c" --json "$T/c.csv" "$T/j.json"
[ "$(key "$out" added)" = 5 ] || bad "CSV and JSON setup: $out"
printf 'id,title,text\nc1,C1,About caracals.\nc3,C3,About coatis.\n' > "$T/c.csv"
printf '{"articles": [{"id": "j2", "text": "About jackals."}]}\n' > "$T/j.json"
run --db "$T/db3c" --json "$T/c.csv" "$T/j.json"
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 2 ] && [ "$(tf "$T/db3c" Qc2)" = 0 ] && [ "$(tf "$T/db3c" Qj1)" = 0 ] ||
    bad "shrunk CSV and JSON files ($rc): $out"
printf 'id,title,text\nc1,C1,About caracals.\n"c3,C3,About coatis.\n' > "$T/c.csv"
run --db "$T/db3c" --json "$T/c.csv"
[ "$rc" = 2 ] && [ "$(key "$out" removed)" = 0 ] && [ "$(tf "$T/db3c" Qc3)" = 1 ] ||
    bad "a CSV file with a malformed row removed articles ($rc): $out"
echo "t27: ... a .jsonl deleted from a folder being indexed"
mkdir "$T/f"
printf '{"id": "g1", "text": "About gnus."}\n' > "$T/f/g.jsonl"
article Eta emus "$T/f/e.txt"
run --db "$T/db3f" "$T/f"
rm "$T/f/g.jsonl"
run --db "$T/db3f" --json "$T/f"
[ "$(key "$out" removed)" = 1 ] && [ "$(ndocs "$T/db3f")" = 1 ] || bad "a .jsonl gone from a folder: $out"
echo "t27: ... standard input is not a collection: its articles stay"
printf '{"id": "i1", "text": "From a pipe about ibises."}\n' | "$IDX" --db "$T/db3i" -q -
out=$(printf '{"id": "i2", "text": "From a pipe about impalas."}\n' | "$IDX" --db "$T/db3i" --json -q -)
[ "$(key "$out" removed)" = 0 ] && [ "$(ndocs "$T/db3i")" = 2 ] || bad "stdin removed articles: $out"

echo "t27: an id met twice: a warning naming both places, and no flip-flop"
printf '{"id": "1", "title": "Feed one", "text": "The first feed covers yaks."}\n' > "$T/f1.jsonl"
printf '{"id": "x", "text": "Filler."}\n{"id": "1", "title": "Feed two", "text": "The second feed covers tapirs."}\n' > "$T/f2.jsonl"
run --db "$T/db4" --json "$T/f1.jsonl" "$T/f2.jsonl"
[ "$rc" = 0 ] || bad "id met twice exits $rc"
grep "'1'" "$T/err" | grep -q "f1.jsonl:1" && grep "'1'" "$T/err" | grep -q "f2.jsonl:2" ||
    bad "the warning does not name both places: $(cat "$T/err")"
[ "$(key "$out" warnings)" -ge 1 ] || bad "the warning is not counted: $out"
[ "$(tf "$T/db4" tapir)" = 1 ] && [ "$(tf "$T/db4" yak)" = 0 ] || bad "the later article did not win"
for k in 2 3; do
    run --db "$T/db4" --json "$T/f1.jsonl" "$T/f2.jsonl"
    [ "$(key "$out" updated)" = 0 ] && [ "$(key "$out" added)" = 0 ] && [ "$(key "$out" unchanged)" = 2 ] ||
        bad "re-run $k over the same inputs: $out"
    grep -q "f1.jsonl:1" "$T/err" || bad "re-run $k: no warning: $(cat "$T/err")"
done
[ "$(tf "$T/db4" tapir)" = 1 ] && [ "$(tf "$T/db4" yak)" = 0 ] || bad "the re-runs changed the winner"
echo "t27: ... two lines of one file"
printf '{"id": "d1", "text": "first about ospreys"}\n{"id": "d2", "text": "other"}\n{"id": "d1", "text": "second about pelicans"}\n' > "$T/dup.jsonl"
run --db "$T/db4d" --json "$T/dup.jsonl"
grep -q "dup.jsonl:3.*dup.jsonl:1" "$T/err" || bad "the warning does not name both lines: $(cat "$T/err")"
run --db "$T/db4d" --json "$T/dup.jsonl"
[ "$(key "$out" updated)" = 0 ] && [ "$(tf "$T/db4d" pelican)" = 1 ] && [ "$(tf "$T/db4d" osprey)" = 0 ] ||
    bad "re-run over a file with a duplicate id: $out"
echo "t27: ... two records on one line of a JSON file; one file given twice is no conflict"
printf '[{"id": "m1", "text": "About moles."}, {"id": "m1", "text": "About mice."}]' > "$T/min.json"
run --db "$T/db4m" --json "$T/min.json" "$T/min.json"
grep -q "min.json:1: id 'm1' is also at .*min.json:1" "$T/err" || bad "a minified JSON duplicate is silent: $(cat "$T/err")"
[ "$(grep -c "id 'm1'" "$T/err")" = 1 ] && [ "$(key "$out" added)" = 1 ] || bad "a file given twice: $out $(cat "$T/err")"
echo "t27: ... and an id taken over by another file in a later run"
run --db "$T/db4s" "$T/f1.jsonl"
run --db "$T/db4s" --json "$T/f2.jsonl"
[ "$(key "$out" updated)" = 1 ] || bad "the later file's article did not replace the earlier: $out"
grep -q "f1.jsonl" "$T/err" || bad "replacing the article of another file is silent: $(cat "$T/err")"

echo "t27: --id-prefix and --scoped-ids keep the two feeds apart"
run --db "$T/db5" --json --id-prefix feed1: "$T/f1.jsonl"
run --db "$T/db5" --json --id-prefix feed2: "$T/f2.jsonl"
[ "$(ndocs "$T/db5")" = 3 ] && [ "$(tf "$T/db5" Qfeed1:1)" = 1 ] && [ "$(tf "$T/db5" Qfeed2:1)" = 1 ] ||
    bad "--id-prefix: $(ndocs "$T/db5") documents"
grep -q "id '" "$T/err" && bad "--id-prefix warned: $(cat "$T/err")"
run --db "$T/db6" --json --scoped-ids "$T/f1.jsonl" "$T/f2.jsonl"
[ "$(key "$out" added)" = 3 ] && [ "$(tf "$T/db6" "Q$T/f1.jsonl#1")" = 1 ] && [ "$(tf "$T/db6" "Q$T/f2.jsonl#1")" = 1 ] ||
    bad "--scoped-ids: $out"
id=$(cd "$T" && shown_id --db db6 yaks)
[ "$id" = 'f1.jsonl#1' ] || bad "cti-search showed the scoped id '$id'"
rc=0; out=$(cd "$T" && "$IDX" --db db6 --json --remove "$id" 2>"$T/err") || rc=$?
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 1 ] && [ "$(tf "$T/db6" yak)" = 0 ] ||
    bad "--remove of a scoped id ($rc): $out $(cat "$T/err")"

printf 'title,text\nNo id,About dholes.\n' > "$T/noid.csv"
run --db "$T/db6" --json --scoped-ids "$T/noid.csv"
xapian-delve -a "$T/db6" 2>/dev/null | tr ' ' '\n' | grep -q "^Q$T/noid.csv#[0-9a-f]\{16\}\$" ||
    bad "--scoped-ids changed an id made from the content: $(xapian-delve -a "$T/db6" | tr ' ' '\n' | grep noid)"

echo "t27: removal on a sharded index"
mkdir -p "$T/sh/sub"
i=1
while [ $i -le 12 ]; do
    echo "{\"id\": \"h$i\", \"text\": \"Sharded story $i about hares.\"}"
    i=$((i + 1))
done > "$T/sh/h.jsonl"
for i in 1 2 3 4 5; do article "Sh$i" herons "$T/sh/sub/t$i.txt"; done
run --db "$T/db7" --shards 3 --json "$T/sh"
[ "$(key "$out" added)" = 17 ] || bad "sharded setup: $out"
run --db "$T/db7" --json --remove h1 h2 h3 h4 h5 h6 h7
[ "$rc" = 0 ] && [ "$(key "$out" removed)" = 7 ] && [ "$(ndocs "$T/db7")" = 10 ] ||
    bad "sharded --remove ids ($rc): $out"
run --db "$T/db7" --json --remove "$T/sh/sub"
[ "$(key "$out" removed)" = 5 ] && [ "$(ndocs "$T/db7")" = 5 ] || bad "sharded --remove folder: $out"
sed -n '8,9p' "$T/sh/h.jsonl" > "$T/h2" && mv "$T/h2" "$T/sh/h.jsonl"
run --db "$T/db7" --json "$T/sh/h.jsonl"
[ "$(key "$out" removed)" = 3 ] && [ "$(ndocs "$T/db7")" = 2 ] || bad "sharded shrink: $out"
rm -r "$T/sh"
run --db "$T/db7" --json --prune
[ "$(key "$out" removed)" = 2 ] && [ "$(ndocs "$T/db7")" = 0 ] || bad "sharded --prune: $out"

[ "$fail" = 0 ] && echo "t27: ok"
exit "$fail"
