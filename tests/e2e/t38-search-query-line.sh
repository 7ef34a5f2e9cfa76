#!/bin/sh
# cti-search: the query line says what it did.  Lower-case operator words
# get a note, unknown fields are errors (colons that are no field are not),
# did you mean on names, inside phrases and with --any (pipes and --json
# only suggest; a terminal shows the corrected results), and the footer's
# count is --count or a true range.  Corpus: tests/data/news.jsonl.
set -eu
NAME=t38
. tests/lib/e2e.sh
S="$BIN/cti-search"
DB=$T/news.cti

"$BIN/cti-index" --db "$DB" tests/data/news.jsonl >/dev/null 2>&1

# Run cti-search on the news index; sets rc, out (stdout) and err (stderr).
run() {
    rc=0
    "$S" --db "$DB" "$@" >"$T/out" 2>"$T/err" || rc=$?
    out=$(cat "$T/out")
    err=$(cat "$T/err")
}

# The same on a terminal (script(1) gives it one); out holds both streams.
run_tty() {
    rc=0
    q=$(printf '%s' "$1" | sed "s/'/'\\\\''/g")
    script -qec "'$S' --db '$DB' --color never --highlight none --no-snippets -- '$q'" /dev/null \
        >"$T/out" 2>&1 </dev/null || rc=$?
    out=$(tr -d '\r' <"$T/out")
}

echo "t38: lower-case operators are words, with a note"
run --no-snippets 'Kushner or Mueller'
[ $rc -eq 1 ] || bad "'Kushner or Mueller': exit $rc (no article has 'or' between them)"
case $err in *"'or' was searched as a word; OR means either"*) ;;
    *) bad "'or': no note: '$err'" ;; esac
run --no-snippets 'Kushner OR Mueller'
[ $rc -eq 0 ] || bad "'Kushner OR Mueller': exit $rc"
case $err in *"searched as a word"*) bad "OR: a note: '$err'" ;; esac
run --no-snippets 'Kushner and Gulf'
case $err in *"'and' was searched as a word"*) ;; *) bad "'and': no note: '$err'" ;; esac
[ $rc -eq 0 ] || bad "'and' as a word: exit $rc"
run --no-snippets 'investigation not bridge'
case $err in *"'not' was searched as a word; NOT or -word excludes"*) ;;
    *) bad "'not': no note: '$err'" ;; esac
run --no-snippets 'Kushner near Gulf'
case $err in *"'near' was searched as a word"*) ;; *) bad "'near': no note: '$err'" ;; esac
run --json 'Kushner and Gulf'
[ -z "$err" ] || bad "--json: a note on stderr: '$err'"
run -q --no-snippets 'Kushner and Gulf'
[ -z "$err" ] || bad "-q: a note on stderr: '$err'"
run --no-snippets '"counsel and investigation" or'
case $err in *"searched as a word"*) bad "a note for a phrase or a last word: '$err'" ;; esac

echo "t38: an unknown field is an error naming the fields"
run 'titel:Blair'
[ $rc -eq 2 ] || bad "titel:Blair: exit $rc"
case $err in *"column 1: unknown field 'titel:'; did you mean title:? (fields: title:, author:, source:, date:"*) ;;
    *) bad "titel:Blair: '$err'" ;; esac
[ -z "$out" ] || bad "titel:Blair: stdout '$out'"
run 'Kushner section:Politics'
[ $rc -eq 2 ] || bad "section:Politics: exit $rc"
case $err in *"column 9: unknown field 'section:'"*"title:, author:, source:, date:"*) ;;
    *) bad "section:Politics: '$err'" ;; esac
run --any 'titel:Blair Kushner'
[ $rc -eq 0 ] || bad "--any takes any text: exit $rc"
for q in '10:30 Kushner' 'U.S.: Kushner' 'https://example.com/a Kushner' \
    'Note: Kushner' '"section:Politics"'; do
    run --no-snippets -- "$q"
    [ $rc -ne 2 ] || bad "'$q' is not a field: exit 2: '$err'"
done

echo "t38: did you mean: names, phrases, fields, --any"
expect_fix() {
    want=$1
    shift
    run "$@"
    [ $rc -eq 1 ] || bad "'$*': exit $rc"
    [ -z "$out" ] || bad "'$*': stdout '$out'"
    case $err in *"no matches; did you mean: $want") ;; *) bad "'$*': '$err', want '$want'" ;; esac
}
expect_fix 'Jared Kushner' 'Jarred Kushner'          # both words exist, never together
expect_fix 'Mueller investigation' 'Muller investigaton'   # Muller the footballer exists
expect_fix '"special counsel"' '"special counsle"'
expect_fix 'Jared Kushner' 'Jared Kushnr'
expect_fix 'title:Kushner' 'title:Kushnr'
expect_fix 'source:Business Kushner' 'source:Buisness Kushner'
expect_fix '"Mueller investigation" NEAR/5 "special counsel"' \
    '"Muller investigation" NEAR/5 "special counsle"'
expect_fix 'investigation' --any 'investigaton'
expect_fix 'Jared Kushner' --json 'Jarred Kushner'
run --any --no-snippets 'what has the special counsle asked Kushner?'
[ $rc -eq 0 ] || bad "--any with an unknown word: exit $rc"
case $err in *"note: no article has 'counsle'; did you mean: what has the special counsel asked Kushner?"*) ;;
    *) bad "--any unknown word: '$err'" ;; esac
run --any --json 'what has the special counsle asked Kushner?'
[ -z "$err" ] || bad "--any --json: a note: '$err'"
run 'qqqzzzxxx Kushner'
case $err in *"no matches; no article has 'qqqzzzxxx'") ;; *) bad "gibberish: '$err'" ;; esac

echo "t38: on a terminal the corrected results are shown"
run_tty 'Muller investigaton'
[ $rc -eq 1 ] || bad "tty: exit $rc"
case $out in "no matches for Muller investigaton; showing Mueller investigation"*"1. Mueller investigation widens"*) ;;
    *) bad "tty: '$out'" ;; esac

echo "t38: the footer's count is --count, or a true range"
for q in 'Kushner' 'special counsel' 'investigation OR Kushner' '"special counsel"'; do
    n=$("$S" --db "$DB" --count -- "$q")
    run -n 1 --no-snippets -- "$q"
    foot=$(printf '%s\n' "$out" | tail -n 1)
    case $foot in "$n match"*) ;; *) bad "'$q': footer '$foot', --count $n" ;; esac
    run -n 1 --json -- "$q"
    case $out in *"\"matches\":$n,\"exact\":true"*) ;; *) bad "'$q' --json: '$out'" ;; esac
    run -n 1 --no-snippets --count-time 0 -- "$q"
    foot=$(printf '%s\n' "$out" | tail -n 1)
    lo=$(printf '%s\n' "$foot" | sed -n 's/^between \([0-9,]*\) and \([0-9,]*\) matches.*/\1/p' | tr -d ,)
    hi=$(printf '%s\n' "$foot" | sed -n 's/^between \([0-9,]*\) and \([0-9,]*\) matches.*/\2/p' | tr -d ,)
    if [ -n "$lo" ]; then
        [ "$lo" -le "$n" ] && [ "$n" -le "$hi" ] || bad "'$q': false range '$foot' ($n)"
    else
        case $foot in "$n match"*) ;; *) bad "'$q' --count-time 0: '$foot' ($n)" ;; esac
    fi
done

echo "t38: counts past the page's own check (State of the Union addresses)"
"$BIN/cti-index" --db "$T/sotu.cti" tests/data/sotu >/dev/null 2>&1
ranges=0
for q in 'tax reform' 'war OR peace' 'nation NOT war' '"the people"' 'tax NEAR/5 cut'; do
    n=$("$S" --db "$T/sotu.cti" --count -- "$q")
    foot=$("$S" --db "$T/sotu.cti" -n 1 --no-snippets --count-time 60000 -- "$q" | tail -n 1)
    case $foot in "$n match"*) ;; *) bad "sotu '$q': footer '$foot', --count $n" ;; esac
    foot=$("$S" --db "$T/sotu.cti" -n 1 --no-snippets --count-time 0 -- "$q" | tail -n 1)
    lo=$(printf '%s\n' "$foot" | sed -n 's/^between \([0-9,]*\) and \([0-9,]*\) matches.*/\1/p' | tr -d ,)
    hi=$(printf '%s\n' "$foot" | sed -n 's/^between \([0-9,]*\) and \([0-9,]*\) matches.*/\2/p' | tr -d ,)
    if [ -n "$lo" ]; then
        ranges=$((ranges + 1))
        [ "$lo" -le "$n" ] && [ "$n" -le "$hi" ] && [ "$lo" -lt "$hi" ] ||
            bad "sotu '$q': false range '$foot' ($n)"
    else
        case $foot in "$n match"*) ;; *) bad "sotu '$q' --count-time 0: '$foot' ($n)" ;; esac
    fi
    case $foot in *about*) bad "sotu '$q': an estimate '$foot'" ;; esac
done
[ $ranges -gt 0 ] || bad "sotu: --count-time 0 never gave a range (the test tests nothing)"
out=$("$S" --db "$T/sotu.cti" -n 1 --json --count-time 0 -- 'tax reform')
case $out in *'"exact":false,"matches_min":'*'"matches_max":'*) ;; *) bad "--json range: '$out'" ;; esac

[ $fail -eq 0 ] && echo "t38: ok"
exit $fail
