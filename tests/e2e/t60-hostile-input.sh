#!/bin/sh
# Hostile input indexed beside normal articles (tests/fuzz/mkhostile.py):
# empty and binary files, invalid UTF-8, NUL bytes, terminal escapes, a
# long line, good, truncated and fake .gz, bad and huge JSON lines, a
# 60-level deep folder, a symlink loop, a dangling link, a FIFO.  No
# normal article is lost, each refused input is named on stderr, no
# escape sequence from an article reaches cti-search's output, the index
# is consistent, and a second run changes nothing.
set -eu
NAME=t60
. tests/lib/e2e.sh

python3 tests/fuzz/mkhostile.py "$T/h"
IN=$T/h/in

echo "t60: indexing hostile input"
rc=0
timeout 120 "$BIN/cti-index" --db "$T/db" "$IN" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] || bad "cti-index exit $rc, want 2 (some inputs fail)"

echo "t60: every refused input is named on stderr"
for f in empty.txt blank.txt random.txt random.bin nul.txt truncated.txt.gz \
         fake.txt.gz fake.jsonl.gz fifo.txt dangling.txt; do
    grep -q "^cti-index: .*hostile/$f: " "$T/err" || bad "no message for $f"
done
for l in 2 4 6 8; do
    grep -q "^cti-index: .*lines.jsonl:$l: " "$T/err" || bad "no message for lines.jsonl:$l"
done
grep -q "invalid-utf8.txt: " "$T/err" || bad "no warning for invalid-utf8.txt"

echo "t60: every normal article and every readable hostile one is there"
while read -r m want; do
    got=$(timeout 20 "$BIN/cti-search" --db "$T/db" --count "$m" 2>>"$T/serr") || true
    [ "$got" = "$want" ] || bad "search $m: $got hits, want $want"
done <"$T/h/expected.txt"
# Nothing of the refused inputs was indexed.
for m in cutgzmarker fakegzmarker nulmarker; do
    got=$(timeout 20 "$BIN/cti-search" --db "$T/db" --count "$m" 2>>"$T/serr") || true
    [ "$got" = 0 ] || bad "refused input indexed: $m has $got hits"
done

echo "t60: no escape sequence from an article reaches the output"
for mode in "--color=never" "--color=always" "--json" "--highlight=html"; do
    timeout 20 "$BIN/cti-search" --db "$T/db" "$mode" -n 50 'escmarker OR red OR pwned OR zebracorn' \
        >"$T/s.out" 2>>"$T/serr" || bad "search $mode failed"
    case $mode in
    --color=always)
        # Only the highlighter's own SGR sequences (ESC [ digits/; m) and
        # the hyperlink around a file id (OSC 8, its URL percent-encoded).
        if LC_ALL=C tr -d '\n' <"$T/s.out" |
            LC_ALL=C sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b\x07]*\x1b\\//g' |
            LC_ALL=C grep -q "$(printf '\033')"; then
            bad "search $mode printed a foreign escape sequence"
        fi ;;
    *)
        if LC_ALL=C grep -q "$(printf '[\033\007\010\233]')" "$T/s.out"; then
            bad "search $mode printed control bytes from an article"
        fi ;;
    esac
done
# A JSON hit for the escape article is still one valid JSON object per line.
timeout 20 "$BIN/cti-search" --db "$T/db" --json escmarker >"$T/j.out"
python3 -c '
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
assert len(hits) == 1 and hits[0]["id"].endswith("escapes.txt"), hits
' "$T/j.out" || bad "JSON output for escmarker is not one valid hit"
# The escape article shown whole: no sequence of its own gets through,
# in colour, with markers or as JSON.
esc_id=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T/j.out")
for mode in "--color=always" "--color=never" "--json"; do
    timeout 20 "$BIN/cti-search" --db "$T/db" "$mode" --show "$esc_id" escmarker \
        >"$T/show.out" 2>>"$T/serr" || bad "--show $mode failed"
    grep -q escmarker "$T/show.out" || bad "--show $mode: the text is not there"
    if LC_ALL=C sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b\x07]*\x1b\\//g' "$T/show.out" |
        LC_ALL=C grep -q "$(printf '[\033\007\010\233]')"; then
        bad "--show $mode printed control bytes from an article"
    fi
done

echo "t60: the index is consistent"
for d in $(awk '{ print $2 }' "$T/db/XAPIANDB"); do
    timeout 60 xapian-check "$T/db/$d" >"$T/check" 2>&1 || { cat "$T/check" >&2; bad "xapian-check $d"; }
done

echo "t60: a second run changes nothing"
rc=0
timeout 120 "$BIN/cti-index" --db "$T/db" --json "$IN" >"$T/out2" 2>"$T/err2" || rc=$?
[ "$rc" -eq 2 ] || bad "second run exit $rc, want 2"
python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert s["added"] == 0 and s["updated"] == 0 and s["removed"] == 0, s
' "$T/out2" || bad "second run changed the index: $(cat "$T/out2")"
got=$("$BIN/cti-search" --db "$T/db" --count zebracorn) || true
want=$(awk '$1 == "zebracorn" { print $2 }' "$T/h/expected.txt")
[ "$got" = "$want" ] || bad "after the second run zebracorn has $got hits, want $want"

echo "t60: JSON lines and random bytes on standard input"
rc=0
timeout 60 "$BIN/cti-index" --db "$T/db2" - <"$IN/good/lines.jsonl" >/dev/null 2>"$T/err3" || rc=$?
[ "$rc" -eq 2 ] || bad "stdin JSON lines: exit $rc, want 2"
grep -q "<stdin>:2: " "$T/err3" || bad "stdin JSON lines: no message naming <stdin>:2"
want=$(grep -c '"json-' "$IN/good/lines.jsonl")
got=$("$BIN/cti-search" --db "$T/db2" --count -- -zzqq) || true
[ "$got" -ge "$want" ] || bad "stdin JSON lines: $got articles, want at least $want"
rc=0
python3 -c 'import sys, random; r = random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(200000)))' |
    timeout 60 "$BIN/cti-index" --db "$T/db2" - >/dev/null 2>"$T/err4" || rc=$?
[ "$rc" -eq 2 ] || bad "random bytes on stdin: exit $rc, want 2"
got2=$("$BIN/cti-search" --db "$T/db2" --count -- -zzqq) || true
[ "$got2" = "$got" ] || bad "random bytes on stdin changed the index: $got2 articles, was $got"

echo "t60: file names holding escape sequences reach no terminal"
ESC=$(printf '\033')
mkdir "$T/names"
printf 'Escape name\n\nnamemarker in a file whose name holds escapes\n' \
    >"$T/names/esc${ESC}[31mred${ESC}]0;title$(printf '\007').txt"
printf '\001\002 binary' >"$T/names/bin${ESC}[2Jclear.bin"
"$BIN/cti-index" --db "$T/db3" "$T/names" >/dev/null 2>"$T/err5" || true
if LC_ALL=C grep -q "$ESC" "$T/err5"; then
    bad "cti-index prints a file name's escape sequence raw: $(LC_ALL=C grep "$ESC" "$T/err5" | cat -v | head -2)"
fi
for mode in --color=never --color=always; do
    "$BIN/cti-search" --db "$T/db3" "$mode" namemarker >"$T/out5" 2>&1 || true
    if LC_ALL=C sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b\x07]*\x1b\\//g' "$T/out5" |
        LC_ALL=C grep -q "$(printf '[\033\007]')"; then
        bad "cti-search $mode prints a file name's escape sequence raw: $(cat -v "$T/out5" | sed -n 2p)"
    fi
done

echo "t60: C1 controls in file names are shown escaped, the same by both programs"
# U+009B (CSI as one character, UTF-8 C2 9B) and the raw byte 9B (not
# UTF-8) both start an escape sequence on a terminal that reads C1
# controls.  Each file also holds invalid UTF-8, so cti-index warns naming
# it, and is indexed, so cti-search prints its name.
C1=$(printf '\302\233')
RAW=$(printf '\233')
mkdir "$T/c1"
printf 'C1 name\n\nc1marker \377 one\n' >"$T/c1/char${C1}31mred.txt"
printf 'C1 name\n\nc1marker \377 two\n' >"$T/c1/byte${RAW}31mred.txt"
"$BIN/cti-index" --db "$T/db4" "$T/c1" >/dev/null 2>"$T/err6" || true
"$BIN/cti-search" --db "$T/db4" --color=never c1marker >"$T/out6" 2>&1 || true
for f in err6 out6; do
    if LC_ALL=C grep -q "$RAW" "$T/$f"; then
        bad "$f: a C1 control from a file name printed raw: $(LC_ALL=C grep "$RAW" "$T/$f" | od -c | head -3)"
    fi
done
for name in 'char\u009B31mred.txt' 'byte\x9B31mred.txt'; do
    grep -qF "$name" "$T/err6" || bad "cti-index does not show $name: $(cat -v "$T/err6")"
    grep -qF "$name" "$T/out6" || bad "cti-search does not show $name: $(cat -v "$T/out6")"
done

if [ -s "$T/serr" ]; then
    echo "t60: cti-search wrote on stderr:" >&2
    cat "$T/serr" >&2
    fail=1
fi
[ "$fail" -eq 0 ] && echo "t60: ok"
exit "$fail"
