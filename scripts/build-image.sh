#!/usr/bin/env bash
# `scripts/build-image.sh --output DIR [--binary PATH] [--configuration release|debug] [--scratch-path DIR]
#  [--static-swift-stdlib] [--tag TAG] [--source URL]`: Countersign's container image, built without a Docker
# engine, as an OCI image layout in DIR (emptied first), for `skopeo copy oci:DIR:TAG docker://…` to push.
#
# Without --binary it builds one: `swift build -c release --product countersign`, after stamping the commit
# (`git rev-parse HEAD`, `-dirty` when tracked files differ from it) and the UTC build time (SOURCE_DATE_EPOCH when
# set) into Sources/CountersignControl/BuildStamp.swift; the file's previous bytes and mtime are put back afterwards,
# whatever happens (an EXIT trap, which bash runs on errors, INT and TERM too). With --binary PATH it packages that
# build as it is (its resource bundles, *.resources, must sit beside it, as in SwiftPM's build folder), labelled with
# what it says about itself.
#
# --static-swift-stdlib links the Swift runtime and Foundation (with its ICU data) into the binary, leaving glibc,
# libstdc++, libgcc_s, zlib and SQLite as the shared libraries. It is not the default: measured, the image is no
# smaller (48.0 MB of gzip against 48.5), the binary's layer — the one every release replaces — grows from 19 to
# 44.5 MB while the toolchain's libraries otherwise sit in a layer whose digest stays the same from release to
# release, and it recompiles every module of a release build already made without it.
#
# Then scripts/oci-image.py assembles the layout (see its docstring: three reproducible layers — the shared libraries
# the binary loads, CA certificates/zoneinfo/users, the binary with the example policy — a non-root user, no shell).
# The tag defaults to the version the binary reports. --source sets org.opencontainers.image.source (default: the
# `origin` remote's https:// URL; the label is left out when there is none).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() {
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
binary='' configuration=release scratch='' output='' tag='' source='' static=
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=${2:?}; shift 2 ;;
        --configuration) configuration=${2:?}; shift 2 ;;
        --scratch-path) scratch=${2:?}; shift 2 ;;
        --output) output=${2:?}; shift 2 ;;
        --tag) tag=${2:?}; shift 2 ;;
        --source) source=${2:?}; shift 2 ;;
        --static-swift-stdlib) static=1; shift ;;
        -h | --help) usage ;;
        *) echo "build-image.sh: unknown argument $1" >&2; usage ;;
    esac
done
[ -n "$output" ] || usage
case $configuration in
    release | debug) ;;
    *) echo "build-image.sh: --configuration is release or debug" >&2; exit 2 ;;
esac
if [ -z "$source" ]; then
    # Only a web address: a clone of a local folder (CI's) names a path, which is no source for the world.
    source=$(git remote get-url origin 2>/dev/null || true)
    case $source in https://*) source=${source%.git} ;; *) source='' ;; esac
fi

if [ -z "$binary" ]; then
    command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
    stamp=Sources/CountersignControl/BuildStamp.swift
    saved=$(mktemp)
    cp -p "$stamp" "$saved"
    restore() { cp -p "$saved" "$stamp" && rm -f "$saved"; }
    trap restore EXIT
    commit=$(git rev-parse HEAD)
    # Tracked files only: untracked ones (build folders, notes) are not part of what is built.
    if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit-dirty"; fi
    if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
        date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    else
        date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    fi
    cat >"$stamp" <<SWIFT
/// Stamped by scripts/build-image.sh for this build (the commit and the UTC build time); the file is restored after it.
enum BuildStamp {
    static let commit = "$commit"
    static let date = "$date"
}
SWIFT
    args=(-c "$configuration" --product countersign)
    [ -z "$scratch" ] || args+=(--scratch-path "$scratch")
    [ -z "$static" ] || args+=(--static-swift-stdlib)
    echo "build-image.sh: swift build ${args[*]} (commit $commit, built $date)" >&2
    swift build "${args[@]}" >&2
    binary="$(swift build "${args[@]}" --show-bin-path)/countersign"
    restore
    trap - EXIT
fi

python3 scripts/oci-image.py --binary "$binary" --output "$output" --policy examples/policy \
    ${tag:+--tag "$tag"} ${source:+--source "$source"}
