#!/bin/sh
# The rooms of the source tree lean only on what is below them:
#   core/      includes neither program folder (nor anything but core/, shim/)
#   indexer/   may include core/ and shim/, never searcher/
#   searcher/  may include core/ and shim/, never indexer/
#   web/       may include core/, shim/ and searcher/, never indexer/
#   shim/      includes only shim/
# Each #include "x.h" is resolved as the compiler does: first beside the
# including file, then along -Icore -Ishim -Iindexer -Isearcher -Iweb.  A header
# name found in two folders is refused too: which one is meant would then
# depend on the order of the -I flags.
set -eu
SRC=${CTI_SRC:-.}
cd "$SRC"
ROOMS="core shim indexer searcher web"
fail=0

# allowed ROOM: the folders a file in ROOM may include from.
allowed() {
    case "$1" in
    core) echo "core shim" ;;
    shim) echo "shim" ;;
    indexer) echo "core shim indexer" ;;
    searcher) echo "core shim searcher" ;;
    web) echo "core shim searcher web" ;;
    esac
}

echo "t02: no header name in two folders"
dups=$(find $ROOMS -name '*.h' 2>/dev/null | sed 's#.*/##' | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "t02: FAIL: header names in more than one folder: $dups" >&2
    fail=1
fi

echo "t02: each folder includes only what it may"
checked=0
for room in $ROOMS; do
    ok=$(allowed "$room")
    for f in $(find "$room" -name '*.c' -o -name '*.h' -o -name '*.cc' | sort); do
        dir=$(dirname "$f")
        for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
            checked=$((checked + 1))
            hit=""
            for d in "$dir" core shim indexer searcher web; do
                if [ -f "$d/$inc" ]; then hit="$d/$inc"; break; fi
            done
            if [ -z "$hit" ]; then
                echo "t02: FAIL: $f includes \"$inc\", found in no source folder" >&2
                fail=1
                continue
            fi
            # The top folder of the resolved path ("indexer/../core/x.h" -> core).
            top=$(cd "$(dirname "$hit")" && pwd -P)
            top=${top#"$(pwd -P)/"}
            top=${top%%/*}
            case " $ok " in
            *" $top "*) ;;
            *) echo "t02: FAIL: $f includes \"$inc\" from $top/ ($room/ may include from: $ok)" >&2
               fail=1 ;;
            esac
        done
    done
done
if [ "$checked" -lt 20 ]; then
    echo "t02: FAIL: only $checked includes checked: is CTI_SRC the source tree?" >&2
    fail=1
fi
[ $fail -eq 0 ] && echo "t02: $checked includes checked"
exit $fail
