#!/usr/bin/env bash
# Benchmark (not a test): `nsviz list --json` against `lsns -J --output-all`, and
# `nsviz snapshot` (every detail of every namespace) against `nsviz list --json`, on a host with
# N extra processes spread over N/10 namespace groups (each group: new uts, ipc and net
# namespaces, ten sleeping processes), plus 10 network namespaces held only by a bind mount
# (`ip netns add`), which lsns does not list. Needs root. Usage:
#   tests/bench/list_vs_lsns.sh [N...]        (default: 1000 10000)
# Uses hyperfine when installed (apt-get install hyperfine), else a date +%s%N loop.
# Everything it starts runs in one process group, killed on exit.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
cargo build --release --quiet
NSVIZ=$PWD/target/release/nsviz
RUNS=${RUNS:-10}

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
command -v lsns >/dev/null || { echo "lsns (util-linux) is needed" >&2; exit 1; }

NETNS=()
remove_netns() {
    for name in "${NETNS[@]}"; do ip netns del "$name" 2>/dev/null || true; done
    NETNS=()
}
trap 'stop_load; remove_netns' EXIT INT TERM
for i in $(seq 10); do
    NETNS+=("nsviz-bench-$$-$i")
    ip netns add "nsviz-bench-$$-$i"
done

time_one() { # label command...
    local label=$1; shift
    if command -v hyperfine >/dev/null; then
        hyperfine --warmup 2 --runs "$RUNS" --style basic --export-json "/tmp/bench-$label.json" \
            "$*" >/dev/null
        python3 -c "import json;r=json.load(open('/tmp/bench-$label.json'))['results'][0];print(f\"{r['mean']*1000:.1f} {r['stddev']*1000:.1f}\")"
    else
        local total=0 start end
        for _ in $(seq "$RUNS"); do
            start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
            total=$((total + end - start))
        done
        echo "$((total / RUNS / 1000000)).0 -"
    fi
}

for N in "${@:-1000 10000}"; do
    for n in $N; do
        start_load "$n"
        procs=$(ls /proc | grep -c '^[0-9]')
        found_nsviz=$("$NSVIZ" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["namespaces"]))')
        found_lsns=$(lsns -J --output-all | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["namespaces"]))')
        read -r ns_mean ns_sd < <(time_one nsviz "$NSVIZ" list --json)
        read -r ls_mean ls_sd < <(time_one lsns lsns -J --output-all)
        read -r sn_mean sn_sd < <(time_one snapshot "$NSVIZ" snapshot)
        ratio=$(python3 -c "print(f'{$ns_mean/$ls_mean:.2f}')")
        detail_ratio=$(python3 -c "print(f'{$sn_mean/$ns_mean:.2f}')")
        echo "N=$n processes_on_host=$procs namespaces: nsviz=$found_nsviz lsns=$found_lsns"
        echo "  nsviz list --json        ${ns_mean} ms (sd ${ns_sd})"
        echo "  lsns -J --output-all     ${ls_mean} ms (sd ${ls_sd})"
        echo "  ratio nsviz/lsns         ${ratio}"
        echo "  nsviz snapshot           ${sn_mean} ms (sd ${sn_sd})"
        echo "  ratio snapshot/list      ${detail_ratio}"
        stop_load
        sleep 1
    done
done
