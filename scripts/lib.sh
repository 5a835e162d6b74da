# Shared by the scripts that start a service for the tests or the benchmarks (source it; bash only).

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_url URL PID LOG [TRIES]: until URL answers 2xx, failing (with LOG) if PID dies or it never does.
wait_for_url() {
    local url=$1 pid=$2 log=$3 tries=${4:-100}
    for _ in $(seq 1 "$tries"); do
        python3 -c "import urllib.request; urllib.request.urlopen('$url', timeout=1)" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.1
    done
    echo "$url did not answer" >&2
    cat "$log" >&2
    return 1
}

# start_countersign BIN DATABASE LOG: `countersign serve` on a free port with the example policy; sets
# `server_pid` and `server_port`.
start_countersign() {
    local bin=$1 db=$2 log=$3
    server_port=$(free_port)
    "$bin" serve --database "$db" --policy examples/policy --port "$server_port" >"$log" 2>&1 &
    server_pid=$!
    wait_for_url "http://127.0.0.1:$server_port/health" "$server_pid" "$log" 200
}
