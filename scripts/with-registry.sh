#!/usr/bin/env bash
# `scripts/with-registry.sh VAR COMMAND...`: starts a real OCI registry (Debian's docker-registry, distribution 2.8)
# on a free 127.0.0.1 port with filesystem storage in a temporary directory, exports its address as VAR
# (`127.0.0.1:PORT`), runs COMMAND, and stops the registry whatever the outcome. Installs the package (as root)
# when it is missing. The registry has no referrers API, so clients exercise the `sha256-<hex>` tag fallback.
set -euo pipefail
var=${1:?usage: with-registry.sh VAR COMMAND...}
shift
cd "$(dirname "$0")/.."
source scripts/lib.sh
if ! command -v docker-registry >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >/dev/null ||
            { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >/dev/null; }
    fi
    command -v docker-registry >/dev/null || { echo "with-registry.sh: docker-registry is not installed" >&2; exit 1; }
fi
dir=$(mktemp -d /tmp/countersign-registry.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
port=$(free_port)
cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: warn, fields: {service: registry}}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
  cache: {blobdescriptor: inmemory}
http:
  addr: 127.0.0.1:$port
  headers: {X-Content-Type-Options: [nosniff]}
YAML
docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
pid=$!
wait_for_url "http://127.0.0.1:$port/v2/" "$pid" "$dir/registry.log"
export "$var=127.0.0.1:$port"
"$@"
