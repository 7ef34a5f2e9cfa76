#!/bin/sh
# cti-index on a folder, again and again: new files are added, unchanged
# ones skipped after stat() alone, changed ones replaced, touched ones
# recorded without counting as changes, removed ones deleted; the index
# content is checked with xapian-delve (terms, document count).
set -eu
NAME=t20
. tests/lib/e2e.sh
IDX=$BIN/cti-index
ndocs() { xapian-delve "$1" | sed -n 's/^number of documents = //p'; }
# termfreq of a term (0 when absent)
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
# a key of the one-line JSON summary
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

mkdir -p "$T/news/sub"
cp corpus/*.txt "$T/news/"
printf 'Okapi sighting\n\nAn okapi was seen near the river.\n' > "$T/news/sub/okapi.txt"
printf 'Zebra report\n\nZebras everywhere today.\n' > "$T/news/sub/zebra.txt"

echo "t20: first run indexes every file"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" added)" = 5 ] || bad "first run: $out"
[ "$(ndocs "$T/db")" = 5 ] || bad "first run: $(ndocs "$T/db") documents, want 5"
[ "$(tf "$T/db" okapi)" = 1 ] || bad "okapi not indexed"
[ "$(tf "$T/db" Sokapi)" = 1 ] || bad "title term Sokapi not indexed"
id=$(cd "$T/news/sub" && pwd -P)/okapi.txt
[ "$(tf "$T/db" "Q$id")" = 1 ] || bad "id term Q$id missing"

echo "t20: an unchanged re-run reads nothing"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" unchanged)" = 5 ] && [ "$(key "$out" added)" = 0 ] &&
    [ "$(key "$out" updated)" = 0 ] && [ "$(key "$out" bytes)" = 0 ] ||
    bad "unchanged re-run: $out"

echo "t20: a changed file is replaced, a new one added"
printf 'Okapi sighting\n\nAn okapi and a pangolin were seen near the river.\n' > "$T/news/sub/okapi.txt"
printf 'Quokka news\n\nA quokka smiled.\n' > "$T/news/quokka.txt"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" updated)" = 1 ] && [ "$(key "$out" added)" = 1 ] &&
    [ "$(key "$out" unchanged)" = 4 ] || bad "update run: $out"
[ "$(ndocs "$T/db")" = 6 ] || bad "after update: $(ndocs "$T/db") documents, want 6"
[ "$(tf "$T/db" pangolin)" = 1 ] || bad "new text of the changed file not indexed"
[ "$(tf "$T/db" okapi)" = 1 ] || bad "changed file indexed twice or lost"

echo "t20: a touched file is re-read but counts as unchanged"
touch -d '2001-01-01' "$T/news/sub/zebra.txt"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" unchanged)" = 6 ] && [ "$(key "$out" updated)" = 0 ] || bad "touch run: $out"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" bytes)" = 0 ] || bad "the touched file's new stat was not recorded: $out"

echo "t20: a file gone from a walked folder is removed"
rm "$T/news/sub/zebra.txt"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" removed)" = 1 ] || bad "removal run: $out"
[ "$(ndocs "$T/db")" = 5 ] || bad "after removal: $(ndocs "$T/db") documents, want 5"
[ "$(tf "$T/db" zebra)" = 0 ] || bad "removed file still indexed"

echo "t20: indexing one file of a folder removes nothing else"
rm "$T/news/quokka.txt"
out=$("$IDX" --db "$T/db" --json -q "$T/news/sub/okapi.txt")
[ "$(key "$out" removed)" = 0 ] && [ "$(ndocs "$T/db")" = 5 ] || bad "single file run removed: $out"
echo "t20: ... but walking the folder again does"
out=$("$IDX" --db "$T/db" --json -q "$T/news")
[ "$(key "$out" removed)" = 1 ] && [ "$(ndocs "$T/db")" = 4 ] || bad "folder re-walk: $out"

echo "t20: a removed subfolder's articles go when its parent is walked"
rm -r "$T/news/sub"
"$IDX" --db "$T/db" -q "$T/news"
[ "$(ndocs "$T/db")" = 3 ] || bad "after removing sub/: $(ndocs "$T/db") documents, want 3"

echo "t20: cti-search finds what was indexed"
if [ -x "$BIN/cti-search" ]; then
    n=$("$BIN/cti-search" --db "$T/db" --count 'Lina Khan AND antitrust' 2>/dev/null || true)
    [ "$n" = 1 ] || bad "cti-search --count 'Lina Khan AND antitrust': '$n', want 1"
fi

echo "t20: the index passes xapian-check"
main=$(sed -n 's/^glass //p' "$T/db/XAPIANDB")
xapian-check "$T/db/$main" >/dev/null || bad "xapian-check failed"

[ "$fail" = 0 ] && echo "t20: ok"
exit "$fail"
