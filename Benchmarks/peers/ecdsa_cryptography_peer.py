"""Peer for SupplyChainBenchmark: python `cryptography` verifying the same ECDSA P-256/SHA-256 cosign signature.

argv[1] is a directory with pub.pem, payload.bin and sig.der; argv[2] the number of verifications per round.
Prints the median seconds per verification over 15 rounds, as JSON.
"""
import json
import os
import statistics
import sys
import time

import cryptography
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

d, n = sys.argv[1], int(sys.argv[2])
key = load_pem_public_key(open(os.path.join(d, "pub.pem"), "rb").read())
payload = open(os.path.join(d, "payload.bin"), "rb").read()
sig = open(os.path.join(d, "sig.der"), "rb").read()
key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))  # raises if it does not verify
rounds = []
for _ in range(15):
    t = time.process_time()
    for _ in range(n):
        key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))
    rounds.append((time.process_time() - t) / n)
print(json.dumps({"library": "cryptography", "version": cryptography.__version__, "seconds": statistics.median(rounds)}))
