#!/usr/bin/env bash
# A deploy stage for any CI — Jenkins, GitLab, Buildkite, Argo Workflows — gated by Countersign through its client:
# the build stage's identity registers the image and reports its tests; the deploy stage's identity asks for the
# decision, waits for it, and records the deploy and how it ended (DORA and incident correlation read these).
#
# Set: COUNTERSIGN_SERVER; COUNTERSIGN_BUILDER_TOKEN and COUNTERSIGN_DEPLOYER_TOKEN (two automation identities:
# the one that builds may not deploy); IMAGE (registry/repo@sha256:…), COMMIT (the full commit id), REPOSITORY
# (owner/name), REF, SERVICE, ENVIRONMENT, UNIT_STATUS (passed or failed), DEPLOY_ID (the CI's id for this
# deploy) and DEPLOY_COMMAND (how this CI deploys, run with the image in $IMAGE).
set -euo pipefail
digest="${IMAGE##*@}"

# The build stage, as the builder.
COUNTERSIGN_TOKEN="$COUNTERSIGN_BUILDER_TOKEN" countersign build register "$IMAGE" \
    --commit "$COMMIT" --repository "$REPOSITORY"
COUNTERSIGN_TOKEN="$COUNTERSIGN_BUILDER_TOKEN" countersign check report \
    --digest "$digest" --name unit --status "$UNIT_STATUS"

# The deploy stage, as the deployer: ask, and wait up to 15 minutes for the decision.
export COUNTERSIGN_TOKEN="$COUNTERSIGN_DEPLOYER_TOKEN"
request=$(mktemp)
trap 'rm -f "$request"' EXIT
cat >"$request" <<JSON
{"service": "$SERVICE", "environment": "$ENVIRONMENT", "artifact": "$IMAGE",
 "change": {"repository": "$REPOSITORY", "commit": "$COMMIT", "ref": "$REF", "kind": "code", "reversible": true}}
JSON
status=0
decision=$(countersign request create "$request" --wait "${WAIT:-900}") || status=$?
echo "$decision"
[ "$status" -eq 0 ] || exit "$status" # 2 pending, 3 denied, 1 error: the stage fails with the reasons above
id=$(printf '%s\n' "$decision" | head -n 1 | cut -d' ' -f3)

countersign deploy start --request "$id" --id "$DEPLOY_ID"
if bash -c "$DEPLOY_COMMAND"; then
    countersign deploy finish "$DEPLOY_ID" --outcome succeeded
else
    countersign deploy finish "$DEPLOY_ID" --outcome failed
    exit 1
fi
