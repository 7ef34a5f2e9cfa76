#!/bin/sh
# cti-search: exit codes (0 match, 1 none, 2 error), syntax errors naming
# their column, bad indexes, did-you-mean.
set -eu
NAME=t31
. tests/lib/e2e.sh
S="$BIN/cti-search"

"$BIN/cti-index" --db "$T/c.cti" corpus/ >/dev/null 2>&1

# Run cti-search; sets rc, out (stdout) and err (stderr).
run() {
    rc=0
    "$S" "$@" >"$T/out" 2>"$T/err" || rc=$?
    out=$(cat "$T/out")
    err=$(cat "$T/err")
}

echo "t31: exit 0 on a match, 1 (and nothing on stdout) on none"
run --db "$T/c.cti" 'Lina Khan'
[ $rc -eq 0 ] || bad "match: exit $rc"
[ -n "$out" ] || bad "match: empty stdout"
run --db "$T/c.cti" 'zebra giraffe'
[ $rc -eq 1 ] || bad "no match: exit $rc"
[ -z "$out" ] || bad "no match: stdout '$out'"
run --db "$T/c.cti" --json 'zebra'
[ $rc -eq 1 ] && [ -z "$out" ] || bad "no match --json: exit $rc, stdout '$out'"

echo "t31: syntax errors exit 2 and name the column"
synerr() {
    q=$1 col=$2 what=$3
    run --db "$T/c.cti" -- "$q"
    [ $rc -eq 2 ] || bad "'$q': exit $rc, want 2"
    [ -z "$out" ] || bad "'$q': stdout '$out'"
    case $err in
    *"column $col:"*"$what"*) ;;
    *) bad "'$q': stderr '$err', want column $col and '$what'" ;;
    esac
}
synerr '"Silicon Valley' 1 'unclosed quote'
synerr 'Harris "Silicon' 8 'unclosed quote'
synerr 'Harris (Khan OR Lina' 8 'unclosed parenthesis'
synerr 'Harris Khan)' 12 "unmatched ')'"
synerr '()' 1 'empty parentheses'
synerr 'AND Harris' 1 'AND needs'
synerr 'Harris AND' 8 'AND needs'
synerr 'Harris OR' 8 'OR needs'
synerr 'Harris NOT' 8 'NOT needs'
synerr 'Harris NEAR' 8 'NEAR needs'
synerr 'Harris NEAR/x Khan' 8 'NEAR/ needs a number'
synerr '(Harris OR Khan) NEAR Lina' 1 'NEAR works on words'
synerr 'title:' 1 'title: needs'
synerr 'date:2024-13' 6 'bad date'
synerr 'date:2021..2019' 6 'ends before it starts'
synerr '' 1 'empty query'
synerr '   ' 1 'empty query'
synerr 'Señor “Silicon' 7 'unclosed quote'

echo "t31: no caret when stderr is not a terminal"
run --db "$T/c.cti" -- 'Harris AND'
case $err in *"^"*) bad "caret on a non-terminal: '$err'" ;; esac
if command -v script >/dev/null 2>&1; then
    script -qec "$S --db '$T/c.cti' 'Harris AND'" /dev/null >"$T/tty" 2>&1 || true
    if ! grep -q '^ *\^' "$T/tty"; then
        bad "no caret on a terminal: $(cat "$T/tty")"
    fi
fi

echo "t31: punctuation is never a syntax error by accident"
for q in 'U.S.' '$50,000' 'Harris’s' 'pro-Bloomberg' 'AT&T' 'C++ & C#' 'e-mail: x@y.z' '10:30' 'what?!' "rock 'n' roll" 'well - maybe'; do
    run --db "$T/c.cti" -- "$q"
    [ $rc -le 1 ] || bad "'$q': exit $rc ($err)"
done

echo "t31: usage errors"
run --db "$T/c.cti"
[ $rc -eq 2 ] || bad "no query: exit $rc"
run --db "$T/c.cti" --limit x Harris
[ $rc -eq 2 ] || bad "--limit x: exit $rc"
run --db "$T/c.cti" --sort size Harris
[ $rc -eq 2 ] || bad "--sort size: exit $rc"
run --db "$T/c.cti" --color sometimes Harris
[ $rc -eq 2 ] || bad "--color sometimes: exit $rc"
run --db "$T/c.cti" --bogus Harris
[ $rc -eq 2 ] || bad "--bogus: exit $rc"
run --db "$T/c.cti" -Bloomberg
[ $rc -eq 2 ] || bad "-Bloomberg: exit $rc"
case $err in *"put the query after --"*) ;; *) bad "-Bloomberg: '$err'" ;; esac
run --db "$T/c.cti" -- -Bloomberg
[ $rc -eq 0 ] || bad "-- -Bloomberg: exit $rc ($err)"
run --db "$T/c.cti" --limit
[ $rc -eq 2 ] || bad "--limit without value: exit $rc"
case $err in *"'--limit' needs a value"*) ;; *) bad "--limit: '$err'" ;; esac
run --help
[ $rc -eq 0 ] || bad "--help: exit $rc"
case $out in *Usage:*) ;; *) bad "--help not on stdout" ;; esac
run --version
[ $rc -eq 0 ] && [ -n "$out" ] || bad "--version: exit $rc"

echo "t31: missing index, not an index, other schema"
run --db "$T/nope" Harris
[ $rc -eq 2 ] || bad "missing index: exit $rc"
case $err in "cti-search: cannot open index '$T/nope': "*) ;; *) bad "missing index: '$err'" ;; esac
mkdir "$T/empty"
run --db "$T/empty" Harris
[ $rc -eq 2 ] || bad "empty dir: exit $rc"
case $err in *"not a cti index"*) ;; *) bad "empty dir: '$err'" ;; esac
if command -v xapian-metadata >/dev/null 2>&1; then
    cp -r "$T/c.cti" "$T/v.cti"
    for d in "$T"/v.cti/db.*; do xapian-metadata set "$d" cti.schema 999; done
    run --db "$T/v.cti" Harris
    [ $rc -eq 2 ] || bad "other schema: exit $rc"
    case $err in *"schema version 999"*) ;; *) bad "other schema: '$err'" ;; esac
    cp -r "$T/c.cti" "$T/x.cti"
    for d in "$T"/x.cti/db.*; do xapian-metadata set "$d" cti.schema ''; done
    run --db "$T/x.cti" Harris
    [ $rc -eq 2 ] || bad "no schema: exit $rc"
    case $err in *"not a cti index"*) ;; *) bad "no schema: '$err'" ;; esac
fi

echo "t31: \$CTI_DB and the nearest .cti directory"
rc=0
CTI_DB="$T/c.cti" "$S" -n 1 Harris >/dev/null 2>&1 || rc=$?
[ $rc -eq 0 ] || bad "CTI_DB: exit $rc"
mkdir -p "$T/home/a/b"
cp -r "$T/c.cti" "$T/home/.cti"
rc=0
(cd "$T/home/a/b" && env -u CTI_DB "$S" -n 1 Harris >/dev/null 2>&1) || rc=$?
[ $rc -eq 0 ] || bad "nearest .cti: exit $rc"
rc=0
(cd "$T/empty" && env -u CTI_DB "$S" Harris >/dev/null 2>"$T/err") || rc=$?
[ $rc -eq 2 ] || bad "no index anywhere: exit $rc"

echo "t31: did you mean"
run --db "$T/c.cti" 'Lina Kahn antitrsut'
[ $rc -eq 1 ] || bad "misspelt: exit $rc"
case $err in *"did you mean: Lina Khan antitrust"*) ;; *) bad "misspelt: '$err'" ;; esac
[ -z "$out" ] || bad "misspelt: stdout '$out'"
run --db "$T/c.cti" 'title:Blomberg'
case $err in *"did you mean: title:Bloomberg"*) ;; *) bad "misspelt field: '$err'" ;; esac
printf '%s\n' '{"id": "m1", "author": "Jane Doe", "text": "Antitrust news."}' >"$T/m.jsonl"
"$BIN/cti-index" --db "$T/m.cti" "$T/m.jsonl" >/dev/null 2>&1
run --db "$T/m.cti" 'author:Dooe'
case $err in *"did you mean: author:Doe"*) ;; *) bad "misspelt author: '$err'" ;; esac
run --db "$T/m.cti" 'qqqzzzxxx'
[ $rc -eq 1 ] || bad "gibberish: exit $rc"
case $err in *"did you mean"*) bad "a suggestion for gibberish: '$err'" ;; esac

[ $fail -eq 0 ] && echo "t31: ok"
exit $fail
