#!/usr/bin/env bash
# The Countersign GitHub Action's one step (action.yml): the inputs as the countersign client commands take them.
# The client does the work — the job's OIDC token, the request and the wait, the exit status — and this script
# turns its answer into what a workflow reads: step outputs, error annotations with the reasons, a job summary.
set -uo pipefail

fail() { echo "::error title=Countersign::$1"; exit 1; }

[ -n "${INPUT_SERVER:-}" ] || fail "the server input is required"
export COUNTERSIGN_SERVER="$INPUT_SERVER"
if [ -n "${INPUT_TOKEN:-}" ]; then
    echo "::add-mask::$INPUT_TOKEN"
    export COUNTERSIGN_TOKEN="$INPUT_TOKEN"
else
    unset COUNTERSIGN_TOKEN
    export COUNTERSIGN_AUDIENCE="${INPUT_AUDIENCE:-$INPUT_SERVER}"
fi
cli="${INPUT_COUNTERSIGN:-countersign}"
command -v "$cli" >/dev/null || fail "$cli is not installed on this runner (see docs/integrations.md)"

case "${INPUT_COMMAND:-}" in
request)
    [ -n "${INPUT_REQUEST:-}" ] || fail "command request needs the request input (a request file)"
    out=$("$cli" request create "$INPUT_REQUEST" --wait "${INPUT_WAIT:-600}" 2>&1)
    status=$?
    echo "$out"
    # The first line is "VERDICT: request ID (tier T)"; every further line a control that is not satisfied.
    first=$(printf '%s\n' "$out" | head -n 1)
    if [[ "$first" =~ ^(ALLOWED|PENDING|DENIED):\ request\ ([^ ]+) ]]; then
        verdict=$(printf '%s' "${BASH_REMATCH[1]}" | tr '[:upper:]' '[:lower:]')
        {
            echo "request-id=${BASH_REMATCH[2]}"
            echo "verdict=$verdict"
        } >>"${GITHUB_OUTPUT:-/dev/null}"
        {
            echo "### Countersign: $verdict"
            echo
            printf '%s\n' "$out" | tail -n +2 | sed 's/^ */- /'
        } >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
    fi
    if [ "$status" -ne 0 ]; then
        printf '%s\n' "$out" | tail -n +2 | sed 's/^ *//' | while IFS= read -r reason; do
            [ -n "$reason" ] && echo "::error title=Countersign::$reason"
        done
        case "$status" in
        2) fail "still pending after ${INPUT_WAIT:-600} s: $first" ;;
        3) fail "denied: $first" ;;
        *) fail "$(printf '%s\n' "$out" | tail -n 1)" ;;
        esac
    fi
    ;;
check)
    details="${INPUT_DETAILS:-${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}}"
    "$cli" check report --digest "${INPUT_DIGEST:-}" --name "${INPUT_NAME:-}" --status "${INPUT_STATUS:-}" \
        --details "$details" || fail "the check could not be reported"
    ;;
build)
    verify=()
    [ "${INPUT_VERIFY:-false}" = "true" ] && verify=(--verify)
    "$cli" build register "${INPUT_REFERENCE:-}" --commit "${GITHUB_SHA:-}" --repository "${GITHUB_REPOSITORY:-}" \
        "${verify[@]}" || fail "the build could not be registered (or its verification was rejected)"
    ;;
*)
    fail "command must be request, check or build, got '${INPUT_COMMAND:-}'"
    ;;
esac
