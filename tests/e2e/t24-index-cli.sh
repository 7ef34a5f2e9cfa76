#!/bin/sh
# The cti-index command line: --help and --version, bad usage (exit 2 with
# a message), the index location (--db, $CTI_DB, .cti in the current
# folder), --language recorded at creation and a mismatch refused,
# --compact, --no-bulk, and the --json summary keys.
set -eu
NAME=t24
. tests/lib/e2e.sh
IDX=$BIN/cti-index
ndocs() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
mkdir "$T/in"
cp corpus/*.txt "$T/in/"

echo "t24: --help on stdout, exit 0; --version"
"$IDX" --help > "$T/help" 2> "$T/err" || bad "--help: exit $?"
for o in --db --language --jobs --memory --wait --compact --json --quiet; do
    grep -q -- "$o" "$T/help" || bad "--help does not mention $o"
done
[ -s "$T/err" ] && bad "--help wrote to stderr"
"$IDX" --version | grep -q '^cti-index ' || bad "--version"

echo "t24: bad usage exits 2 with a message"
for args in "" "--jobs 0 x" "--memory lots x" "--no-such-option x" "--language klingon --db $T/k x"; do
    rc=0
    # shellcheck disable=SC2086
    "$IDX" $args > /dev/null 2> "$T/err" || rc=$?
    [ "$rc" = 2 ] || bad "'cti-index $args': exit $rc, want 2"
    [ -s "$T/err" ] || bad "'cti-index $args': no message"
done
[ -e "$T/k/XAPIANDB" ] && bad "an unknown language created an index"

echo "t24: the index location: --db, then \$CTI_DB, then .cti here"
(cd "$T" && "$IDX" -q in/01-harris-courts-silicon-valley.txt)
[ "$(ndocs "$T/.cti")" = 1 ] || bad "default .cti in the current folder"
CTI_DB=$T/envdb "$IDX" -q "$T/in"
[ "$(ndocs "$T/envdb")" = 3 ] || bad "\$CTI_DB"
CTI_DB=$T/envdb "$IDX" -q --db "$T/optdb" "$T/in/02-bloomberg-courts-big-tech-leaders.txt"
[ "$(ndocs "$T/optdb")" = 1 ] && [ "$(ndocs "$T/envdb")" = 3 ] || bad "--db does not win over \$CTI_DB"

echo "t24: a folder that is not an index is refused"
rc=0
"$IDX" -q --db "$T/in" "$T/in" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "not a cti index" "$T/err" || bad "non-index folder as --db: exit $rc: $(cat "$T/err")"
[ -e "$T/in/lock" ] && bad "a refused folder was written into: $(ls -A "$T/in" | tr '\n' ' ')"

echo "t24: --language is recorded; another language is refused"
"$IDX" -q --db "$T/fr" --language french "$T/in"
xapian-delve -M "$T/fr" 2>/dev/null | grep -q 'cti.language.*french' ||
    /usr/bin/python3 -c "import sys,xapian; sys.exit(xapian.Database(sys.argv[1]).get_metadata('cti.language') != b'french')" "$T/fr" 2>/dev/null ||
    bad "language not recorded"
rc=0
"$IDX" -q --db "$T/fr" --language english "$T/in" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "french" "$T/err" || bad "language mismatch: exit $rc: $(cat "$T/err")"
"$IDX" -q --db "$T/fr" "$T/in" || bad "no --language on a french index should use french"

echo "t24: --no-bulk and --bulk give the same index"
"$IDX" -q --no-bulk --db "$T/direct" "$T/in"
"$IDX" -q --bulk --db "$T/bulk" "$T/in"
for t in antitrust Skamala khan; do
    [ "$(tf "$T/direct" $t)" = "$(tf "$T/bulk" $t)" ] && [ "$(tf "$T/bulk" $t)" != 0 ] ||
        bad "term $t: direct $(tf "$T/direct" $t), bulk $(tf "$T/bulk" $t)"
done

echo "t24: --compact alone compacts the index, keeping every article"
before=$(sed -n 's/^glass //p' "$T/direct/XAPIANDB")
"$IDX" -q --db "$T/direct" --compact || bad "--compact: exit $?"
after=$(sed -n 's/^glass //p' "$T/direct/XAPIANDB")
[ "$before" != "$after" ] || bad "--compact did not write a new database"
[ -e "$T/direct/$before" ] && bad "--compact left the old database behind"
[ "$(ndocs "$T/direct")" = 3 ] || bad "--compact lost articles"

echo "t24: --json prints one line with the summary keys"
out=$("$IDX" --json -q --db "$T/j" "$T/in")
[ "$(echo "$out" | wc -l)" = 1 ] || bad "--json: more than one line"
for k in added updated unchanged removed failed articles bytes seconds; do
    [ -n "$(key "$out" $k)" ] || bad "--json lacks \"$k\": $out"
done
[ "$(key "$out" added)" = 3 ] && [ "$(key "$out" articles)" = 3 ] || bad "--json counts: $out"

[ "$fail" = 0 ] && echo "t24: ok"
exit "$fail"
