#!/bin/sh
# cti-index reads .gz files, JSON lines from a .jsonl, a .jsonl.gz and
# standard input; a known JSON id is replaced only when its content
# changed; an article without an id keeps a stable id; fields become
# field terms and a sortable date value.
set -eu
NAME=t21
. tests/lib/e2e.sh
IDX=$BIN/cti-index
ndocs() { xapian-delve "$1" | sed -n 's/^number of documents = //p'; }
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

echo "t21: a gzipped text file is one article"
printf 'Walrus weekly\n\nThe walrus population grew.\n' | gzip -c > "$T/walrus.txt.gz"
out=$("$IDX" --db "$T/db" --json -q "$T/walrus.txt.gz")
[ "$(key "$out" added)" = 1 ] || bad "gz: $out"
[ "$(tf "$T/db" walrus)" = 1 ] || bad "gz text not indexed"

echo "t21: JSON lines: fields, dates, ids"
cat > "$T/a.jsonl" <<'J'
{"id": "n1", "title": "Harbor opens", "text": "The new harbor opened on Monday.", "date": "2024-07-15", "author": "Ada Lovelace", "source": "Coastal Times", "url": "https://example.com/n1", "tags": ["ignored"]}
{"id": "n2", "title": "Bridge closes", "body": "The old bridge closed for repairs.", "date": "March 3, 2023"}
{"title": "No id here", "text": "An article without an id about lighthouses."}
J
out=$("$IDX" --db "$T/db" --json -q "$T/a.jsonl")
[ "$(key "$out" added)" = 3 ] || bad "jsonl: $out"
[ "$(ndocs "$T/db")" = 4 ] || bad "jsonl: $(ndocs "$T/db") documents, want 4"
[ "$(tf "$T/db" Qn1)" = 1 ] || bad "id term Qn1 missing"
[ "$(tf "$T/db" Alovelac)" = 1 ] || bad "author term Alovelac missing"
[ "$(tf "$T/db" XScoastal)" = 1 ] || bad "source term XScoastal missing"
[ "$(tf "$T/db" Y2024)" = 1 ] || bad "year term Y2024 missing"
[ "$(tf "$T/db" M202407)" = 1 ] || bad "month term M202407 missing"
[ "$(tf "$T/db" D20240715)" = 1 ] || bad "day term D20240715 missing"
[ "$(tf "$T/db" D20230303)" = 1 ] || bad "'March 3, 2023' not normalised to D20230303"
[ "$(tf "$T/db" repair)" = 1 ] || bad "\"body\" field not indexed"
did=$(xapian-delve -t Qn1 "$T/db" | sed -n 's/.*: *\([0-9][0-9]*\) *$/\1/p')
xapian-delve -r "$did" -V0 "$T/db" | grep -q 20240715 || bad "date value (slot 0) is not 20240715"

echo "t21: the same lines again change nothing; an id-less article keeps its id"
out=$("$IDX" --db "$T/db" --json -q "$T/a.jsonl")
[ "$(key "$out" unchanged)" = 3 ] && [ "$(key "$out" added)" = 0 ] || bad "jsonl re-run: $out"
[ "$(ndocs "$T/db")" = 4 ] || bad "jsonl re-run: $(ndocs "$T/db") documents, want 4"

echo "t21: standard input: a changed article replaces the old one"
printf '{"id": "n1", "title": "Harbor opens", "text": "The new harbor opened on Tuesday."}\n' |
    "$IDX" --db "$T/db" --json -q - > "$T/out"
out=$(cat "$T/out")
[ "$(key "$out" updated)" = 1 ] || bad "stdin update: $out"
[ "$(tf "$T/db" tuesday)" = 1 ] && [ "$(tf "$T/db" monday)" = 0 ] || bad "stdin update did not replace the text"
[ "$(tf "$T/db" Alovelac)" = 0 ] || bad "the replaced article kept its old author"
[ "$(ndocs "$T/db")" = 4 ] || bad "stdin update: $(ndocs "$T/db") documents, want 4"

echo "t21: a .jsonl.gz file"
printf '{"id": "g1", "text": "Gzipped JSON about narwhals."}\n{"id": "g2", "text": "And about belugas."}\n' | gzip -c > "$T/b.jsonl.gz"
out=$("$IDX" --db "$T/db" --json -q "$T/b.jsonl.gz")
[ "$(key "$out" added)" = 2 ] || bad "jsonl.gz: $out"
[ "$(tf "$T/db" narwhal)" = 1 ] && [ "$(tf "$T/db" beluga)" = 1 ] || bad "jsonl.gz content not indexed"

echo "t21: within one run a later line with the same id wins"
printf '{"id": "d1", "text": "first version mentions ospreys"}\n{"id": "d1", "text": "second version mentions pelicans"}\n' > "$T/dup.jsonl"
"$IDX" --db "$T/db2" -q "$T/dup.jsonl"
[ "$(ndocs "$T/db2")" = 1 ] || bad "duplicate ids: $(ndocs "$T/db2") documents, want 1"
[ "$(tf "$T/db2" pelican)" = 1 ] && [ "$(tf "$T/db2" osprey)" = 0 ] || bad "the later duplicate did not win"

echo "t21: a mass update (more than 2000 articles) switches to segments, one copy each"
i=0
while [ $i -lt 2500 ]; do
    echo "{\"id\": \"m$i\", \"text\": \"first version of $i about lynxes\"}"
    i=$((i + 1))
done > "$T/m1.jsonl"
sed 's/first version/second version/; s/lynxes/ocelots/' "$T/m1.jsonl" > "$T/m2.jsonl"
"$IDX" --db "$T/db3" -q "$T/m1.jsonl"
out=$("$IDX" --db "$T/db3" --json -q "$T/m2.jsonl")
[ "$(key "$out" updated)" = 2500 ] || bad "mass update: $out"
echo "$out" | grep -q '"bulk":true' || bad "mass update did not switch to segments: $out"
[ "$(ndocs "$T/db3")" = 2500 ] || bad "mass update: $(ndocs "$T/db3") documents, want 2500"
[ "$(tf "$T/db3" lynx)" = 0 ] && [ "$(tf "$T/db3" ocelot)" = 2500 ] ||
    bad "mass update: lynx $(tf "$T/db3" lynx), ocelot $(tf "$T/db3" ocelot)"

[ "$fail" = 0 ] && echo "t21: ok"
exit "$fail"
