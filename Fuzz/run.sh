#!/usr/bin/env bash
# Fuzzes every parser that takes outside input with libFuzzer and AddressSanitizer (docs/fuzzing.md).
#
#   Fuzz/run.sh [--target NAME]... [--runs N | --seconds S | S] [--smoke] [--build-only] [--timeout S]
#
#   --target NAME  one of the targets below (repeatable; default: all of them, one after the other)
#   --runs N       stop each target after N executions (the documented run is --runs 1000000)
#   --seconds S    stop each target after S seconds (a bare number means the same; default 60)
#   --smoke        a short run of each target (4,000 executions or 20 s, whichever comes first), for the tests
#   --build-only   build the harnesses and stop
#   --merge        after the runs, add to Fuzz/corpus/<target>/ the inputs of the working corpus that reach code the
#                  repository's corpus does not (libFuzzer -merge=1), so the next run starts from them
#   --timeout S    libFuzzer's per-input timeout (default 10 s): an input that takes longer is a hang, a failure
#
# Targets (one libFuzzer binary each, harness in Fuzz/<Name>Fuzz.swift, seeds in Fuzz/corpus/<target>/):
#   cel  policy  json  ledger  supply-chain  admission  webhooks  query  canary
#
# Each binary is built from the library modules its harness needs, compiled here from Sources/ with
# `-sanitize=fuzzer,address` (so libFuzzer sees their coverage and ASan their memory), plus the objects of their
# dependencies (Yams, swift-crypto, swift-nio, …) from .build/debug: run `swift build` first. A run reads the seed
# corpus in the repository without changing it and grows a working corpus in .build-fuzz/<target>/corpus. It runs
# with -timeout (a hang fails), -rss_limit_mb=2048 (so does a blowup in memory) and -detect_leaks=1; a crash, a
# sanitizer report, a leak, a timeout or an out-of-memory stops that target, leaves the input in
# .build-fuzz/<target>/artifacts/ and makes the script exit 1 after the remaining targets ran. One summary line
# per target: executions, executions per second, wall time, coverage, the slowest input and peak memory.
#
# One process per target, targets one after the other (-jobs/-workers are not used): the machine's other core is
# usually building.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(cel policy json ledger supply-chain admission webhooks query canary)
targets=()
runs=""
seconds=60
smoke=0
build_only=0
merge=0
timeout=10
while [ $# -gt 0 ]; do
    case "$1" in
        --target) targets+=("$2"); shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --smoke) smoke=1; shift ;;
        --build-only) build_only=1; shift ;;
        --merge) merge=1; shift ;;
        --timeout) timeout=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        [0-9]*) seconds=$1; shift ;;
        *) echo "Fuzz/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "Fuzz/run.sh: no target '$t' (${all_targets[*]})" >&2; exit 2; }
done

b=.build/debug
link_list=$b/countersign.product/Objects.LinkFileList
[ -f "$link_list" ] || { echo "Fuzz/run.sh: run 'swift build' first (no $link_list)" >&2; exit 1; }
out=.build-fuzz
mkdir -p "$out/modules" "$out/objects" "$out/bin"

# The Countersign modules each target needs, in dependency order, and sources compiled into the harness itself:
# control-layer files the harness needs, and Hummingbird's URI parser, which the routes' query
# parameters come from.
hummingbird=.build/checkouts/hummingbird/Sources/HummingbirdCore
modules_for() {
    case "$1" in
        cel | policy) echo "CountersignEncoding CEL CountersignCore" ;;
        json | ledger) echo "CountersignEncoding CEL CountersignCore CountersignLedger" ;;
        supply-chain | admission) echo "CountersignEncoding CEL CountersignCore CountersignLedger CountersignSupplyChain" ;;
        webhooks) echo "CountersignEncoding CEL CountersignCore CountersignLedger" ;;
        query) echo "CountersignEncoding CEL CountersignCore CountersignLedger CountersignMetrics CountersignCanary" ;;
        canary) echo "CountersignEncoding CEL CountersignCore CountersignLedger CountersignCanary" ;;
    esac
}
extra_sources_for() {
    case "$1" in
        webhooks)
            echo Sources/CountersignControl/GitHub/WebhookSignature.swift \
                Sources/CountersignControl/DeployRequestInput.swift
            ;;
        query)
            echo "$hummingbird/Request/URI.swift" "$hummingbird/Utils/FlatDictionary.swift" \
                "$hummingbird/Utils/HBParser.swift" "$hummingbird/Utils/String+percentEncode.swift"
            ;;
    esac
}
harness_for() {
    case "$1" in
        cel) echo CELFuzz ;;
        policy) echo PolicyFuzz ;;
        json) echo JSONFuzz ;;
        ledger) echo LedgerFuzz ;;
        supply-chain) echo SupplyChainFuzz ;;
        admission) echo AdmissionFuzz ;;
        webhooks) echo WebhooksFuzz ;;
        query) echo QueryFuzz ;;
        canary) echo CanaryFuzz ;;
    esac
}
max_len_for() {
    case "$1" in
        cel) echo 4096 ;;
        policy) echo 8192 ;;  # a whole policy in 8 KiB; every further KiB of YAML costs a millisecond an input
        webhooks) echo 65536 ;;  # GitHub's deliveries run to tens of kilobytes
        *) echo 16384 ;;
    esac
}

# Compiler settings: the package's (Swift 6, the strict upcoming features), optimised, instrumented, and able to
# see every module map the dependencies' C targets declare.
swift_flags=(
    -swift-version 6 -O -g -parse-as-library -sanitize=fuzzer,address -package-name countersign_fuzz
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault
    -module-cache-path "$out/ModuleCache" -I "$out/modules" -I "$b/Modules" -use-ld=lld
)
while IFS= read -r map; do
    swift_flags+=(-Xcc "-fmodule-map-file=$map" -Xcc "-I$(dirname "$map")")
done < <(find .build/checkouts -path '*/Sources/*' -name module.modulemap | sort)
while IFS= read -r map; do
    swift_flags+=(-Xcc "-fmodule-map-file=$map")
done < <(find -L "$b" -maxdepth 2 -path '*.build/module.modulemap' | sort)
swift_flags+=(-Xcc -DYAML_DECLARE_STATIC)
# What every object is built with, kept in a file whose time changes only when the flags do: a change rebuilds
# everything, an edit elsewhere in this script rebuilds nothing.
flags_stamp=$out/flags
if ! printf '%s\n' "${swift_flags[@]}" "yams: -O, libyaml -fsanitize=fuzzer-no-link,address" \
    | cmp -s - "$flags_stamp" 2>/dev/null; then
    printf '%s\n' "${swift_flags[@]}" "yams: -O, libyaml -fsanitize=fuzzer-no-link,address" >"$flags_stamp"
fi

dependencies_of() {
    case "$1" in
        CEL) echo CountersignEncoding ;;
        CountersignCore | CountersignCanary) echo CountersignEncoding CEL ;;
        CountersignLedger | CountersignSupplyChain) echo CountersignEncoding CEL CountersignCore ;;
        CountersignMetrics) echo CountersignEncoding CEL CountersignCore CountersignLedger ;;
    esac
}

# Whether $1 is missing or older than any of the other arguments.
stale() {
    local target=$1
    shift
    [ -e "$target" ] || return 0
    [ -n "$(find "$@" -newer "$target" -print -quit)" ]
}

# A Countersign module as one instrumented object plus its interface, for the harnesses (which import it
# `@testable` when they reach internal parsers, so it is built with -enable-testing).
built_modules=" "
build_module() {
    local name=$1
    [[ "$built_modules" == *" $name "* ]] && return 0
    local object="$out/objects/$name.o" m sources
    mapfile -t sources < <(find "Sources/$name" -name '*.swift' | sort)
    local deps=()
    for m in $(dependencies_of "$name"); do
        build_module "$m"
        deps+=("$out/objects/$m.o")
    done
    if stale "$object" "${sources[@]}" "${deps[@]}" "$out/objects/Yams.o" "$flags_stamp"; then
        echo "building $name (instrumented)"
        swiftc "${swift_flags[@]}" -enable-testing -module-name "$name" -wmo -num-threads 0 \
            -emit-module -emit-module-path "$out/modules/$name.swiftmodule" -c "${sources[@]}" -o "$object"
        touch "$object"  # the compiler leaves an unchanged object's time alone
    fi
    built_modules+="$name "
}

# Yams, built here rather than taken from .build/debug: the policy loader and the canary templates spend most of
# their time in it, which unoptimised is several times slower. Its C parser (libyaml) is instrumented like our
# code, so libFuzzer sees YAML's syntax and ASan sees libyaml's memory; the Swift layer is optimised only.
yams=.build/checkouts/Yams/Sources
build_yams() {
    local object="$out/objects/Yams.o" sources c
    mapfile -t sources < <(find "$yams/Yams" -name '*.swift' | sort)
    if stale "$object" "${sources[@]}" "$yams"/CYaml/src/*.c "$flags_stamp"; then
        echo "building Yams (optimised; libyaml instrumented)"
        mkdir -p "$out/objects/CYaml"
        for c in "$yams"/CYaml/src/*.c; do
            clang -O2 -g -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC -I"$yams/CYaml/include" -w \
                -c "$c" -o "$out/objects/CYaml/$(basename "$c" .c).o"
        done
        swiftc -swift-version 5 -O -g -parse-as-library -module-name Yams -wmo -num-threads 0 -D SWIFT_PACKAGE \
            -module-cache-path "$out/ModuleCache" -Xcc "-fmodule-map-file=$yams/CYaml/include/module.modulemap" \
            -Xcc "-I$yams/CYaml/include" -Xcc -DYAML_DECLARE_STATIC \
            -emit-module -emit-module-path "$out/modules/Yams.swiftmodule" -c "${sources[@]}" -o "$object"
        touch "$object"
        rm -f "$out/objects/yams.a"
        ar qc "$out/objects/yams.a" "$object" "$out"/objects/CYaml/*.o
    fi
}
build_yams

# The dependencies' objects as one archive, so each harness links only what it uses: everything the countersign
# product links, less the Countersign modules and Yams built above.
deps_archive=$out/objects/dependencies.a
if stale "$deps_archive" "$link_list" "$flags_stamp"; then
    echo "archiving the dependencies' objects"
    rm -f "$deps_archive"
    # A thin archive (members stay where SwiftPM put them); `q` keeps members that share a file name.
    grep -v -E '/(CEL|Countersign[A-Za-z]*|countersign|Yams|CYaml)\.build/' "$link_list" | tr -d "'" \
        | xargs -d '\n' ar qcT "$deps_archive"
    ar s "$deps_archive"
fi

build_target() {
    local t=$1 harness m
    harness=$(harness_for "$t")
    local objects=()
    for m in $(modules_for "$t"); do
        build_module "$m"
        objects+=("$out/objects/$m.o")
    done
    # shellcheck disable=SC2046
    local sources=(Fuzz/FuzzSupport.swift "Fuzz/$harness.swift" $(extra_sources_for "$t"))
    local binary="$out/bin/$t-fuzz"
    if stale "$binary" "${sources[@]}" "${objects[@]}" "$deps_archive" "$out/objects/Yams.o"; then
        echo "building $t"
        swiftc "${swift_flags[@]}" -module-name "$harness" "${sources[@]}" "${objects[@]}" "$out/objects/yams.a" \
            "$deps_archive" -lstdc++ -o "$binary"
        touch "$binary"
    fi
}

for t in "${targets[@]}"; do build_target "$t"; done
[ $build_only = 1 ] && exit 0

# The Swift runtime's own crash backtracer reads memory ASan has poisoned: leave crash reports to the sanitizer.
export SWIFT_BACKTRACE=enable=no
# Allocations made while a lazy global is first initialised are not leaks (Fuzz/lsan.supp says why).
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# The runs. Leak detection needs ptrace (LeakSanitizer stops the world to scan it): where the sandbox forbids it,
# say so and run without rather than fail every target at exit.
leaks=1
if ! "$out/bin/${targets[0]}-fuzz" -runs=0 -detect_leaks=1 /dev/null >"$out/leak-check.log" 2>&1 \
    && grep -q "LeakSanitizer has encountered a fatal error" "$out/leak-check.log"; then
    echo "warning: LeakSanitizer cannot run here (no ptrace); fuzzing without leak detection" >&2
    leaks=0
fi

failed=()
summaries=()
for t in "${targets[@]}"; do
    dir=$out/$t
    mkdir -p "$dir/corpus" "$dir/artifacts"
    args=(
        -timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks=$leaks
        -max_len="$(max_len_for "$t")" -print_final_stats=1 -artifact_prefix="$dir/artifacts/"
    )
    [ -f "Fuzz/dict/$t.dict" ] && args+=(-dict="Fuzz/dict/$t.dict")
    if [ $smoke = 1 ]; then
        args+=(-runs=4000 -max_total_time=20)
    elif [ -n "$runs" ]; then
        args+=(-runs="$runs")
    else
        args+=(-max_total_time="$seconds")
    fi
    echo "fuzzing $t: $out/bin/$t-fuzz ${args[*]} $dir/corpus Fuzz/corpus/$t"
    touch "$dir/started"
    start=$(date +%s%N)
    status=0
    "$out/bin/$t-fuzz" "${args[@]}" "$dir/corpus" "Fuzz/corpus/$t" >"$dir/log" 2>&1 || status=$?
    wall=$((($(date +%s%N) - start) / 1000000000))
    stat() { sed -n "s/^stat::$1: *//p" "$dir/log" | tail -1; }
    executions=$(stat number_of_executed_units)
    rate=$(stat average_exec_per_sec)
    coverage=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2 || true)
    corpus=$(grep -o 'corp: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2 || true)
    line=$(printf '%-12s %s executions in %s s (%s exec/s), coverage %s, corpus %s, slowest input %s s, peak RSS %s MB' \
        "$t" "${executions:-?}" "$wall" "${rate:-?}" "${coverage:-?}" "${corpus:-?}" \
        "$(stat slowest_unit_time_sec)" "$(stat peak_rss_mb)")
    if [ $status -ne 0 ]; then
        line+=" — FAILED (exit $status): $(grep -m1 -E '==ERROR|ERROR: libFuzzer|Fatal error|property violated|SUMMARY' "$dir/log" || true)"
        failed+=("$t")
        grep -E -A25 '==ERROR|ERROR: libFuzzer|Fatal error' "$dir/log" | head -40 >&2 || true
        find "$dir/artifacts" -type f -newer "$dir/started" >&2
    fi
    echo "$line"
    summaries+=("$line")
    if [ $merge = 1 ] && [ $status -eq 0 ]; then
        "$out/bin/$t-fuzz" -merge=1 -timeout="$timeout" -rss_limit_mb=2048 -max_len="$(max_len_for "$t")" \
            "Fuzz/corpus/$t" "$dir/corpus" >"$dir/merge.log" 2>&1
        echo "merged into Fuzz/corpus/$t: $(grep -o 'MERGE-OUTER: [0-9]* new files' "$dir/merge.log")"
    fi
done
echo
printf '%s\n' "${summaries[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]} (inputs in $out/<target>/artifacts/, logs in $out/<target>/log)" >&2
    exit 1
fi
