"""Reference values for countersign-v1's spread test, and the simulation behind its choice.

    python3 generate_spread.py           # the scipy values written into StudentTTests.swift and
                                         # BrownForsytheTests.swift
    python3 generate_spread.py --level   # rejection rates on identical samples (level) and on changed spread
                                         # (power), Brown-Forsythe against Fligner-Killeen; seeded, a few minutes

Needs scipy and numpy (the values in the tests came from scipy 1.17.1, numpy 2.4.6, Python 3.11).
"""
import sys

import numpy as np
from scipy import stats
from scipy.special import ndtr, ndtri

# Student's t upper tail, scipy.stats.t.sf(t, df): small and huge degrees of freedom, both tails, deep tails.
T_CASES = [
    (0.5, 1), (-2.0, 1), (1e-6, 1), (3.0, 2), (2.5, 5), (-0.3, 9), (2.0, 18), (3.5, 28), (3.408155178353358, 28),
    (-4.0, 28), (1.7, 39.5), (10.0, 40), (40.0, 20), (2.0, 1998), (5.0, 19998), (-1.0, 19998), (2.5, 199998),
    (7.0, 1999998), (100.0, 3), (2.0, 1e9),
]

# Two-sample spread cases: kayenta#780's vectors (both ways), ties, a constant side, unequal sizes.
KAYENTA_780_CANARY = [10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 17.0, 17.1, 17.2, 17.3, 17.4, 17.5, 17.6, 17.7]
KAYENTA_780_BASELINE = [1.0, 100.0, 4.0, 101.0, 5.0, 102.0, 6.0, 103.0, 7.0, 104.0, 8.0, 105.0, 9.0, 106.0, 17.0]
BF_CASES = {
    "kayenta780": (KAYENTA_780_CANARY, KAYENTA_780_BASELINE),
    "kayenta780Swapped": (KAYENTA_780_BASELINE, KAYENTA_780_CANARY),
    "kayenta6278": ([100.0] * 7 + [1.0] * 3, [1.0] * 10),
    "constantCanary": ([5.0] * 12, [3.1, 4.7, 5.0, 5.2, 6.9, 4.4, 5.8, 2.5, 7.3, 5.1, 4.9, 6.2]),
    "tiedUnequal": ([1.0, 2, 2, 3, 3, 3, 4, 9], [2.0, 2, 3, 3, 3, 3, 4, 4, 4, 5, 2]),
}


def brown_forsythe(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx, dy = np.abs(x - np.median(x)), np.abs(y - np.median(y))
    two = stats.levene(x, y, center="median")
    greater = stats.ttest_ind(dx, dy, alternative="greater")
    less = stats.ttest_ind(dx, dy, alternative="less")
    return {
        "t": greater.statistic, "df": len(x) + len(y) - 2, "W": two.statistic, "p": two.pvalue,
        "pGreater": greater.pvalue, "pLess": less.pvalue, "xSpread": dx.mean(), "ySpread": dy.mean(),
    }


def references():
    print("// StudentTTests: scipy.stats.t.sf(t, df)")
    for t, df in T_CASES:
        print(f"({t!r}, {df!r}, {float(stats.t.sf(t, df))!r}),")
    print()
    print("// BrownForsytheTests: scipy.stats.levene(x, y, center='median') for W and p; scipy.stats.ttest_ind on the")
    print("// absolute deviations from each median, alternative='greater' / 'less', for t and the one-sided p")
    for name, (x, y) in BF_CASES.items():
        r = brown_forsythe(x, y)
        print(f"{name}: " + ", ".join(f"{k}: {float(v)!r}" for k, v in r.items()))


def fligner_z(x, y):
    dx, dy = np.abs(x - np.median(x)), np.abs(y - np.median(y))
    d = np.concatenate([dx, dy])
    a = ndtri(0.5 + stats.rankdata(d) / (2 * (len(d) + 1)))
    return (a[: len(dx)].mean() - a[len(dx):].mean()) * np.sqrt(len(dx) * len(dy) / len(d)) / a.std(ddof=1)


def bf_p_greater(x, y):
    dx, dy = np.abs(x - np.median(x)), np.abs(y - np.median(y))
    return stats.ttest_ind(dx, dy, alternative="greater").pvalue


def level():
    rng = np.random.default_rng(20261206)
    samplers = {
        "normal": lambda n: rng.normal(100, 5, n),
        "lognormal": lambda n: np.exp(rng.normal(0, 1, n)),
        "exponential": lambda n: rng.exponential(1, n),
        "pareto(2.5)": lambda n: rng.pareto(2.5, n),
        "poisson(3)": lambda n: rng.poisson(3, n).astype(float),
    }
    print("Level: share of identical-distribution pairs rejected at a one-sided 1% (spread larger)")
    for name, draw in samplers.items():
        for n in (15, 200, 1000):
            pairs = 20000 if n <= 200 else 4000
            bf = fk = 0
            for _ in range(pairs):
                x, y = draw(n), draw(n)
                bf += bf_p_greater(x, y) < 0.01
                fk += (1 - ndtr(fligner_z(x, y))) < 0.01
            print(f"  {name:12s} n={n:5d} ({pairs} pairs): Brown-Forsythe {bf / pairs:.4f}  Fligner-Killeen {fk / pairs:.4f}")
    print("Power at n = 15 per side, normal samples, one-sided 0.001 (the shape tests' level)")
    for ratio in (1.5, 2, 3, 5, 10, 0.1, 0.0):
        hits = 0
        for _ in range(4000):
            y = rng.normal(100, 5, 15)
            x = rng.normal(100, 5 * ratio, 15) if ratio > 0 else np.full(15, 100.0)
            dx, dy = np.abs(x - np.median(x)), np.abs(y - np.median(y))
            side = "greater" if ratio > 1 else "less"
            hits += stats.ttest_ind(dx, dy, alternative=side).pvalue < 0.001
        print(f"  canary spread x{ratio}: {hits / 4000:.3f}")


if __name__ == "__main__":
    level() if "--level" in sys.argv else references()
