#!/usr/bin/env python3
"""Extracts the sample arrays of Kayenta's MannWhitneySuite into kayenta-mannwhitney.json.

Only test data (numbers) is taken; no code. Usage:
    python3 extract_kayenta.py <kayenta checkout> > kayenta-mannwhitney.json
The expected values live in MannWhitneyTests.swift, next to the test that asserts them.
"""
import json
import re
import sys

PATH = "kayenta-mannwhitney/src/test/scala/com/netflix/kayenta/mannwhitney/MannWhitneySuite.scala"


def main() -> None:
    text = open(f"{sys.argv[1]}/{PATH}").read()
    cases = {}
    for test in re.finditer(r'test\("([^"]+)"\)\s*\{(.*?)\n  \}', text, re.S):
        name, body = test.group(1), test.group(2)
        arrays = {}
        for m in re.finditer(r"val (\w+) = Array\(([^)]*)\)", body, re.S):
            arrays[m.group(1)] = [float(v) for v in m.group(2).replace("\n", " ").split(",") if v.strip()]
        if arrays:
            cases[name] = arrays
    json.dump({"source": f"spinnaker/kayenta@a69573be9d8fededacf80817e4151a2c8df41276:{PATH}", "cases": cases},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
