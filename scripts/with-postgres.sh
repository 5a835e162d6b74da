#!/usr/bin/env bash
# `scripts/with-postgres.sh VAR COMMAND...`: starts a scratch PostgreSQL (scripts/postgres.sh), exports its URL as
# VAR, runs COMMAND, and stops the server whatever the outcome.
set -euo pipefail
var=${1:?usage: with-postgres.sh VAR COMMAND...}
shift
cd "$(dirname "$0")/.."
pg=$(mktemp -d /tmp/countersign-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg"' EXIT
url=$(scripts/postgres.sh start "$pg")
export "$var=$url"
"$@"
