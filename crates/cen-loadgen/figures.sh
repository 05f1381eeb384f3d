#!/usr/bin/env bash
# Takes the figures of BENCHMARKS.md: one fresh emulator per run (release build, --delay-ms 0,
# default RUST_LOG=info with the access log going to a file), the load generator on the same
# machine, and the load average printed before and after each run.
#
#   cargo build --release -p cen-emulator -p cen-loadgen
#   bash crates/cen-loadgen/figures.sh [case ...]     # no case: all of them
#
# TARGET_DIR (default: $CARGO_TARGET_DIR, else ./target) says where the release binaries are.
set -euo pipefail

target=${TARGET_DIR:-${CARGO_TARGET_DIR:-target}}
emulator_bin=$target/release/cen-emulator
loadgen_bin=$target/release/cen-loadgen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# start NAME [--data]: a fresh emulator; its port in $port, its pid in $pid.
start() {
    local name=$1 data=()
    [[ ${2:-} == --data ]] && data=(--data "$work/$name.sqlite")
    "$emulator_bin" --listen 127.0.0.1:0 --delay-ms 0 "${data[@]}" >"$work/$name.out" 2>"$work/$name.log" &
    pid=$!
    for _ in $(seq 100); do
        [[ -s $work/$name.out ]] && break
        sleep 0.05
    done
    port=$(head -1 "$work/$name.out" | sed 's/.*://')
    echo "== $name"
}

# Busy CPU time of the whole machine, in clock ticks (USER_HZ).
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# CPU time of one process, in clock ticks.
process_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# Waits (up to QUIET_WAIT seconds, default 180) until the machine is quiet: at most 20% of
# the two cores busy over two seconds. Says how busy it was when it gave up.
wait_quiet() {
    local waited=0 b0 b1 hz busy
    hz=$(getconf CLK_TCK)
    while :; do
        b0=$(busy_ticks)
        sleep 2
        b1=$(busy_ticks)
        busy=$(((b1 - b0) * 100 / (2 * hz)))
        ((busy <= 20)) && return
        waited=$((waited + 2))
        if ((waited >= ${QUIET_WAIT:-180})); then
            echo "   (the machine did not get quiet: ${busy}% of 2 cores busy before this run)"
            return
        fi
    done
}

# measure LOADGEN ARGS...: one run of the load generator against the emulator started last.
# Besides the load average it prints how much of the two cores other processes (the other
# engineers' builds) used during the run: the machine's busy time minus the emulator's and the
# load generator's.
measure() {
    local hz busy0 emu0 busy1 emu1 start_ns end_ns lg
    hz=$(getconf CLK_TCK)
    [[ -n ${busy_on_purpose:-} ]] || wait_quiet
    echo "   $(uptime | sed 's/.*load average/load average/') (before)"
    echo "   cen-loadgen --endpoint http://127.0.0.1:PORT $*"
    busy0=$(busy_ticks)
    emu0=$(process_ticks "$pid")
    start_ns=$(date +%s%N)
    TIMEFORMAT='%U %S'
    lg=$( { time "$loadgen_bin" --endpoint "http://127.0.0.1:$port" "$@" >"$work/loadgen.out" 2>&1; } 2>&1 )
    end_ns=$(date +%s%N)
    busy1=$(busy_ticks)
    emu1=$(process_ticks "$pid")
    sed 's/^/   /' "$work/loadgen.out"
    awk -v b="$((busy1 - busy0))" -v e="$((emu1 - emu0))" -v lg="$lg" -v hz="$hz" \
        -v wall="$(((end_ns - start_ns) / 1000000))" 'BEGIN {
            split(lg, t, " "); l = (t[1] + t[2]) * hz; w = wall / 1000 * hz
            o = 100 * (b - e - l) / w; if (o < 0) o = 0
            printf "   CPU over %.1f s (2 cores = 200%%): emulator %.0f%%, cen-loadgen %.0f%%, other processes about %.0f%%\n",
                wall / 1000, 100 * e / w, 100 * l / w, o
        }'
    echo "   $(uptime | sed 's/.*load average/load average/') (after); emulator RSS $(ps -o rss= -p "$pid") KiB"
}

stop() {
    kill "$pid"
    wait "$pid" || true
}

# A list with N resources of the caller: seeded first (untimed), then as fast as 50 tasks can
# (closed loop), then (unless the rate is -) at a fixed 5000 requests per second from 50 tasks.
list_case() {
    local name=$1 seed_option=$2 n=$3 operation=$4 requests=${5:-20000} rate=${6:-5000}
    start "$name"
    echo "   cen-loadgen --endpoint http://127.0.0.1:PORT $seed_option $n --requests 0 --concurrency 16"
    "$loadgen_bin" --endpoint "http://127.0.0.1:$port" "$seed_option" "$n" --requests 0 --concurrency 16 2>&1 |
        grep seeded | sed 's/^/   /'
    measure --operation "$operation" --concurrency 50 --requests "$requests"
    if [[ $rate != - ]]; then
        measure --operation "$operation" --concurrency 50 --rate "$rate" --requests "$requests"
    fi
    stop
}

case_describe_cens_100() { list_case describe_cens_100 --seed 100 describe-cens; }
case_describe_cens_100k() { list_case describe_cens_100k --seed 100000 describe-cens; }
case_describe_cens_by_id_100() { list_case describe_cens_by_id_100 --seed 100 describe-cens-by-id; }
case_describe_cens_by_id_100k() { list_case describe_cens_by_id_100k --seed 100000 describe-cens-by-id 2000 -; }
case_routers_cen_100() { list_case routers_cen_100 --seed-routers 100 list-transit-routers; }
case_routers_cen_100k() { list_case routers_cen_100k --seed-routers 100000 list-transit-routers; }
case_routers_region_100() { list_case routers_region_100 --seed-routers 100 list-transit-routers-by-region; }
case_routers_region_100k() { list_case routers_region_100k --seed-routers 100000 list-transit-routers-by-region 2000 -; }
case_route_entries() {
    start route_entries
    measure --operation create-transit-router-route-entry --concurrency 16 --requests 2000
    stop
    start route_entries_20k
    measure --operation create-transit-router-route-entry --concurrency 16 --requests 20000
    stop
}
case_route_entries_sqlite() {
    start route_entries_sqlite --data
    measure --operation create-transit-router-route-entry --concurrency 16 --requests 2000
    stop
}
case_create_cen() {
    start create_cen
    measure --operation create-cen --concurrency 16 --requests 20000
    stop
}
case_create_cen_sqlite() {
    start create_cen_sqlite --data
    measure --operation create-cen --concurrency 16 --requests 2000
    stop
}
# Reads while durable writes go on: DescribeCens at 2000/s alone, then while another load
# generator sends CreateCen at 500/s to the same SQLite-backed emulator (fsync per write).
case_reads_during_writes() {
    local writer
    start reads_during_writes --data
    measure --operation describe-cens --concurrency 50 --rate 2000 --requests 8000
    "$loadgen_bin" --endpoint "http://127.0.0.1:$port" --operation create-cen --concurrency 8 \
        --rate 500 --requests 1000000 >"$work/writer.out" 2>&1 &
    writer=$!
    echo "   (cen-loadgen --endpoint http://127.0.0.1:PORT --operation create-cen --concurrency 8 --rate 500 --requests 1000000, in the background)"
    sleep 1
    busy_on_purpose=1 measure --operation describe-cens --concurrency 50 --rate 2000 --requests 8000
    kill "$writer"
    wait "$writer" || true
    stop
}

cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then
    cases=(describe_cens_100 describe_cens_100k describe_cens_by_id_100
        describe_cens_by_id_100k routers_cen_100 routers_cen_100k
        routers_region_100 routers_region_100k route_entries route_entries_sqlite
        create_cen create_cen_sqlite reads_during_writes)
fi
for c in "${cases[@]}"; do
    "case_$c"
done
