#!/bin/sh
# The shim is the only C++ and the only user of Xapian headers, and it
# exports nothing but cti_* symbols.
set -eu
BIN=${CTI_BIN:-build}
fail=0

echo "t01: no Xapian header outside shim/"
if grep -rlE '#[[:space:]]*include[[:space:]]*[<"]xapian' core indexer searcher tests bench 2>/dev/null; then
    echo "t01: FAIL: the files above include Xapian headers" >&2
    fail=1
fi

echo "t01: no C++ outside shim/"
cxx=$(find core indexer searcher tests bench -name '*.cc' -o -name '*.cpp' -o -name '*.cxx' -o -name '*.hpp' 2>/dev/null)
if [ -n "$cxx" ]; then
    echo "t01: FAIL: C++ outside shim/: $cxx" >&2
    fail=1
fi

echo "t01: the shim exports only cti_* symbols"
obj="$BIN/shim/cti_xapian.o"
if [ ! -f "$obj" ]; then
    echo "t01: FAIL: $obj not built" >&2
    exit 1
fi
# Strong definitions only: weak and vague-linkage symbols (W, V, u) are
# inline code instantiated from the library's own headers.
bad=$(nm -g --defined-only "$obj" | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^cti_/ { print $3 }')
if [ -n "$bad" ]; then
    echo "t01: FAIL: the shim exports non-cti symbols:" >&2
    echo "$bad" >&2
    fail=1
fi
n=$(nm -g --defined-only "$obj" | awk '$2 == "T" && $3 ~ /^cti_/' | wc -l)
if [ "$n" -lt 50 ]; then
    echo "t01: FAIL: only $n cti_* functions exported" >&2
    fail=1
fi
exit $fail
