#!/usr/bin/env python3
"""A small private Sigstore instance (Fulcio-like CA, CT log, Rekor v1-like log) for the tests.

It exists only to make test fixtures: every key lives in plain PEM files, nothing is served over the network, and the
bundles it writes verify offline against the trusted_root.json it writes. Needs only the pip package `cryptography`
(>= 44, for RFC 6979 deterministic ECDSA), e.g. .build/supply-chain-venv/bin/python (scripts/python-deps.sh).

Usage:
  sigstore-fixture.py init DIR [--seed TEXT] [--force]
  sigstore-fixture.py sign DIR --identity URI_OR_EMAIL --issuer ISSUER [--claims JSON|@FILE]
        (--artifact FILE | --digest sha256:HEX | --dsse-payload-file F [--payload-type T])
        [--time RFC3339] [--integrated-time RFC3339] [--sct-extensions HEX] [--corrupt-sct]
        --bundle OUT.json [--cosign-annotations OUT2.json]

init DIR writes
  fulcio-root.pem / .key.pem          self-signed CA, ECDSA P-384, ecdsa-with-SHA384, valid 2020-01-01..2040-01-01
  fulcio-intermediate.pem / .key.pem  issued by the root (pathLen 0, EKU codeSigning like Fulcio's), same validity
  rekor.key.pem / rekor.pub.pem       Rekor v1 log key, ECDSA P-256 (host rekor.countersign.test)
  ctlog.key.pem / ctlog.pub.pem       CT log key, ECDSA P-256
  trusted_root.json                   application/vnd.dev.sigstore.trustedroot+json;version=0.1 (SPEC §1): one tlog
                                      (baseUrl https://rekor.countersign.test, logId = sha256(SPKI DER),
                                      PKIX_ECDSA_P256_SHA_256, validFor.start 2020-01-01), one CA (chain
                                      intermediate first, root last), one ctlog, no timestamp authorities
  log.json                            the log's state: seed, origin, tree ID, every leaf (canonicalized body) so far
With --seed every key, serial number and ephemeral signing key is derived from TEXT, and all ECDSA signatures are
deterministic (RFC 6979), so `init --seed S` followed by the same `sign` calls with --time gives identical files.
Without --seed a random seed is drawn (and stored in log.json).

sign DIR appends one entry to DIR's log (successive signings grow one Merkle tree) and writes OUT.json, a bundle
v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json, SPEC §2):
  * a fresh leaf certificate (SPEC §8): empty subject, critical SAN (URI if the identity contains "://", else
    rfc822Name), critical KeyUsage digitalSignature, EKU codeSigning, SKI, AKI, issuer extensions .57264.1.1 (raw
    UTF-8) and .57264.1.8 (DER UTF8String), the --claims extensions, and last the embedded SCT list
    (1.3.6.1.4.1.11129.2.4.2) from the CT log, signed over the precertificate TBS (the same TBS without the SCT
    extension; the tool asserts that removing it reproduces the pre-SCT TBS byte for byte and verifies the SCT).
    Validity is 10 minutes from --time (default: now, whole seconds); signed by the intermediate with SHA-384.
  * with --artifact/--digest: messageSignature = ECDSA P-256 over SHA-256(artifact) by an ephemeral key, logged
    as hashedrekord 0.0.1; with --dsse-payload-file: a DSSE envelope (SPEC §7, PAE, one signature; payloadType
    defaults to application/vnd.in-toto+json), logged as dsse 0.0.1 (SPEC §6). Bodies are RFC 8785 canonical JSON.
  * tlogEntries[0] (SPEC §3-§5): logIndex, logId, kindVersion, integratedTime (= --integrated-time, default the
    signing time), inclusionPromise (SET: ECDSA over canonical {body, integratedTime, logID hex, logIndex}),
    inclusionProof (RFC 6962 audit path to the tree of all leaves so far; proof logIndex = entry logIndex, one
    shard) with a checkpoint: the C2SP signed note
        "rekor.countersign.test - <treeID>\\n<size>\\n<b64 root>\\n\\n— rekor.countersign.test <b64(hint || sig)>\\n"
    hint = sha256(SPKI)[:4], sig = DER ECDSA/SHA-256 over the note text. The origin line carries a " - <treeID>"
    suffix as real Rekor v1 checkpoints do: sigstore-go only treats a checkpoint as Rekor v1 when line 1 matches
    `.* - [0-9]+$` (pkg/verify/tlog.go hasRekorV1STH); the key name is the bare host.
  --cosign-annotations OUT2.json (message signatures only) also writes the annotations cosign puts on a legacy
  `.sig` layer: dev.sigstore.cosign/certificate (leaf PEM), dev.sigstore.cosign/chain (intermediate + root PEM),
  dev.sigstore.cosign/bundle (JSON string {"SignedEntryTimestamp", "Payload": {body, integratedTime, logIndex,
  logID}}) and dev.cosignproject.cosign/signature (base64 signature). For a cosign `.sig` layer, pass the
  simple-signing payload as --artifact.
  Knobs for negative fixtures: --corrupt-sct flips a bit of the SCT signature before the certificate is signed (the
  certificate stays validly signed, only the SCT is wrong); --sct-extensions HEX puts CtExtensions into the SCT
  (covered by its signature, as Static-CT logs do); --integrated-time moves the logged time (e.g. outside the
  certificate's validity).
  --claims maps names to Fulcio extensions (1.3.6.1.4.1.57264.1.N, SPEC §8): buildSignerURI 9, buildSignerDigest 10,
  runnerEnvironment 11, sourceRepositoryURI 12, sourceRepositoryDigest 13, sourceRepositoryRef 14,
  sourceRepositoryIdentifier 15, sourceRepositoryOwnerURI 16, sourceRepositoryOwnerIdentifier 17, buildConfigURI 18,
  buildConfigDigest 19, buildTrigger 20, runInvocationURI 21, sourceRepositoryVisibilityAtSigning 22 (DER
  UTF8String); githubWorkflowTrigger 2, githubWorkflowSHA 3, githubWorkflowName 4, githubWorkflowRepository 5,
  githubWorkflowRef 6 (raw bytes, deprecated). A dotted OID key is accepted too (raw for .1-.6, else UTF8String).
  Nothing is implied: real Fulcio writes both the legacy and the new GitHub extensions, and sigstore-python's
  `verify github` reads only the legacy .2-.6 ones, so pass both sets when a test needs both.
Prints {"logIndex", "treeSize", "integratedTime"} of the new entry on stdout.

Checked with sigstore-python 4.5.1 (`sigstore --trust-config TC verify identity --offline ...`, TC = trusted_root.json
wrapped in a ClientTrustConfig) for both bundle forms.
"""
import argparse
import base64
import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

REKOR_HOST = "rekor.countersign.test"
REKOR_URL = "https://" + REKOR_HOST
FULCIO_URL = "https://fulcio.countersign.test"
CTLOG_URL = "https://ctfe.countersign.test/test"
ORG = "countersign.test"
CA_NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
CA_NOT_AFTER = datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)
VALID_FOR_START = "2020-01-01T00:00:00Z"
LEAF_VALIDITY = datetime.timedelta(minutes=10)
TRUSTED_ROOT_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
IN_TOTO_TYPE = "application/vnd.in-toto+json"

FULCIO = "1.3.6.1.4.1.57264.1."
OID_ISSUER_V1 = ObjectIdentifier(FULCIO + "1")
OID_ISSUER_V2 = ObjectIdentifier(FULCIO + "8")
OID_SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
CLAIMS = {
    "githubWorkflowTrigger": 2, "githubWorkflowSHA": 3, "githubWorkflowName": 4, "githubWorkflowRepository": 5,
    "githubWorkflowRef": 6, "buildSignerURI": 9, "buildSignerDigest": 10, "runnerEnvironment": 11,
    "sourceRepositoryURI": 12, "sourceRepositoryDigest": 13, "sourceRepositoryRef": 14,
    "sourceRepositoryIdentifier": 15, "sourceRepositoryOwnerURI": 16, "sourceRepositoryOwnerIdentifier": 17,
    "buildConfigURI": 18, "buildConfigDigest": 19, "buildTrigger": 20, "runInvocationURI": 21,
    "sourceRepositoryVisibilityAtSigning": 22,
}
RAW_ARCS = range(1, 7)  # .1-.6 hold raw bytes; .8 on hold DER UTF8String

CURVE_ORDER = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
}


# ---------------------------------------------------------------------------------------------------- small helpers

def b64(data):
    return base64.standard_b64encode(data).decode()


def sha256(data):
    return hashlib.sha256(data).digest()


def canonical_json(obj):
    """RFC 8785 for the values used here (ASCII keys, strings, integers, lists, objects)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def der_tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def der_utf8(text):
    return der_tlv(0x0C, text.encode())


def rfc3339(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).replace(microsecond=0)


def derive(seed, label, size=32):
    out, counter = b"", 0
    while len(out) < size:
        out += hmac.new(seed, label.encode() + b"/" + str(counter).encode(), hashlib.sha512).digest()
        counter += 1
    return out[:size]


def derive_key(seed, label, curve):
    n = CURVE_ORDER[curve.name]
    scalar = int.from_bytes(derive(seed, "key:" + label, 64 + 16), "big") % (n - 1) + 1
    return ec.derive_private_key(scalar, curve)


def derive_serial(seed, label):
    return int.from_bytes(derive(seed, "serial:" + label, 16), "big") >> 1 | 1 << 120  # positive, 16 bytes


def ecdsa(hash_alg):
    return ec.ECDSA(hash_alg, deterministic_signing=True)


def spki_der(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


def write_json(path, obj):
    write(path, json.dumps(obj, indent=2) + "\n")


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def pub_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


# ------------------------------------------------------------------------------------------------ RFC 6962 Merkle tree

def leaf_hash(body):
    return sha256(b"\x00" + body)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split_point(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_hash(hashes_):
    if len(hashes_) == 1:
        return hashes_[0]
    k = split_point(len(hashes_))
    return node_hash(tree_hash(hashes_[:k]), tree_hash(hashes_[k:]))


def audit_path(index, hashes_):
    """RFC 6962 §2.1.1 PATH(m, D[n]), leaf-to-root order."""
    if len(hashes_) == 1:
        return []
    k = split_point(len(hashes_))
    if index < k:
        return audit_path(index, hashes_[:k]) + [tree_hash(hashes_[k:])]
    return audit_path(index - k, hashes_[k:]) + [tree_hash(hashes_[:k])]


def root_from_path(index, size, leaf, path):
    """SPEC §4 (RFC 9162 §2.1.3.2), as the verifiers compute it; used as a self-check."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    assert len(path) == inner + border, "audit path length"
    h = leaf
    for i, p in enumerate(path[:inner]):
        h = node_hash(h, p) if (index >> i) & 1 == 0 else node_hash(p, h)
    for p in path[inner:]:
        h = node_hash(p, h)
    return h


# ----------------------------------------------------------------------------------------------------------- init

def ca_cert(subject, issuer, key, issuer_key, serial, path_length, eku):
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer).public_key(key.public_key()).serial_number(serial)
               .not_valid_before(CA_NOT_BEFORE).not_valid_after(CA_NOT_AFTER)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=True, crl_sign=True, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer_key is not key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    return builder.sign(issuer_key, hashes.SHA384(), ecdsa_deterministic=True)


def tlog_instance(base_url, key):
    return {
        "baseUrl": base_url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {"rawBytes": b64(spki_der(key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                      "validFor": {"start": VALID_FOR_START}},
        "logId": {"keyId": b64(sha256(spki_der(key)))},
    }


def cmd_init(args):
    d = args.dir
    if os.path.exists(os.path.join(d, "log.json")) and not args.force:
        sys.exit(f"{d} already holds an instance (use --force to replace it)")
    os.makedirs(d, exist_ok=True)
    seed = sha256(args.seed.encode()) if args.seed is not None else os.urandom(32)
    root_key = derive_key(seed, "fulcio-root", ec.SECP384R1())
    inter_key = derive_key(seed, "fulcio-intermediate", ec.SECP384R1())
    rekor_key = derive_key(seed, "rekor", ec.SECP256R1())
    ct_key = derive_key(seed, "ctlog", ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                           x509.NameAttribute(NameOID.COMMON_NAME, "countersign-test-root")])
    inter_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                            x509.NameAttribute(NameOID.COMMON_NAME, "countersign-test-intermediate")])
    root = ca_cert(root_name, root_name, root_key, root_key, derive_serial(seed, "root"), 1, False)
    inter = ca_cert(inter_name, root_name, inter_key, root_key, derive_serial(seed, "intermediate"), 0, True)
    for name, key in (("fulcio-root", root_key), ("fulcio-intermediate", inter_key), ("rekor", rekor_key),
                      ("ctlog", ct_key)):
        write(os.path.join(d, name + ".key.pem"), key_pem(key))
    write(os.path.join(d, "fulcio-root.pem"), cert_pem(root))
    write(os.path.join(d, "fulcio-intermediate.pem"), cert_pem(inter))
    write(os.path.join(d, "rekor.pub.pem"), pub_pem(rekor_key))
    write(os.path.join(d, "ctlog.pub.pem"), pub_pem(ct_key))
    write_json(os.path.join(d, "trusted_root.json"), {
        "mediaType": TRUSTED_ROOT_TYPE,
        "tlogs": [tlog_instance(REKOR_URL, rekor_key)],
        "certificateAuthorities": [{
            "subject": {"organization": ORG, "commonName": "fulcio.countersign.test"},
            "uri": FULCIO_URL,
            "certChain": {"certificates": [{"rawBytes": b64(cert_der(inter))}, {"rawBytes": b64(cert_der(root))}]},
            "validFor": {"start": VALID_FOR_START},
        }],
        "ctlogs": [tlog_instance(CTLOG_URL, ct_key)],
        "timestampAuthorities": [],
    })
    write_json(os.path.join(d, "log.json"), {
        "seed": seed.hex(),
        "origin": REKOR_HOST,
        "treeId": int.from_bytes(derive(seed, "tree-id", 8), "big") >> 2,
        "leaves": [],
    })
    print(os.path.join(d, "trusted_root.json"))


# ----------------------------------------------------------------------------------------------------------- sign

def load_key(d, name):
    with open(os.path.join(d, name + ".key.pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def load_cert(d, name):
    with open(os.path.join(d, name + ".pem"), "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def claim_extensions(claims):
    out = []
    for name, value in claims.items():
        if not isinstance(value, str):
            sys.exit(f"claim {name}: value must be a string")
        if name in CLAIMS:
            arc = CLAIMS[name]
            oid = FULCIO + str(arc)
        elif name.startswith(FULCIO) and name[len(FULCIO):].isdigit():
            arc, oid = int(name[len(FULCIO):]), name
        else:
            sys.exit(f"unknown claim {name!r}; known: {', '.join(CLAIMS)} or a {FULCIO}N OID")
        if arc in (1, 8):
            sys.exit("the issuer extensions come from --issuer")
        raw = value.encode() if arc in RAW_ARCS else der_utf8(value)
        out.append((arc, x509.UnrecognizedExtension(ObjectIdentifier(oid), raw)))
    return out


def sct_signed_data(timestamp_ms, issuer_key_hash, tbs, extensions):
    """RFC 6962 §3.2 digitally-signed struct for a precert entry (SPEC §8)."""
    return (struct.pack("!BBQH", 0, 0, timestamp_ms, 1) + issuer_key_hash + len(tbs).to_bytes(3, "big") + tbs
            + struct.pack("!H", len(extensions)) + extensions)


def issue_leaf(d, seed, index, leaf_key, identity, issuer, claims, not_before, sct_extensions, corrupt_sct):
    inter = load_cert(d, "fulcio-intermediate")
    inter_key = load_key(d, "fulcio-intermediate")
    ct_key = load_key(d, "ctlog")
    san = x509.UniformResourceIdentifier(identity) if "://" in identity else x509.RFC822Name(identity)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([])).issuer_name(inter.subject).public_key(leaf_key.public_key())
               .serial_number(derive_serial(seed, f"leaf/{index}"))
               .not_valid_before(not_before).not_valid_after(not_before + LEAF_VALIDITY)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=False, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key()),
                              critical=False)
               .add_extension(x509.SubjectAlternativeName([san]), critical=True))
    # Fulcio's order: the issuer (.1), the legacy raw claims (.2-.6), the V2 issuer (.8), then .9 on.
    fulcio = [(1, x509.UnrecognizedExtension(OID_ISSUER_V1, issuer.encode())),
              (8, x509.UnrecognizedExtension(OID_ISSUER_V2, der_utf8(issuer)))] + claim_extensions(claims)
    for _, ext in sorted(fulcio, key=lambda e: e[0]):
        builder = builder.add_extension(ext, critical=False)

    # 1. The precertificate TBS: the certificate without the SCT list.
    pre = builder.sign(inter_key, hashes.SHA384(), ecdsa_deterministic=True)
    pre_tbs = pre.tbs_certificate_bytes
    # 2. The SCT over it.
    timestamp_ms = int(not_before.timestamp()) * 1000
    ct_id = sha256(spki_der(ct_key))
    issuer_key_hash = sha256(spki_der(inter_key))
    sig = ct_key.sign(sct_signed_data(timestamp_ms, issuer_key_hash, pre_tbs, sct_extensions), ecdsa(hashes.SHA256()))
    if corrupt_sct:
        sig = bytearray(sig)
        sig[-1] ^= 0x01
        sig = bytes(sig)
    sct = (struct.pack("!B", 0) + ct_id + struct.pack("!QH", timestamp_ms, len(sct_extensions)) + sct_extensions
           + struct.pack("!BBH", 4, 3, len(sig)) + sig)  # hash sha256(4), signature ecdsa(3)
    sct_list = struct.pack("!H", len(sct) + 2) + struct.pack("!H", len(sct)) + sct
    # 3. The final certificate: same fields, the SCT list extension appended last.
    final = builder.add_extension(
        x509.UnrecognizedExtension(OID_SCT_LIST, der_tlv(0x04, sct_list)), critical=False
    ).sign(inter_key, hashes.SHA384(), ecdsa_deterministic=True)
    assert final.tbs_precertificate_bytes == pre_tbs, "precertificate TBS differs from the pre-SCT TBS"
    assert final.extensions[-1].oid == OID_SCT_LIST
    parsed = final.extensions.get_extension_for_oid(OID_SCT_LIST).value
    assert len(parsed) == 1 and parsed[0].log_id == ct_id and parsed[0].extension_bytes == sct_extensions
    if not corrupt_sct:
        ct_key.public_key().verify(parsed[0].signature, sct_signed_data(
            timestamp_ms, issuer_key_hash, final.tbs_precertificate_bytes, parsed[0].extension_bytes),
            ecdsa(hashes.SHA256()))
    final.verify_directly_issued_by(inter)
    return final, inter


def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def checkpoint(rekor_key, origin, tree_id, size, root):
    note = f"{origin} - {tree_id}\n{size}\n{b64(root)}\n"
    sig = rekor_key.sign(note.encode(), ecdsa(hashes.SHA256()))
    hint = sha256(spki_der(rekor_key))[:4]
    return f"{note}\n\u2014 {origin} {b64(hint + sig)}\n"


@contextlib.contextmanager
def locked(d):
    with open(os.path.join(d, "log.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def cmd_sign(args):
    d = args.dir
    dsse_mode = args.dsse_payload_file is not None
    if dsse_mode and (args.artifact or args.digest):
        sys.exit("--dsse-payload-file signs the payload; --artifact/--digest do not apply")
    if not dsse_mode and not (args.artifact or args.digest):
        sys.exit("one of --artifact, --digest or --dsse-payload-file is required")
    if dsse_mode and args.cosign_annotations:
        sys.exit("--cosign-annotations is only for message signatures (a legacy .sig layer)")
    claims = {}
    if args.claims:
        text = open(args.claims[1:]).read() if args.claims.startswith("@") else args.claims
        claims = json.loads(text)
        if not isinstance(claims, dict):
            sys.exit("--claims must be a JSON object")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    not_before = parse_time(args.time) if args.time else now
    integrated_time = int((parse_time(args.integrated_time) if args.integrated_time else not_before).timestamp())
    sct_extensions = bytes.fromhex(args.sct_extensions) if args.sct_extensions else b""

    if args.artifact:
        with open(args.artifact, "rb") as f:
            digest = sha256(f.read())
    elif args.digest:
        if not args.digest.startswith("sha256:") or len(args.digest) != 71:
            sys.exit("--digest must be sha256:<64 hex digits>")
        digest = bytes.fromhex(args.digest[7:])
    else:
        with open(args.dsse_payload_file, "rb") as f:
            payload = f.read()

    with locked(d):
        with open(os.path.join(d, "log.json")) as f:
            state = json.load(f)
        seed = bytes.fromhex(state["seed"])
        index = len(state["leaves"])
        leaf_key = derive_key(seed, f"ephemeral/{index}", ec.SECP256R1())
        leaf, inter = issue_leaf(d, seed, index, leaf_key, args.identity, args.issuer, claims, not_before,
                                 sct_extensions, args.corrupt_sct)
        root = load_cert(d, "fulcio-root")
        rekor_key = load_key(d, "rekor")
        leaf_pem_b64 = b64(cert_pem(leaf))

        if dsse_mode:
            signature = leaf_key.sign(pae(args.payload_type, payload), ecdsa(hashes.SHA256()))
            rekor_envelope = json.dumps({"payloadType": args.payload_type, "payload": b64(payload),
                                         "signatures": [{"keyid": "", "sig": b64(signature)}]},
                                        separators=(",", ":")).encode()
            body = canonical_json({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": sha256(rekor_envelope).hex()},
                "payloadHash": {"algorithm": "sha256", "value": sha256(payload).hex()},
                "signatures": [{"signature": b64(signature), "verifier": leaf_pem_b64}],
            }})
            kind = "dsse"
            content = {"dsseEnvelope": {"payload": b64(payload), "payloadType": args.payload_type,
                                        "signatures": [{"sig": b64(signature)}]}}
        else:
            signature = leaf_key.sign(digest, ecdsa(Prehashed(hashes.SHA256())))
            body = canonical_json({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
                "signature": {"content": b64(signature), "publicKey": {"content": leaf_pem_b64}},
            }})
            kind = "hashedrekord"
            content = {"messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(digest)},
                                            "signature": b64(signature)}}

        state["leaves"].append(b64(body))
        leaves = [leaf_hash(base64.standard_b64decode(x)) for x in state["leaves"]]
        size = len(leaves)
        root_hash = tree_hash(leaves)
        path = audit_path(index, leaves)
        assert root_from_path(index, size, leaves[index], path) == root_hash
        log_id = sha256(spki_der(rekor_key))
        set_payload = canonical_json({"body": b64(body), "integratedTime": integrated_time,
                                      "logID": log_id.hex(), "logIndex": index})
        set_sig = rekor_key.sign(set_payload, ecdsa(hashes.SHA256()))
        entry = {
            "logIndex": str(index),
            "logId": {"keyId": b64(log_id)},
            "kindVersion": {"kind": kind, "version": "0.0.1"},
            "integratedTime": str(integrated_time),
            "inclusionPromise": {"signedEntryTimestamp": b64(set_sig)},
            "inclusionProof": {
                "logIndex": str(index),
                "rootHash": b64(root_hash),
                "treeSize": str(size),
                "hashes": [b64(h) for h in path],
                "checkpoint": {"envelope": checkpoint(rekor_key, state["origin"], state["treeId"], size,
                                                      root_hash)},
            },
            "canonicalizedBody": b64(body),
        }
        bundle = {"mediaType": BUNDLE_TYPE,
                  "verificationMaterial": {"certificate": {"rawBytes": b64(cert_der(leaf))},
                                           "tlogEntries": [entry]}}
        bundle.update(content)
        write_json(args.bundle, bundle)
        if args.cosign_annotations:
            cosign_bundle = json.dumps({"SignedEntryTimestamp": b64(set_sig), "Payload": {
                "body": b64(body), "integratedTime": integrated_time, "logIndex": index, "logID": log_id.hex()}},
                separators=(",", ":"))
            write_json(args.cosign_annotations, {
                "dev.sigstore.cosign/certificate": cert_pem(leaf).decode(),
                "dev.sigstore.cosign/chain": (cert_pem(inter) + cert_pem(root)).decode(),
                "dev.sigstore.cosign/bundle": cosign_bundle,
                "dev.cosignproject.cosign/signature": b64(signature),
            })
        write_json(os.path.join(d, "log.json"), state)
    print(json.dumps({"logIndex": index, "treeSize": size, "integratedTime": integrated_time}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create a private instance in DIR")
    p.add_argument("dir")
    p.add_argument("--seed", help="derive every key and serial from this text (deterministic output)")
    p.add_argument("--force", action="store_true", help="replace an existing instance")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("sign", help="issue a certificate, sign, log, write a bundle")
    p.add_argument("dir")
    p.add_argument("--identity", required=True, help="SAN: a URI if it contains ://, else an email")
    p.add_argument("--issuer", required=True, help="OIDC issuer (extensions .57264.1.1 and .1.8)")
    p.add_argument("--claims", help="JSON object (or @FILE) of further Fulcio extensions, see above")
    p.add_argument("--artifact", help="file to sign (message signature)")
    p.add_argument("--digest", help="sha256:HEX to sign (message signature)")
    p.add_argument("--dsse-payload-file", help="sign this payload in a DSSE envelope instead")
    p.add_argument("--payload-type", default=IN_TOTO_TYPE, help="DSSE payloadType (default %(default)s)")
    p.add_argument("--time", help="certificate notBefore, SCT and integrated time (RFC 3339; default now)")
    p.add_argument("--integrated-time", help="log integratedTime if different from --time (RFC 3339)")
    p.add_argument("--sct-extensions", help="hex CtExtensions to put in the SCT (default none)")
    p.add_argument("--corrupt-sct", action="store_true", help="embed an SCT whose signature does not verify")
    p.add_argument("--bundle", required=True, help="where to write the bundle v0.3")
    p.add_argument("--cosign-annotations", help="also write cosign's legacy .sig layer annotations here")
    p.set_defaults(func=cmd_sign)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
