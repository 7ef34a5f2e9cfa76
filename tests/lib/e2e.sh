# e2e.sh - the start every end-to-end test shares.  Set NAME (the test's
# number, as "t42") and source this from the top of the checkout:
#   BIN    the folder of the programs (CTI_BIN, else build), made absolute
#   T      a scratch folder, removed when the test exits (a test with more
#          to clean sets its own trap after this)
#   fail   0; 'bad MESSAGE' prints "NAME: FAIL: MESSAGE" and sets it to 1
BIN=${CTI_BIN:-build}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/cti-$NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fail=0

bad() {
    echo "$NAME: FAIL: $*" >&2
    fail=1
}
