#!/usr/bin/env bash
# `scripts/image-check.sh [--binary PATH | --release]`: CI's check of Countersign's container image — Countersign
# gates its own image. Runs inside `scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY` (starts it when the variable
# is unset), as root (CI is):
#
#  1. builds the image with scripts/build-image.sh, twice, and requires the same digest both times;
#  2. pushes it with skopeo to the local docker-registry, and requires the digest the registry answers to be the
#     layout's;
#  3. reads it back from the registry (`skopeo inspect --config`, `--raw`, and `skopeo copy` into a layout) and
#     asserts the entrypoint, user 65532, working directory, the version and revision labels equal to what the
#     binary's `version --output json` prints, no shell in any layer, the CA bundle and the zoneinfo tree, the
#     resource bundle and the policy (scripts/image-check.py inspect);
#  4. extracts the layers into a root file system and runs the binary from the image's files alone: chrooted, as
#     65532:65532, in the working directory and environment the configuration names, as PID 1 of its own PID
#     namespace with /proc mounted (`--version`, `version --output json`), then `serve` with the image's own
#     default arguments on a loopback port: /livez, /readyz and /openapi.yaml (the resource bundle) must answer and
#     the ledger must be written in /var/lib/countersign; SIGTERM must stop it with status 0. Without root the
#     binary runs through the image's own dynamic loader and libraries (`ld.so --library-path`), and the check
#     fails after that, since serving from the image needs a chroot: it never passes on less;
#  5. signs the pushed digest with a test key in cosign's format (scripts/registry-fixture.py's functions, openssl
#     as the signer), writes an ArtifactPolicy naming the public key, and runs `countersign artifact verify`
#     (exit 0), with the image's own binary in the chroot as well; then three images it must reject (exit 3, with
#     the reason): one signed with another key, one whose signature was copied from the verified repository
#     (`matchDockerReference`), and one not signed at all.
#
# Which binary: .build/debug/countersign by default, the one `.ci/run` has just built with `swift build`. A release
# build from a clean clone takes about 23 minutes on CI's two cores (measured: docs/operations.md "Install"), more
# than the whole CI budget can spare, so CI packages the debug build (unstamped: its revision label says `unknown`,
# as the binary does) and this script checks the image machinery, not the optimiser. --release builds the release
# image (stamped, static standard library) instead; --binary PATH packages any build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${COUNTERSIGN_TEST_REGISTRY:-}" ]; then
    exec scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY scripts/image-check.sh "$@"
fi
source scripts/lib.sh
binary=.build/debug/countersign release=
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=${2:?}; shift 2 ;;
        --release) release=1; shift ;;
        *) echo "image-check.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
registry=$COUNTERSIGN_TEST_REGISTRY
python=${COUNTERSIGN_TEST_PYTHON:-$PWD/.build/supply-chain-venv/bin/python}
"$python" -c 'import securesystemslib, in_toto_attestation' 2>/dev/null ||
    { echo "image-check.sh: $python lacks the fixture's packages: run scripts/python-deps.sh" >&2; exit 1; }
for tool in skopeo openssl curl tar; do
    command -v $tool >/dev/null || { echo "image-check.sh: $tool is not installed (scripts/system-deps.sh)" >&2; exit 1; }
done
[ -n "$release" ] || [ -x "$binary" ] || { echo "image-check.sh: $binary is not built (swift build)" >&2; exit 1; }

work=$(mktemp -d /tmp/countersign-image.XXXXXX)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    # The chroot's /proc lived in its own mount namespace, gone with it; never remove through a mount.
    if mountpoint -q "$work/rootfs/proc" 2>/dev/null; then umount "$work/rootfs/proc"; fi
    rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s.%N)
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }
passed=()
pass() { passed+=("$1"); echo "PASS $1"; }

# 1. Build, twice: the same inputs must give the same digest.
t=$(date +%s.%N)
if [ -n "$release" ]; then
    build=(scripts/build-image.sh --scratch-path .build-release)
    binary=$(PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product countersign --static-swift-stdlib \
        --scratch-path .build-release --show-bin-path)/countersign
else
    build=(scripts/build-image.sh --binary "$binary")
fi
digest=$("${build[@]}" --output "$work/oci")
build_time=$(elapsed "$t")
tag=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])' "$work/oci/index.json")
if [ -n "$release" ]; then
    again=$(scripts/oci-image.py --binary "$binary" --output "$work/oci-again" --policy examples/policy 2>/dev/null)
else
    again=$("${build[@]}" --output "$work/oci-again" 2>/dev/null)
fi
[ "$digest" = "$again" ] || { echo "FAIL two builds of the same binary: $digest and $again" >&2; exit 1; }
cmp -s "$work/oci/index.json" "$work/oci-again/index.json" || { echo "FAIL index.json differs between builds" >&2; exit 1; }
rm -rf "$work/oci-again"
pass "build: $digest, the same twice (${build_time}s)"

# 2. Push.
t=$(date +%s.%N)
skopeo copy --quiet --dest-tls-verify=false --digestfile "$work/pushed" \
    "oci:$work/oci:$tag" "docker://$registry/countersign:$tag"
push_time=$(elapsed "$t")
[ "$(cat "$work/pushed")" = "$digest" ] ||
    { echo "FAIL the registry has $(cat "$work/pushed"), the layout $digest" >&2; exit 1; }
image="$registry/countersign@$digest"
pass "push: $registry/countersign:$tag is $digest (${push_time}s)"

# 3. Read it back from the registry and inspect it.
skopeo inspect --tls-verify=false --config "docker://$image" >"$work/config.json"
skopeo inspect --tls-verify=false --raw "docker://$image" >"$work/manifest.json"
skopeo copy --quiet --src-tls-verify=false "docker://$image" "oci:$work/pulled:$tag"
reported=$("$binary" version --output json)
python3 scripts/image-check.py inspect --config "$work/config.json" --manifest "$work/manifest.json" \
    --layout "$work/pulled" --version-json "$reported"
pass "inspect: user 65532:65532, entrypoint /usr/local/bin/countersign, labels as the binary says ($reported), no shell, CA bundle, zoneinfo"

# 4. The binary from the image's own files alone.
rootfs=$work/rootfs
mkdir "$rootfs"
for layer in $(python3 scripts/image-check.py layers --layout "$work/pulled" --manifest "$work/manifest.json"); do
    tar --numeric-owner -xzf "$layer" -C "$rootfs"
done
mkdir -p "$rootfs/proc"
in_image() {
    unshare --mount --pid --fork --mount-proc="$rootfs/proc" \
        python3 scripts/image-check.py run "$rootfs" --config "$work/config.json" "$@"
}
expected_version=$("$binary" --version)
if [ "$(id -u)" != 0 ]; then
    got=$(python3 scripts/image-check.py loader "$rootfs" -- --version)
    [ "$got" = "$expected_version" ] || { echo "FAIL the image's binary says '$got'" >&2; exit 1; }
    echo "FAIL not root: the binary ran through the image's loader ($got), but serving from the image needs a chroot; run as root, as CI does" >&2
    exit 1
fi
got=$(in_image -- --version)
[ "$got" = "$expected_version" ] || { echo "FAIL the image's binary says '$got', not '$expected_version'" >&2; exit 1; }
got=$(in_image -- version --output json)
[ "$got" = "$reported" ] || { echo "FAIL the image's version --output json is '$got'" >&2; exit 1; }
pass "run: chroot, user 65532, PID 1: $got"

port=$(free_port)
t=$(date +%s.%N)
in_image --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!
wait_for_url "http://127.0.0.1:$port/livez" "$server" "$work/serve.log" 300
serve_time=$(elapsed "$t")
livez=$(curl -fsS "http://127.0.0.1:$port/livez")
readyz=$(curl -fsS "http://127.0.0.1:$port/readyz")
curl -fsS "http://127.0.0.1:$port/openapi.yaml" | grep -q '^openapi:' ||
    { echo "FAIL /openapi.yaml: the resource bundle is not found in the image" >&2; exit 1; }
[ "$(stat -c %u:%g "$rootfs/var/lib/countersign/countersign.db")" = 65532:65532 ] ||
    { echo "FAIL the ledger is not /var/lib/countersign/countersign.db owned by 65532" >&2; ls -la "$rootfs/var/lib/countersign" >&2; exit 1; }
child=$(pgrep -P "$server")
kill -TERM "$child"
status=0
wait "$server" || status=$?
server=
[ "$status" = 0 ] || { echo "FAIL serve exited $status after SIGTERM" >&2; cat "$work/serve.log" >&2; exit 1; }
pass "serve: up in ${serve_time}s with the image's policy; /livez $livez; /readyz $readyz; /openapi.yaml; ledger in /var/lib/countersign; SIGTERM exits 0"

# 5. Sign, verify, reject.
policy=$work/policy
"$python" scripts/image-check.py keypair "$policy/keys" release
"$python" scripts/image-check.py keypair "$policy/keys" mallory
cat >"$policy/image.yaml" <<YAML
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: { name: countersign-image }
spec:
  images: ["$registry/countersign", "$registry/countersign-*"]
  signatures: { keys: [keys/release.pub], matchDockerReference: true }
YAML
"$python" scripts/image-check.py sign --registry "$registry" --repo countersign --digest "$digest" \
    --key "$policy/keys/release.key"
t=$(date +%s.%N)
"$binary" artifact verify "$image" --policy "$policy/image.yaml" | tee "$work/verify.txt"
verify_time=$(elapsed "$t")
pass "verify: $image signed by release.pub (${verify_time}s)"
mkdir -p "$rootfs/tmp/policy/keys"
cp "$policy/image.yaml" "$rootfs/tmp/policy/"
cp "$policy/keys/release.pub" "$rootfs/tmp/policy/keys/"
in_image -- artifact verify "$image" --policy /tmp/policy/image.yaml >"$work/self-verify.txt"
pass "self-verify: the image's own binary, chrooted, verifies its own digest"

reject() {
    local name=$1 reason=$2 status=0
    skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
        "docker://$image" "docker://$registry/countersign-$name:$tag"
    "$binary" artifact verify "$registry/countersign-$name@$digest" --policy "$policy/image.yaml" \
        >"$work/$name.txt" 2>&1 || status=$?
    cat "$work/$name.txt"
    [ "$status" = 3 ] || { echo "FAIL countersign-$name: exit $status, expected 3 (rejected)" >&2; exit 1; }
    grep -qF -- "$reason" "$work/$name.txt" ||
        { echo "FAIL countersign-$name: rejected, but not for '$reason'" >&2; exit 1; }
    pass "reject $name: exit 3, '$reason'"
}
# The signatures go in first (a .sig manifest stands alone); reject copies the image beside them.
"$python" scripts/image-check.py sign --registry "$registry" --repo countersign-wrongkey --digest "$digest" \
    --key "$policy/keys/mallory.key"
reject wrongkey "is not by a key in the trusted set (release.pub)"
"$python" scripts/image-check.py sign --registry "$registry" --repo countersign-copied --digest "$digest" \
    --key "$policy/keys/release.key" --reference "$registry/countersign"
reject copied "names docker-reference '$registry/countersign', not $registry/countersign-copied"
reject unsigned "no cosign signature found for $digest"

echo
echo "image-check: ${#passed[@]} passed, 0 failed in $(elapsed "$started")s — $image"
for line in "${passed[@]}"; do echo "  $line"; done
