#!/usr/bin/env python3
"""Writes the OpenMetrics history the Prometheus provider tests query (scripts/with-prometheus.sh loads it).

Every value is a closed-form function of time, so the tests compute what Prometheus must answer. Start:
2026-01-01T00:00:00Z; one sample every 15 s for one hour.
  canary_success_rate{track="baseline"} = 0.995          (constant)
  canary_success_rate{track="canary"}   = 0.99           (constant)
  canary_latency_seconds{track="canary"} = 0.1 + 0.001*m (m = whole minutes since the start)
  canary_error_ratio{service="steady"}   = 0.01
  canary_error_ratio{service="degrading"} = 0.01 before minute 20, 0.2 from minute 20 on
  canary_digest_success{digest=BASELINE_DIGEST} = 0.995, canary_digest_success{digest=CANARY_DIGEST} = 0.995
"""
import sys

START = 1767225600  # 2026-01-01T00:00:00Z
STEP = 15
# The series of two builds, labelled by image digest as a deployment's metrics are (KayentaServeTests).
BASELINE_DIGEST = "sha256:" + "b" * 64
CANARY_DIGEST = "sha256:" + "c" * 64
POINTS = 3600 // STEP + 1


def series(name, labels, f):
    for i in range(POINTS):
        t = START + i * STEP
        yield f'{name}{{{labels}}} {f(t - START):.6g} {t}'


def main(path):
    lines = ["# TYPE canary_success_rate gauge"]
    lines += series("canary_success_rate", 'track="baseline"', lambda s: 0.995)
    lines += series("canary_success_rate", 'track="canary"', lambda s: 0.99)
    lines += ["# TYPE canary_latency_seconds gauge"]
    lines += series("canary_latency_seconds", 'track="canary"', lambda s: 0.1 + 0.001 * (s // 60))
    lines += ["# TYPE canary_error_ratio gauge"]
    lines += series("canary_error_ratio", 'service="steady"', lambda s: 0.01)
    lines += series("canary_error_ratio", 'service="degrading"', lambda s: 0.01 if s < 20 * 60 else 0.2)
    lines += ["# TYPE canary_digest_success gauge"]
    lines += series("canary_digest_success", f'digest="{BASELINE_DIGEST}"', lambda s: 0.995)
    lines += series("canary_digest_success", f'digest="{CANARY_DIGEST}"', lambda s: 0.995)
    lines.append("# EOF")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
