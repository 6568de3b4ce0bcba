# Shared by the benchmark scripts: start N sleeping processes spread over namespaces, in one
# process group that `stop_load` kills. Source it; needs root.

LOAD_PGID=""

# start_load N: N processes in N/10 groups, each group in new uts, ipc and net namespaces.
start_load() {
    local n=$1 groups=$(($1 / 10))
    local need=$(( $(ls /proc | grep -c '^[0-9]') + n + 100 ))
    [ "$need" -lt "$(cat /proc/sys/kernel/pid_max)" ] || echo $((need * 2)) > /proc/sys/kernel/pid_max
    ulimit -u unlimited 2>/dev/null || true
    setsid bash -c '
        for g in $(seq '"$groups"'); do
            unshare -u -i -n sh -c "i=0; while [ \$i -lt 9 ]; do sleep 100000 & i=\$((i+1)); done; exec sleep 100000" &
        done
        wait' </dev/null >/dev/null 2>&1 &
    LOAD_PGID=$!
    disown "$LOAD_PGID"
    for _ in $(seq 600); do
        [ "$(pgrep -c -g "$LOAD_PGID" sleep || true)" -ge "$n" ] && break
        sleep 0.1
    done
}

stop_load() {
    if [ -n "$LOAD_PGID" ]; then
        kill -KILL -- "-$LOAD_PGID" 2>/dev/null || true
        LOAD_PGID=""
    fi
}
