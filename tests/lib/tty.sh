# tty.sh - run a command on a terminal of a given size and show the screen
# (sourced by the end-to-end tests of what cti-search draws on a terminal).
#
# cti_tty COLUMNS ROWS COMMAND: run the shell command COMMAND in a tmux
# pane COLUMNS x ROWS (its own tmux server, so no other session is
# touched), wait for it to end, and print the pane as plain text, one
# screen line a line.  Returns 1 when tmux cannot run or the command
# does not end within 60 s.
cti_tty() {
    tty_w=$1
    tty_h=$2
    shift 2
    cti_tty_n=$((${cti_tty_n:-0} + 1))
    tty_sock="cti-tty-$$-$cti_tty_n"
    tmux -L "$tty_sock" -f /dev/null new-session -d -s cti -x "$tty_w" -y "$tty_h" \
        "$*; tmux -L $tty_sock wait-for -S cti-done; sleep 60" || return 1
    if ! timeout 60 tmux -L "$tty_sock" wait-for cti-done; then
        tmux -L "$tty_sock" kill-server 2>/dev/null
        return 1
    fi
    tmux -L "$tty_sock" capture-pane -p -t cti
    tmux -L "$tty_sock" kill-server 2>/dev/null
    return 0
}
