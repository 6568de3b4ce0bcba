#!/usr/bin/env bash
# Benchmark (not a test): the viewer's responsiveness with N extra processes on the host.
# Measures, driving the real binary in tmux:
#   - first frame: from starting nsviz to the first frame on screen, and to the first frame
#     showing the scanned host (its status line counts processes);
#   - key answer: from sending a key (j, move down) to the changed frame, median of 30;
#   - idle CPU: utime+stime of the nsviz process over 20 s of live mode at the default 1 s
#     interval (or over 3 scan periods when the CPU budget stretched the interval), as a
#     share of one core; the status line's pace note (rescan N s, full N s) is printed too.
# Usage (root): tests/bench/tui.sh [N...]   (default: 1000 10000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
# NSVIZ=/path/to/nsviz measures another build (e.g. an older one, for before/after figures).
if [ -z "${NSVIZ:-}" ]; then
    cargo build --release --quiet
    NSVIZ=$PWD/target/release/nsviz
fi
SOCK=nsviz-bench-$$
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; stop_load' EXIT INT TERM

now() { date +%s%N; }
screen() { tmux -L "$SOCK" capture-pane -p 2>/dev/null || true; }

for n in ${@:-1000 10000}; do
    start_load "$n"
    procs=$(ls /proc | grep -c '^[0-9]')
    t0=$(now)
    tmux -L "$SOCK" new-session -d -x 200 -y 40 "$NSVIZ"
    first="" full=""
    while [ -z "$full" ]; do
        s=$(screen)
        [ -z "$first" ] && grep -q "Namespaces" <<<"$s" && first=$(( ($(now) - t0) / 1000000 ))
        grep -q " procs " <<<"$s" && full=$(( ($(now) - t0) / 1000000 ))
        [ $(( ($(now) - t0) / 1000000000 )) -lt 60 ] || { echo "no frame in 60 s" >&2; exit 1; }
    done
    sleep 2
    tmux -L "$SOCK" send-keys p   # pause live updates so only the key changes the screen
    sleep 1.5
    lat=()
    for i in $(seq 30); do
        before=$(screen)
        key=j; [ $((i % 2)) = 0 ] && key=k
        t=$(now)
        tmux -L "$SOCK" send-keys "$key"
        while [ "$(screen)" = "$before" ]; do
            [ $(( ($(now) - t) / 1000000 )) -lt 2000 ] || break
        done
        lat+=($(( ($(now) - t) / 1000000 )))
    done
    median=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 15p)
    max=$(printf '%s\n' "${lat[@]}" | sort -n | tail -1)
    tmux -L "$SOCK" send-keys p   # live again
    pid=$(pgrep -f -n "^$NSVIZ\$")
    ticks=$(getconf CLK_TCK)
    cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
    sleep 2
    # The window must hold several scans: when the CPU budget stretched the interval (the
    # status line says "rescan N s"), measure over 3 of those periods if that is longer.
    note=$(screen | grep -o 'rescan [0-9]* s, full [0-9]* s' || true)
    every=$(echo "$note" | grep -o '^rescan [0-9]*' | grep -o '[0-9]*' || true)
    window=20; [ -n "$every" ] && [ $((every * 3)) -gt $window ] && window=$((every * 3))
    c0=$(cpu); sleep "$window"; c1=$(cpu)
    idle=$(python3 -c "print(f'{($c1-$c0)/$ticks/$window*100:.1f}')")
    tmux -L "$SOCK" kill-server
    echo "N=$n processes_on_host=$procs"
    echo "  first frame            ${first} ms"
    echo "  first frame with host  ${full} ms"
    echo "  key answered           median ${median} ms, max ${max} ms (30 keys, includes tmux capture ~ms)"
    echo "  idle CPU (1 s interval) ${idle}% of one core over ${window} s${note:+ ($note)}"
    stop_load
    sleep 1
done
