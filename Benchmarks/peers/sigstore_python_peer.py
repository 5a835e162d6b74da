"""Peer for KeylessBenchmark: sigstore-python (pip `sigstore`) verifying the same bundle, offline, in-process.

Usage: python sigstore_python_peer.py TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER ROUNDS
Prints JSON: {"library", "version", "seconds"} — the median CPU time (time.process_time) of one verification over
ROUNDS rounds, after one warm-up. Module import and Python start-up are excluded: the peer is measured on the same
in-process work as Countersign's BundleVerifier. A DSSE bundle is verified with verify_dsse (the in-toto subject
is checked by the caller there, as it is here); a message-signature bundle with verify_artifact.
"""
import json
import statistics
import sys
import time

import sigstore
from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier, policy

root_path, bundle_path, artifact_path, identity, issuer, rounds = sys.argv[1:7]
rounds = int(rounds)
root = TrustedRoot.from_file(root_path)
verifier = Verifier(trusted_root=root)
text = open(bundle_path).read()
artifact = open(artifact_path, "rb").read()
expected = policy.Identity(identity=identity, issuer=issuer)


def once():
    bundle = Bundle.from_json(text)
    if bundle._inner.dsse_envelope is not None:
        verifier.verify_dsse(bundle, expected)
    else:
        verifier.verify_artifact(artifact, bundle, expected)


once()
times = []
for _ in range(rounds):
    start = time.process_time()
    once()
    times.append(time.process_time() - start)
print(json.dumps({"library": "sigstore", "version": sigstore.__version__, "seconds": statistics.median(times)}))
