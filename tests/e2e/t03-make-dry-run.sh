#!/bin/sh
# Reading the Makefile changes nothing: make -n (for every documented
# goal) neither installs packages nor builds, while a real build runs the
# dependency check first.  dpkg-query, apt-get and id are replaced by
# stand-ins that log their calls and report every package missing (as
# root), so the check would install if it ran.
set -eu
SRC=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
for tool in dpkg-query apt-get; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/log"\nexit 0\n' "$tool" "$tmp" > "$tmp/bin/$tool"
done
printf '#!/bin/sh\necho 0\n' > "$tmp/bin/id"
chmod +x "$tmp/bin/"*
unset MAKEFLAGS MAKELEVEL MFLAGS
fail=0

for goal in all demo test test-long valgrind bench fuzz install; do
    if ! PATH="$tmp/bin:$PATH" make -s -n -C "$SRC" O="$tmp/build" $goal >"$tmp/out" 2>&1; then
        echo "t03: FAIL: make -n $goal failed:" >&2
        cat "$tmp/out" >&2
        fail=1
    fi
done
echo "t03: make -n runs nothing"
if [ -s "$tmp/log" ]; then
    echo "t03: FAIL: make -n ran the package tools:" >&2
    cat "$tmp/log" >&2
    fail=1
fi
if [ -e "$tmp/build" ]; then
    echo "t03: FAIL: make -n created $tmp/build" >&2
    fail=1
fi

echo "t03: make deps runs the check (and would install)"
PATH="$tmp/bin:$PATH" make -s -C "$SRC" O="$tmp/build" deps >/dev/null 2>&1 || true
if ! grep -q '^apt-get install' "$tmp/log" 2>/dev/null; then
    echo "t03: FAIL: make deps did not run scripts/deps.sh" >&2
    fail=1
fi
exit $fail
