#!/usr/bin/env bash
# `scripts/image-check.sh [--binary PATH | --release]`: CI's check of Countersign's container image — Countersign
# gates its own image. Runs inside `scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY` (and starts one when the
# variable is unset), as root, as CI does:
#
#  1. builds the image with scripts/build-image.sh, twice, and requires the same digest both times;
#  2. pushes it with skopeo to the local docker-registry and requires the registry's digest to be the layout's;
#  3. reads it back from the registry (`skopeo inspect --config`, `--raw`, and `skopeo copy` into a layout) and
#     asserts the entrypoint, user 65532, working directory, the version and revision labels equal to what the
#     binary's `version --output json` prints, no shell in any layer, the CA bundle and the zoneinfo tree, the
#     resource bundle and the policy, no dangling link (scripts/image-check.py inspect);
#  4. extracts the layers into a root file system and runs the binary from the image's files alone: chrooted, as
#     65532:65532, in the working directory and environment the configuration names, as PID 1 of its own PID
#     namespace with /proc mounted (`--version`, `version --output json`); then `serve` with the image's own default
#     arguments, on a loopback port: /livez, /readyz and /openapi.yaml (the resource bundle) must answer, the ledger
#     must be written in /var/lib/countersign, and SIGTERM must stop it with status 0. Without root the binary runs
#     through the image's own dynamic loader and libraries (`ld.so --inhibit-cache --library-path`), and the check
#     then fails: serving from the image needs a chroot, and it never passes on less;
#  5. signs the pushed digest with a test key in cosign's format (scripts/registry-fixture.py's functions, openssl the
#     signer), writes an ArtifactPolicy naming the public key, and runs `countersign artifact verify` (exit 0), and
#     the image's own binary, chrooted, on its own digest; then three it must reject (exit 3, for the reason): the
#     image signed by another key, a signature copied from the verified repository (`matchDockerReference`), and no
#     signature at all.
#
# Which binary: .build/debug/countersign by default, the one `.ci/run` has just built with `swift build`. A release
# build from a clean clone took 12 minutes of wall clock (933 s of CPU) on CI's two cores, more than the 8 minutes CI
# can spare for it, so CI packages the debug build: unstamped, its revision label says `unknown`, as the binary does.
# The image's machinery is the same for both; what CI does not check is the release build itself. --release builds
# and checks the release image (stamped; .build-release), --binary PATH any build with its *.resources beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${COUNTERSIGN_TEST_REGISTRY:-}" ]; then
    exec scripts/with-registry.sh COUNTERSIGN_TEST_REGISTRY scripts/image-check.sh "$@"
fi
source scripts/lib.sh
fail() {
    echo "FAIL $*" >&2
    exit 1
}
binary=.build/debug/countersign release=''
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
    fail "$python lacks the fixture's packages: run scripts/python-deps.sh"
for tool in skopeo openssl curl tar strip unshare; do
    command -v $tool >/dev/null || fail "$tool is not installed (scripts/system-deps.sh)"
done

work=$(mktemp -d /tmp/countersign-image.XXXXXX)
server=''
cleanup() {
    if [ -n "$server" ]; then pkill -TERM -P "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    # The chroot's /proc lives in the namespace's own mount table and goes with it; never remove through a mount.
    if mountpoint -q "$work/rootfs/proc" 2>/dev/null; then umount "$work/rootfs/proc"; fi
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }
started=$(now)
passed=()
pass() {
    passed+=("$*")
    echo "PASS $*"
}

# 1. Build, twice: the same binary must give the same digest.
t=$(now)
if [ -n "$release" ]; then
    digest=$(scripts/build-image.sh --scratch-path .build-release --output "$work/oci")
    binary=$(PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product countersign \
        --scratch-path .build-release --show-bin-path)/countersign
else
    [ -x "$binary" ] || fail "$binary is not built (swift build)"
    digest=$(scripts/build-image.sh --binary "$binary" --output "$work/oci")
fi
build_time=$(since "$t")
again=$(scripts/build-image.sh --binary "$binary" --output "$work/oci-again" 2>/dev/null)
[ "$digest" = "$again" ] || fail "two builds of the same binary: $digest and $again"
cmp -s "$work/oci/index.json" "$work/oci-again/index.json" || fail "index.json differs between two builds"
rm -rf "$work/oci-again"
tag=$(python3 -c 'import json, sys; [m] = json.load(open(sys.argv[1]))["manifests"]
print(m["annotations"]["org.opencontainers.image.ref.name"])' "$work/oci/index.json")
pass "build: $digest, the same twice (${build_time}s)"

# 2. Push.
t=$(now)
skopeo copy --quiet --dest-tls-verify=false --digestfile "$work/pushed" \
    "oci:$work/oci:$tag" "docker://$registry/countersign:$tag"
[ "$(cat "$work/pushed")" = "$digest" ] || fail "the registry has $(cat "$work/pushed"), the layout $digest"
image="$registry/countersign@$digest"
pass "push: $registry/countersign:$tag is $digest ($(since "$t")s)"

# 3. Read it back from the registry and inspect it.
skopeo inspect --tls-verify=false --config "docker://$image" >"$work/config.json"
skopeo inspect --tls-verify=false --raw "docker://$image" >"$work/manifest.json"
skopeo copy --quiet --src-tls-verify=false "docker://$image" "oci:$work/pulled:$tag"
reported=$("$binary" version --output json)
python3 scripts/image-check.py inspect --config "$work/config.json" --manifest "$work/manifest.json" \
    --layout "$work/pulled" --version-json "$reported"
pass "inspect: 65532:65532, /usr/local/bin/countersign, labels as the binary says ($reported), no shell, CA, zoneinfo"

# 4. The binary from the image's own files alone.
rootfs=$work/rootfs
mkdir "$rootfs"
for layer in $(python3 scripts/image-check.py layers --layout "$work/pulled" --manifest "$work/manifest.json"); do
    tar --numeric-owner -xzf "$layer" -C "$rootfs"
done
mkdir -p "$rootfs/proc"
in_image() {
    unshare --mount --pid --fork --kill-child --mount-proc="$rootfs/proc" \
        python3 scripts/image-check.py run "$rootfs" --config "$work/config.json" "$@"
}
expected=$("$binary" --version)
if [ "$(id -u)" != 0 ]; then
    got=$(python3 scripts/image-check.py loader "$rootfs" -- --version)
    [ "$got" = "$expected" ] || fail "through the image's loader the binary says '$got', not '$expected'"
    fail "not root: the binary ran through the image's own loader ($got), but serving from the image needs a" \
        "chroot: run as root, as CI does"
fi
got=$(in_image -- --version)
[ "$got" = "$expected" ] || fail "the image's binary says '$got', not '$expected'"
got=$(in_image -- version --output json)
[ "$got" = "$reported" ] || fail "the image's version --output json is '$got', not '$reported'"
pass "run: chrooted, as 65532, PID 1: $got"

port=$(free_port)
t=$(now)
# `exec`, so $server is unshare's PID and the server (image-check.py, exec'd into it) its only child: unshare ignores
# SIGTERM while it waits, so the signal goes to the child.
(exec unshare --mount --pid --fork --kill-child --mount-proc="$rootfs/proc" \
    python3 scripts/image-check.py run "$rootfs" --config "$work/config.json" --host 127.0.0.1 --port "$port") \
    >"$work/serve.log" 2>&1 &
server=$!
wait_for_url "http://127.0.0.1:$port/livez" "$server" "$work/serve.log" 300
serve_time=$(since "$t")
livez=$(curl -fsS "http://127.0.0.1:$port/livez")
readyz=$(curl -fsS "http://127.0.0.1:$port/readyz")
curl -fsS "http://127.0.0.1:$port/openapi.yaml" | grep -q '^openapi:' ||
    fail "/openapi.yaml does not answer: the resource bundle is not where the image's binary looks"
owner=$(stat -c %u:%g "$rootfs/var/lib/countersign/countersign.db" 2>/dev/null || true)
[ "$owner" = 65532:65532 ] || fail "no ledger /var/lib/countersign/countersign.db owned by 65532 ('$owner')"
pkill -TERM -P "$server"
status=0
wait "$server" || status=$?
server=''
[ "$status" = 0 ] || { cat "$work/serve.log" >&2; fail "serve exited $status after SIGTERM"; }
pass "serve: the image's arguments, up in ${serve_time}s; /livez $livez; /readyz $readyz; /openapi.yaml;" \
    "ledger in /var/lib/countersign; SIGTERM, exit 0"

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
t=$(now)
"$binary" artifact verify "$image" --policy "$policy/image.yaml"
pass "verify: $image, signed by release.pub ($(since "$t")s)"
mkdir -p "$rootfs/tmp/policy/keys"
cp "$policy/image.yaml" "$rootfs/tmp/policy/"
cp "$policy/keys/release.pub" "$rootfs/tmp/policy/keys/"
in_image -- artifact verify "$image" --policy /tmp/policy/image.yaml >/dev/null
pass "self-verify: the image's own binary, chrooted, verifies the image"

# reject NAME REASON: the image copied to countersign-NAME must be rejected (3, not an error) for REASON.
reject() {
    local name=$1 reason=$2 status=0
    skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
        "docker://$image" "docker://$registry/countersign-$name:$tag"
    "$binary" artifact verify "$registry/countersign-$name@$digest" --policy "$policy/image.yaml" \
        >"$work/$name.txt" 2>&1 || status=$?
    cat "$work/$name.txt"
    [ "$status" = 3 ] || fail "countersign-$name: exit $status, expected 3 (rejected)"
    grep -qF -- "$reason" "$work/$name.txt" || fail "countersign-$name: rejected, but not for '$reason'"
    pass "reject $name: exit 3, '$reason'"
}
# A .sig manifest stands alone: the signatures go in first, reject copies the image beside them.
"$python" scripts/image-check.py sign --registry "$registry" --repo countersign-wrongkey --digest "$digest" \
    --key "$policy/keys/mallory.key"
reject wrongkey "is not by a key in the trusted set (release.pub)"
"$python" scripts/image-check.py sign --registry "$registry" --repo countersign-copied --digest "$digest" \
    --key "$policy/keys/release.key" --reference "$registry/countersign"
reject copied "names docker-reference '$registry/countersign', not $registry/countersign-copied"
reject unsigned "no cosign signature found for $digest"

echo
echo "image-check: ${#passed[@]} passed, 0 failed in $(since "$started")s — $image"
for line in "${passed[@]}"; do echo "  $line"; done
