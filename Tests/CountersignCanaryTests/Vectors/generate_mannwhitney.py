#!/usr/bin/env python3
"""Writes mannwhitney-scipy.json: seeded random two-sample cases with scipy's Mann-Whitney p-values.

The oracle is scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic',
use_continuity=True). The file also carries scipy.special.ndtri / ndtr values to check the normal quantile and
CDF. Deterministic: the same scipy and numpy give the same file. Run from this directory:
    python3 generate_mannwhitney.py
"""
import json

import numpy as np
import scipy
from scipy import special, stats

SEED = 20250408


def encode(v):
    """JSON has no infinities: they are written as the strings Swift's JSONDecoder is told to read."""
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def case(kind, x, y):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    r = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    return {"kind": kind, "x": [encode(v) for v in x], "y": [encode(v) for v in y], "u": float(r.statistic),
            "p": float(r.pvalue)}


def main() -> None:
    rng = np.random.default_rng(SEED)
    sizes = [(1, 1), (1, 2), (2, 1), (1, 7), (2, 2), (3, 3), (3, 5), (5, 8), (8, 5), (10, 10), (13, 29), (20, 7),
             (30, 30), (50, 50), (64, 100), (100, 80), (200, 200), (250, 400), (500, 300), (777, 777), (1000, 1000),
             (1500, 2000), (2000, 2000)]
    cases = []
    for nx, ny in sizes:
        shift = rng.choice([0.0, 0.1, 0.5, 2.0])
        # Continuous: no ties (values kept to 12 significant digits so the JSON stays small and exact).
        x = np.round(rng.normal(shift, 1.0, nx), 9)
        y = np.round(rng.normal(0.0, 1.0, ny), 9)
        cases.append(case("continuous", x, y))
        # Heavy ties: small integer support.
        x = rng.integers(0, 5, nx) + (1 if shift >= 0.5 else 0)
        y = rng.integers(0, 5, ny)
        cases.append(case("ties", x, y))
        # Zero-inflated counts, as error counts look at low traffic.
        x = rng.poisson(0.3 + shift, nx)
        y = rng.poisson(0.3, ny)
        cases.append(case("zero-inflated", x, y))
        # Degenerate: every observation equal (p = 1).
        cases.append(case("all-equal", np.full(nx, 3.5), np.full(ny, 3.5)))
    # Far apart: p-values down to the underflow region.
    for n in (20, 100, 400, 1000):
        x = np.round(rng.normal(10.0, 1.0, n), 9)
        y = np.round(rng.normal(0.0, 1.0, n), 9)
        cases.append(case("separated", x, y))
    # Negative values, infinities allowed by scipy's ranks.
    cases.append(case("infinite", [-np.inf, 1.0, 2.0, np.inf, 3.0], [0.5, 1.5, np.inf, -2.0]))

    probabilities = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.3, 0.425, 0.5,
                     0.575, 0.7, 0.9, 0.95, 0.975, 0.98, 0.99, 0.999, 1 - 1e-10]
    quantiles = [{"p": p, "z": float(special.ndtri(p))} for p in probabilities]
    points = [-38.0, -20.0, -8.0, -5.0, -3.0, -1.96, -1.0, -0.5, -1e-3, 0.0, 0.3, 0.7071, 1.0, 2.5, 6.0, 9.0]
    cdf = [{"x": x, "p": float(special.ndtr(x))} for x in points]

    out = {
        "generator": "generate_mannwhitney.py",
        "seed": SEED,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "oracle": "scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)",
        "cases": cases,
        "normalQuantile": quantiles,
        "normalCDF": cdf,
    }
    with open("mannwhitney-scipy.json", "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
