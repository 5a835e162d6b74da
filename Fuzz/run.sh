#!/usr/bin/env bash
# `Fuzz/run.sh [SECONDS]`: builds the supply-chain parsers with libFuzzer and AddressSanitizer
# (`swiftc -sanitize=fuzzer,address`) and fuzzes them for SECONDS (default 60), starting from the seed corpus in
# Fuzz/corpus. Needs a prior `swift build` (it links swift-crypto's objects from .build/debug). Crashes are written
# to .build-fuzz/ as crash-<hash>; the run fails if one is found.
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
b=.build/debug
test -d "$b/Crypto.build" || { echo "run 'swift build' first" >&2; exit 1; }
out=.build-fuzz
mkdir -p "$out/corpus"
cp Fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
# The recorded AdmissionReview is a seed too (it lives in ../shared, with its provenance).
cp ../shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json "$out/corpus/admission.json" 2>/dev/null || true
src=Sources/CountersignSupplyChain
files=(
    "$src/SupplyChainError.swift" "$src/Support/JSON.swift" "$src/Support/Base64.swift" "$src/Support/JSONOutput.swift"
    "$src"/Reference/*.swift "$src/Crypto/PublicKey.swift" "$src"/Cosign/*.swift "$src"/Attestation/*.swift
    "$src/OCI/MediaType.swift" "$src/OCI/Descriptor.swift" "$src/OCI/Manifest.swift" "$src/OCI/AuthChallenge.swift"
    "$src/Admission/AdmissionRequest.swift"
)
mapfile -t objects < <(find "$b/Crypto.build" "$b/CryptoBoringWrapper.build" "$b/CCryptoBoringSSL.build" \
    "$b/CCryptoBoringSSLShims.build" -name '*.o')
boring=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSL/include
shims=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSLShims/include
swiftc -sanitize=fuzzer,address -parse-as-library -module-name SupplyChainFuzz -swift-version 6 -O -g \
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
    -enable-upcoming-feature InternalImportsByDefault \
    -I "$b/Modules" -Xcc -fmodule-map-file="$boring/module.modulemap" -Xcc -I"$boring" \
    -Xcc -fmodule-map-file="$shims/module.modulemap" -Xcc -I"$shims" \
    Fuzz/SupplyChainFuzz.swift "${files[@]}" "${objects[@]}" -lstdc++ -o "$out/supply-chain-fuzz"
cd "$out"
./supply-chain-fuzz -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 corpus
