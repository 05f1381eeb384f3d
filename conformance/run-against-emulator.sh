#!/usr/bin/env bash
# Runs the conformance suite against a cen-emulator binary on loopback, the way CI does: builds
# both binaries (unless CEN_EMULATOR_BIN and CEN_CONFORMANCE_BIN name them), starts the emulator
# with --listen 127.0.0.1:0, reads its URL from the first line it prints, runs every case with
# --emulator-defaults (the emulator's default accounts, its disabled key and its inventory's
# endpoint variables), --allow-writes and --allow-billing, 16 cases at once, writes a JUnit report,
# and stops the emulator on exit. Exits with the suite's status (1 when a case failed).
#
#   conformance/run-against-emulator.sh [extra `cen-conformance run` options, e.g. --filter auth/]
#
# Environment: CEN_CONFORMANCE_JUNIT (default target/conformance-junit.xml),
# CEN_EMULATOR_BIN, CEN_CONFORMANCE_BIN, CEN_EMULATOR_DELAY_MS (default 200),
# CEN_CONFORMANCE_CONCURRENCY (default: the CLI's, 16 against an emulator).
set -euo pipefail
cd "$(dirname "$0")/.."

junit="${CEN_CONFORMANCE_JUNIT:-target/conformance-junit.xml}"
emulator_bin="${CEN_EMULATOR_BIN:-}"
conformance_bin="${CEN_CONFORMANCE_BIN:-}"
if [[ -z "$emulator_bin" || -z "$conformance_bin" ]]; then
    cargo build --locked -p cen-emulator -p cen-conformance --bins
    target_dir="${CARGO_TARGET_DIR:-target}"
    emulator_bin="${emulator_bin:-$target_dir/debug/cen-emulator}"
    conformance_bin="${conformance_bin:-$target_dir/debug/cen-conformance}"
fi

workdir="$(mktemp -d)"
emulator_pid=""
cleanup() {
    local status=$?
    if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$emulator_bin" --listen 127.0.0.1:0 --delay-ms "${CEN_EMULATOR_DELAY_MS:-200}" \
    >"$workdir/stdout" 2>"$workdir/stderr" &
emulator_pid=$!

# The first line on stdout is `listening on http://<address>`.
url=""
for _ in $(seq 1 300); do
    line="$(head -n 1 "$workdir/stdout" 2>/dev/null || true)"
    if [[ "$line" == "listening on "* ]]; then
        url="${line#listening on }"
        break
    fi
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [[ -z "$url" ]]; then
    echo "error: the emulator did not start; its stderr:" >&2
    cat "$workdir/stderr" >&2
    exit 2
fi
echo "cen-emulator on $url"

mkdir -p "$(dirname "$junit")"
"$conformance_bin" run \
    --endpoint "$url" \
    --emulator-defaults \
    --allow-writes \
    --poll-interval-ms 25 \
    ${CEN_CONFORMANCE_CONCURRENCY:+--concurrency "$CEN_CONFORMANCE_CONCURRENCY"} \
    --allow-billing \
    --junit "$junit" \
    "$@"
