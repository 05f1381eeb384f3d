#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml at the repository root), one subcommand each, taking
# the action's inputs from CEN_ACTION_* environment variables (never from `${{ }}` in a script):
#
#   gate.sh prepare   the report paths (CEN_ACTION_JUNIT, CEN_ACTION_SUMMARY, or fresh files under
#                     RUNNER_TEMP), written to GITHUB_OUTPUT as `junit` and `summary`
#   gate.sh install   `cargo install --locked --path` of cen-conformance, and of cen-emulator when
#                     no endpoint is named, from this checkout into CEN_ACTION_TOOLS (skipped for
#                     a binary that CEN_CONFORMANCE_BIN / CEN_EMULATOR_BIN already names)
#   gate.sh run       the suite: against CEN_ACTION_ENDPOINT, or, when it is empty, against the
#                     emulator binary on loopback (conformance/run-against-emulator.sh); exits
#                     with the suite's status (1 when a case failed)
#   gate.sh publish   appends the Markdown summary to GITHUB_STEP_SUMMARY
#
# Credentials come from the environment only (ALIBABA_CLOUD_ACCESS_KEY_ID, ..._SECRET,
# CEN_CONFORMANCE_SECONDARY_*, CEN_CONFORMANCE_DISABLED_*), which cen-conformance reads itself:
# nothing here prints them or puts them on a command line.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# A path relative to the caller's working directory (the workspace), made absolute: the emulator
# script changes directory.
absolute() {
    case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

tools="${CEN_ACTION_TOOLS:-${RUNNER_TEMP:-/tmp}/cen-conformance-tools}"
conformance_bin="${CEN_CONFORMANCE_BIN:-$tools/bin/cen-conformance}"
emulator_bin="${CEN_EMULATOR_BIN:-$tools/bin/cen-emulator}"
endpoint="${CEN_ACTION_ENDPOINT:-}"

prepare() {
    local dir junit summary
    dir="$(mktemp -d "${RUNNER_TEMP:-/tmp}/cen-conformance.XXXXXX")"
    junit="$(absolute "${CEN_ACTION_JUNIT:-$dir/junit.xml}")"
    summary="$(absolute "${CEN_ACTION_SUMMARY:-$dir/summary.md}")"
    mkdir -p "$(dirname "$junit")" "$(dirname "$summary")"
    # The run appends to the summary file; a file left from an earlier run must not show here.
    rm -f "$summary"
    printf 'junit=%s\nsummary=%s\n' "$junit" "$summary" >>"${GITHUB_OUTPUT:-/dev/stdout}"
}

install() {
    if [[ -z "${CEN_CONFORMANCE_BIN:-}" ]]; then
        cargo install --locked --path "$here/conformance" --root "$tools"
    fi
    if [[ -z "$endpoint" && -z "${CEN_EMULATOR_BIN:-}" ]]; then
        cargo install --locked --path "$here/crates/cen-emulator" --root "$tools"
    fi
}

run() {
    local args=(--summary "$CEN_ACTION_SUMMARY") var
    if [[ -n "${CEN_ACTION_FILTER:-}" ]]; then args+=(--filter "$CEN_ACTION_FILTER"); fi
    if [[ -n "${CEN_ACTION_FORMAT:-}" ]]; then args+=(--format "$CEN_ACTION_FORMAT"); fi
    if [[ -n "${CEN_ACTION_CASES:-}" ]]; then args+=(--cases "$(absolute "$CEN_ACTION_CASES")"); fi
    # One NAME=VALUE[,VALUE...] a line; blank lines and surrounding spaces are ignored.
    while IFS= read -r var; do
        var="${var#"${var%%[![:space:]]*}"}"
        var="${var%"${var##*[![:space:]]}"}"
        if [[ -n "$var" ]]; then args+=(--var "$var"); fi
    done <<<"${CEN_ACTION_VARS:-}"
    if [[ -z "$endpoint" ]]; then
        # The emulator's default accounts: keys of a real account in the job's environment must
        # not replace them. Against the emulator every case runs, writes and billing included.
        unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN \
            CEN_CONFORMANCE_SECONDARY_ACCESS_KEY_ID CEN_CONFORMANCE_SECONDARY_ACCESS_KEY_SECRET \
            CEN_CONFORMANCE_DISABLED_ACCESS_KEY_ID CEN_CONFORMANCE_DISABLED_ACCESS_KEY_SECRET
        CEN_EMULATOR_BIN="$emulator_bin" CEN_CONFORMANCE_BIN="$conformance_bin" \
            CEN_CONFORMANCE_JUNIT="$CEN_ACTION_JUNIT" \
            CEN_CONFORMANCE_CONCURRENCY="${CEN_ACTION_CONCURRENCY:-}" \
            exec bash "$here/conformance/run-against-emulator.sh" "${args[@]}"
    fi
    args+=(--junit "$CEN_ACTION_JUNIT")
    if [[ -n "${CEN_ACTION_CONCURRENCY:-}" ]]; then args+=(--concurrency "$CEN_ACTION_CONCURRENCY"); fi
    if [[ "${CEN_ACTION_ALLOW_WRITES:-false}" == true ]]; then args+=(--allow-writes); fi
    if [[ "${CEN_ACTION_ALLOW_BILLING:-false}" == true ]]; then args+=(--allow-billing); fi
    exec "$conformance_bin" run --endpoint "$endpoint" "${args[@]}"
}

publish() {
    if [[ -s "$CEN_ACTION_SUMMARY" ]]; then
        cat "$CEN_ACTION_SUMMARY" >>"$GITHUB_STEP_SUMMARY"
    else
        printf '## cen-conformance\n\nThe suite did not run to its end (a setup error); the log of the run step says why.\n' \
            >>"$GITHUB_STEP_SUMMARY"
    fi
}

case "${1:-}" in
prepare | install | run | publish) "$1" ;;
*)
    echo "usage: $0 prepare|install|run|publish" >&2
    exit 2
    ;;
esac
