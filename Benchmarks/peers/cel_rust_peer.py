"""Peer measurement for the CEL benchmark: the Rust-backed `common-expression-language` package (crate `cel`
via PyO3), with the same expression and bindings, compiled once and evaluated with a reused Context.

Prints one JSON object: {"library", "version", "compile_us", "evals_per_second", "ns_per_eval", "result"}.
Usage: python3 cel_rust_peer.py EXPRESSION BINDINGS_JSON [ITERATIONS]
"""
import json
import sys
import time
from importlib.metadata import version

import cel


def main() -> None:
    expression, bindings_json = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    bindings = json.loads(bindings_json)

    start = time.perf_counter()
    program = cel.compile(expression)
    compile_us = (time.perf_counter() - start) * 1e6
    # Later compiles are what a policy reload pays; take the median of 20.
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        cel.compile(expression)
        samples.append((time.perf_counter() - t) * 1e6)
    samples.sort()

    context = cel.Context()
    for name, value in bindings.items():
        context.add_variable(name, value)
    result = program.execute(context)
    for _ in range(2_000):
        program.execute(context)
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(iterations):
            program.execute(context)
        runs.append(time.perf_counter() - t)
    runs.sort()
    median = runs[1]
    print(json.dumps({
        "library": "common-expression-language",
        "version": version("common-expression-language"),
        "compile_first_us": compile_us,
        "compile_us": samples[len(samples) // 2],
        "evals_per_second": iterations / median,
        "ns_per_eval": median / iterations * 1e9,
        "result": result,
    }))


if __name__ == "__main__":
    main()
