#!/bin/sh
# Bad inputs: each gets a message naming it (and the line, for JSON), the
# good articles around them are still indexed and committed, and the run
# exits 2 when something could not be indexed.  Binary and empty files
# are passed over with a notice; invalid UTF-8 is indexed, repaired.
set -eu
NAME=t22
. tests/lib/e2e.sh
IDX=$BIN/cti-index
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
ndocs() { xapian-delve "$1" | sed -n 's/^number of documents = //p'; }
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

D=$T/in
mkdir -p "$D"
printf 'Good one\n\nA good article about herons.\n' > "$D/good1.txt"
printf 'Good two\n\nAnother good article about egrets.\n' > "$D/good2.txt"
printf 'GIF89a\001\000\001\000\000\000\000\377\377\377' > "$D/pixel.txt"
head -c 4096 /dev/urandom > "$D/noise.dat"
: > "$D/empty.txt"
printf 'Broken bytes\n\nCaf\351 au lait \377\376 and cormorants.\n' > "$D/latin1.txt"
echo "this is not gzip" > "$D/fake.gz"
printf 'Cut short\n\nThis gzip stream is cut in the middle of its data.\n' | gzip -c | head -c 25 > "$D/cut.txt.gz"
printf '{"id": "j1", "text": "kingfishers"}\n{"id": "j2", "text": \n{"id": "j3", "text": "sandpipers"}\n' > "$D/mixed.jsonl"
mkdir -p "$D/loop"
ln -s .. "$D/loop/up"
deep=$D/deep
i=0
while [ $i -lt 300 ]; do deep=$deep/d; i=$((i + 1)); done
mkdir -p "$deep"
printf 'Deep\n\nToo deep to matter: flamingos.\n' > "$deep/deep.txt"
yes 'albatross petrel shearwater gannet booby' | head -c 100000000 | tr '\n' ' ' > "$D/huge-one-line.txt"

echo "t22: a run over good and bad inputs"
rc=0
"$IDX" --db "$T/db" --json "$D" "$T/missing.txt" > "$T/out" 2> "$T/err" || rc=$?
out=$(cat "$T/out")
[ "$rc" = 2 ] || bad "exit $rc, want 2"
msg() { grep -q "$1" "$T/err" || bad "no message for $2 in: $(head -c 2000 "$T/err")"; }
msg "^cti-index: .*missing.txt" "a missing file"
msg "^cti-index: .*pixel.txt" "a binary file"
msg "^cti-index: .*noise.dat" "a binary file"
msg "^cti-index: .*empty.txt" "an empty file"
msg "^cti-index: .*latin1.txt" "invalid UTF-8"
msg "^cti-index: .*fake.gz" "a fake .gz"
msg "^cti-index: .*cut.txt.gz" "a truncated .gz"
msg "^cti-index: .*mixed.jsonl:2:" "a malformed JSON line (with its line number)"
msg "^cti-index: .*loop" "a symlink loop"
msg "^cti-index: .*deep" "a folder nested too deep"

echo "t22: the good articles are indexed and committed"
for t in heron egret kingfish sandpip cormor albatross; do
    [ "$(tf "$T/db" "$t")" = 1 ] || bad "'$t' not indexed"
done
[ "$(ndocs "$T/db")" = 6 ] || bad "$(ndocs "$T/db") documents, want 6 ($out)"
[ "$(key "$out" failed)" -ge 4 ] || bad "failed count: $out"
[ "$(key "$out" added)" = 6 ] || bad "added count: $out"
[ "$(tf "$T/db" gif89a)" = 0 ] || bad "a binary file was indexed"

echo "t22: invalid UTF-8 is repaired in the stored text"
if [ -x "$BIN/cti-search" ]; then
    "$BIN/cti-search" --db "$T/db" --json cormorants > "$T/hit" 2>/dev/null || true
    grep -q 'Caf' "$T/hit" || bad "no hit for cormorants: $(cat "$T/hit")"
    if LC_ALL=C grep -q "$(printf '\377')" "$T/hit"; then bad "stored text holds invalid UTF-8"; fi
fi

echo "t22: a second run: the same failures again, nothing re-indexed"
rc=0
out=$("$IDX" --db "$T/db" --json -q "$D" 2>/dev/null) || rc=$?
[ "$rc" = 2 ] || bad "second run: exit $rc, want 2"
[ "$(key "$out" added)" = 0 ] && [ "$(key "$out" updated)" = 0 ] || bad "second run re-indexed: $out"
[ "$(ndocs "$T/db")" = 6 ] || bad "second run: $(ndocs "$T/db") documents"

echo "t22: a folder with only good files exits 0"
mkdir "$T/ok"
cp "$D/good1.txt" "$D/good2.txt" "$T/ok/"
"$IDX" --db "$T/db3" -q "$T/ok" || bad "good folder: exit $?"

if [ "$(id -u)" != 0 ]; then
    echo "t22: an unreadable file is reported, the rest indexed"
    printf 'Secret\n\nunreadable puffins\n' > "$T/ok/secret.txt"
    chmod 000 "$T/ok/secret.txt"
    rc=0
    "$IDX" --db "$T/db3" -q "$T/ok" 2> "$T/err" || rc=$?
    [ "$rc" = 2 ] || bad "unreadable file: exit $rc"
    grep -q "secret.txt" "$T/err" || bad "no message for an unreadable file"
fi

[ "$fail" = 0 ] && echo "t22: ok"
exit "$fail"
