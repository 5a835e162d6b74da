"""Peer for CanaryBenchmark: scipy's Mann-Whitney p-value (asymptotic, continuity correction) on the same data.

Reads two JSON arrays (x, y) from the file named by argv[1]; prints the median seconds per call over argv[2]
rounds and the p-value, as JSON.
"""
import json
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

with open(sys.argv[1]) as f:
    data = json.load(f)
x = np.asarray(data["x"], dtype=float)
y = np.asarray(data["y"], dtype=float)
rounds = int(sys.argv[2])
times = []
p = None
for _ in range(rounds):
    t = time.perf_counter()
    p = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True).pvalue
    times.append(time.perf_counter() - t)
print(json.dumps({"library": "scipy", "version": scipy.__version__, "seconds": statistics.median(times), "p": p}))
