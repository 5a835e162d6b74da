#!/usr/bin/env python3
"""Seeds a registry with a small OCI image and cosign-format signatures and attestations made by independent tools.

Usage: registry-fixture.py REGISTRY OUTDIR   (REGISTRY is host:port of a plain-HTTP registry, e.g. scripts/with-registry.sh)

- the image: a one-layer OCI layout built here with deterministic tar/gzip, pushed with `skopeo copy`;
- legacy `.sig` signatures: cosign's simple-signing payload, signed with `openssl dgst -sha256 -sign` (ECDSA P-256,
  DER) or `openssl pkeyutl -rawin` (Ed25519), keys made with `openssl genpkey`;
- `.att` attestations: in-toto Statements built with `in-toto-attestation` and DSSE-signed with `securesystemslib`;
- one Sigstore bundle v0.3 referrer reachable only through the `sha256-<hex>` fallback tag (distribution 2.8 has
  no referrers API);
- one tampered variant per repository (wrong key, payload naming another digest, modified payload, attestation for
  another subject, untrusted builder, feature-branch ref);
- keyless signatures by a private Sigstore instance (scripts/sigstore-fixture.py, in OUTDIR/keyless with its
  trusted_root.json): `keyless/app` a `.sig` layer with cosign's certificate and Rekor annotations and a GitHub-style
  attestation bundle referrer, `keyless/att` a keyless `.att` layer instead, `keyless/v3` cosign v3's signature
  bundle, and `keyless/mallory` the same as `keyless/app` by another workflow.

Writes OUTDIR/fixture.json (digest, references per case) and OUTDIR/policy.yaml with OUTDIR/keys/*.pub. Needs
skopeo, openssl and the pip packages securesystemslib[crypto] and in-toto-attestation.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import urllib.request

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from google.protobuf import json_format
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey

TRUSTED_BUILDER = "https://github.com/actions/runner/github-hosted"
OTHER_DIGEST = "sha256:" + "cd" * 32


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def run(*args, data=None):
    return subprocess.run(args, input=data, check=True, capture_output=True).stdout


def build_image(out):
    """A one-layer OCI layout; fixed mtimes and owners make its digest reproducible."""
    layout = os.path.join(out, "oci")
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        content = b"hello deploy-approval\n"
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(content), 0, 0o644
        tar.addfile(info, io.BytesIO(content))
    layer_tar = raw.getvalue()
    layer = gzip.compress(layer_tar, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256(layer_tar)]}},
                        separators=(",", ":")).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sha256(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + sha256(layer),
                    "size": len(layer)}]}, separators=(",", ":")).encode()
    for blob in (layer, config, manifest):
        with open(os.path.join(blobs, sha256(blob)), "wb") as f:
            f.write(blob)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha256(manifest),
            "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, f)
    return layout


class Registry:
    def __init__(self, host):
        self.base = "http://" + host

    def request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()

    def push_blob(self, repo, data):
        digest = "sha256:" + sha256(data)
        _, headers, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/")
        location = headers["Location"]
        if location.startswith("http"):
            location = location[len(self.base):]
        sep = "&" if "?" in location else "?"
        self.request("PUT", f"{location}{sep}digest={digest}", data=data,
                     headers={"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    def push_manifest(self, repo, tag, manifest, media_type="application/vnd.oci.image.manifest.v1+json"):
        body = json.dumps(manifest, separators=(",", ":")).encode()
        self.request("PUT", f"/v2/{repo}/manifests/{tag}", data=body, headers={"Content-Type": media_type})
        return {"digest": "sha256:" + sha256(body), "size": len(body), "mediaType": media_type}


def keypair(keys, name, algorithm):
    private = os.path.join(keys, name + ".key")
    if algorithm == "ed25519":
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", private)
    else:
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", private)
    run("openssl", "pkey", "-in", private, "-pubout", "-out", os.path.join(keys, name + ".pub"))
    return private


def openssl_sign(private, algorithm, payload, workdir):
    path = os.path.join(workdir, "payload.bin")
    with open(path, "wb") as f:
        f.write(payload)
    if algorithm == "ed25519":
        sig = run("openssl", "pkeyutl", "-sign", "-inkey", private, "-rawin", "-in", path)
    else:
        sig = run("openssl", "dgst", "-sha256", "-sign", private, path)
    return base64.b64encode(sig).decode()


def simple_signing(digest, reference):
    # Cosign's exact bytes: Go struct order, no whitespace.
    return ('{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},'
            '"type":"cosign container image signature"},"optional":null}' % (reference, digest)).encode()


def empty_config(registry, repo, diff_ids):
    config = json.dumps({"architecture": "", "created": "0001-01-01T00:00:00Z",
                         "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}},
                        separators=(",", ":")).encode()
    pushed = registry.push_blob(repo, config)
    return {"mediaType": "application/vnd.oci.image.config.v1+json", **pushed}


def push_signature(registry, repo, digest, payload, signature):
    layer = registry.push_blob(repo, payload)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": empty_config(registry, repo, [layer["digest"]]),
                "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", **layer,
                            "annotations": {"dev.cosignproject.cosign/signature": signature}}]}
    registry.push_manifest(repo, digest.replace(":", "-") + ".sig", manifest)


def push_attestation(registry, repo, digest, envelope_json, predicate_type):
    layer = registry.push_blob(repo, envelope_json)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": empty_config(registry, repo, [layer["digest"]]),
                "layers": [{"mediaType": "application/vnd.dsse.envelope.v1+json", **layer,
                            "annotations": {"dev.cosignproject.cosign/signature": "", "predicateType": predicate_type}}]}
    registry.push_manifest(repo, digest.replace(":", "-") + ".att", manifest)


def push_bundle_referrer(registry, repo, digest, manifest_size, envelope):
    """A key-signed bundle (cosign v3's form) holding ENVELOPE, as a referrer of DIGEST."""
    bundle = json.dumps({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                         "verificationMaterial": {"publicKey": {"hint": "release"}, "tlogEntries": []},
                         "dsseEnvelope": envelope}, separators=(",", ":")).encode()
    push_bundle_referrers(registry, repo, digest, manifest_size, [bundle])


RELEASE_WORKFLOW = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
OTHER_WORKFLOW = "https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def keyless_sign(out, identity, args):
    """Signs with the private Sigstore instance in OUT/keyless (scripts/sigstore-fixture.py): a Fulcio-like
    certificate for IDENTITY with GitHub's claims, a Rekor v1 entry, an SCT. Returns (bundle, cosign annotations)."""
    here = os.path.dirname(os.path.abspath(__file__))
    instance = os.path.join(out, "keyless")
    if not os.path.exists(os.path.join(instance, "trusted_root.json")):
        run(sys.executable, os.path.join(here, "sigstore-fixture.py"), "init", instance, "--seed", "countersign")
    repository = identity.split("/.github/")[0]
    claims = {"sourceRepositoryURI": repository, "sourceRepositoryRef": "refs/heads/main",
              "buildTrigger": "push", "sourceRepositoryDigest": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}
    bundle = os.path.join(instance, "out-bundle.json")
    annotations = os.path.join(instance, "out-annotations.json")
    extra = ["--cosign-annotations", annotations] if "--artifact" in args else []
    run(sys.executable, os.path.join(here, "sigstore-fixture.py"), "sign", instance, "--identity", identity,
        "--issuer", GITHUB_ISSUER, "--claims", json.dumps(claims), *args, "--bundle", bundle, *extra)
    with open(bundle, "rb") as f:
        signed = f.read()
    if not extra:
        return signed, None
    with open(annotations) as f:
        return signed, json.load(f)


def keyless_dsse(out, identity, statement):
    path = os.path.join(out, "keyless-statement.json")
    with open(path, "wb") as f:
        f.write(statement)
    bundle, _ = keyless_sign(out, identity, ["--dsse-payload-file", path,
                                             "--payload-type", "application/vnd.in-toto+json"])
    return bundle


def push_keyless(registry, out, repo, digest, manifest_size, name, identity, style):
    """A keyless-signed image as cosign and GitHub leave it. `sig`: a `.sig` layer whose certificate, Rekor bundle
    and signature annotations cosign writes, and a GitHub-style artifact attestation — a Sigstore bundle v0.3
    holding a DSSE SLSA provenance statement — as a referrer. `att`: the same `.sig`, and the attestation as a
    keyless `.att` layer (`cosign attest` before v3: the envelope, with certificate and Rekor bundle annotations).
    `v3`: cosign v3 — the signature a DSSE statement of the cosign/sign predicate in a bundle, both bundles
    referrers."""
    referrers = []
    if style in ("sig", "att"):
        payload = simple_signing(digest, name)
        path = os.path.join(out, "keyless-payload.json")
        with open(path, "wb") as f:
            f.write(payload)
        _, annotations = keyless_sign(out, identity, ["--artifact", path])
        layer = registry.push_blob(repo, payload)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": empty_config(registry, repo, [layer["digest"]]),
                    "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", **layer,
                                "annotations": annotations}]}
        registry.push_manifest(repo, digest.replace(":", "-") + ".sig", manifest)
    else:
        statement = json.dumps({"_type": "https://in-toto.io/Statement/v1",
                                "subject": [{"name": name, "digest": {"sha256": digest.split(":", 1)[1]}}],
                                "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}},
                               separators=(",", ":")).encode()
        referrers.append(keyless_dsse(out, identity, statement))
    provenance = keyless_dsse(out, identity, statement_v1(digest, name))
    if style == "att":
        parsed = json.loads(provenance)
        entry = parsed["verificationMaterial"]["tlogEntries"][0]
        der = base64.b64decode(parsed["verificationMaterial"]["certificate"]["rawBytes"])
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
            base64.b64encode(der).decode()[i:i + 64] for i in range(0, len(base64.b64encode(der)), 64)
        ) + "\n-----END CERTIFICATE-----\n"
        rekor = {"SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
                 "Payload": {"body": entry["canonicalizedBody"], "integratedTime": int(entry["integratedTime"]),
                             "logIndex": int(entry["logIndex"]),
                             "logID": base64.b64decode(entry["logId"]["keyId"]).hex()}}
        envelope = json.dumps(parsed["dsseEnvelope"], separators=(",", ":")).encode()
        layer = registry.push_blob(repo, envelope)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": empty_config(registry, repo, [layer["digest"]]),
                    "layers": [{"mediaType": "application/vnd.dsse.envelope.v1+json", **layer,
                                "annotations": {"dev.cosignproject.cosign/signature": "",
                                                "dev.sigstore.cosign/certificate": pem,
                                                "dev.sigstore.cosign/bundle": json.dumps(rekor, separators=(",", ":")),
                                                "predicateType": "https://slsa.dev/provenance/v1"}}]}
        registry.push_manifest(repo, digest.replace(":", "-") + ".att", manifest)
    else:
        referrers.append(provenance)
    if referrers:
        push_bundle_referrers(registry, repo, digest, manifest_size, referrers)


def push_bundle_referrers(registry, repo, digest, manifest_size, bundles):
    """Each bundle as a referrer of DIGEST, listed in the `sha256-<hex>` fallback index (distribution 2.8 has no
    referrers API)."""
    artifact_type = "application/vnd.dev.sigstore.bundle.v0.3+json"
    entries = []
    for bundle in bundles:
        layer = registry.push_blob(repo, bundle)
        empty = registry.push_blob(repo, b"{}")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "artifactType": artifact_type,
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json", **empty},
                    "layers": [{"mediaType": artifact_type, **layer}],
                    "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                                "size": manifest_size},
                    "annotations": {"dev.sigstore.bundle.content": "dsse-envelope"}}
        body = json.dumps(manifest, separators=(",", ":")).encode()
        ref = "sha256:" + sha256(body)
        registry.push_manifest(repo, ref, manifest)
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ref,
                        "size": len(body), "artifactType": artifact_type})
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
    registry.push_manifest(repo, digest.replace(":", "-"), index, "application/vnd.oci.image.index.v1+json")


def statement_v1(digest, name, builder=TRUSTED_BUILDER, ref="refs/heads/main"):
    repo = "https://github.com/acme/app"
    predicate = {
        "buildDefinition": {
            "buildType": "https://actions.github.io/buildtypes/workflow/v1",
            "externalParameters": {"workflow": {"ref": ref, "repository": repo, "path": ".github/workflows/build.yml"}},
            "resolvedDependencies": [{"uri": f"git+{repo}@{ref}",
                                      "digest": {"gitCommit": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}}]},
        "runDetails": {"builder": {"id": builder}, "metadata": {"invocationId": "https://github.com/acme/app/actions/runs/1"}}}
    subject = ResourceDescriptor(name=name, digest={"sha256": digest.split(":", 1)[1]}).pb
    statement = Statement([subject], "https://slsa.dev/provenance/v1", predicate)
    statement.validate()
    return json_format.MessageToJson(statement.pb, indent=None).encode()


def statement_v02(digest, name):
    source = "git+https://github.com/acme/app@refs/heads/main"
    return json.dumps({
        "_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": name, "digest": {"sha256": digest.split(":", 1)[1]}}],
        "predicate": {"builder": {"id": TRUSTED_BUILDER},
                      "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
                      "invocation": {"configSource": {"uri": source, "digest": {"sha1": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"},
                                                      "entryPoint": ".github/workflows/build.yml"},
                                     "environment": {"github_ref": "refs/heads/main"}},
                      "materials": [{"uri": source, "digest": {"sha1": "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d"}}]}}).encode()


def dsse(statement, private):
    with open(private, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    signer = CryptoSigner(key, SSlibKey.from_crypto(key.public_key()))
    envelope = Envelope(payload=statement, payload_type="application/vnd.in-toto+json", signatures={})
    envelope.sign(signer)
    envelope.verify([signer.public_key], 1)
    return envelope.to_dict()


def main():
    host, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    keys = os.path.join(out, "keys")
    os.makedirs(keys, exist_ok=True)
    release = keypair(keys, "release", "ecdsa")
    mallory = keypair(keys, "mallory", "ecdsa")
    ed25519 = keypair(keys, "ed25519", "ed25519")
    layout = build_image(out)
    registry = Registry(host)
    cases = ["app", "wrongkey", "otherdigest", "modified", "othersubject", "untrusted", "featureref", "v02", "bundle"]
    digest = None
    for case in cases + ["ed/app"]:
        repo = case if case == "ed/app" else "demo/" + case
        digest_file = os.path.join(out, "digest")
        run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digest_file,
            f"oci:{layout}:v1", f"docker://{host}/{repo}:v1")
        with open(digest_file) as f:
            digest = f.read().strip()
    with open(os.path.join(layout, "index.json")) as f:
        manifest_size = json.load(f)["manifests"][0]["size"]
    refs = {}
    for case in cases:
        repo = "demo/" + case
        name = f"{host}/{repo}"
        refs[case] = f"{name}@{digest}"
        payload = simple_signing(OTHER_DIGEST if case == "otherdigest" else digest, name)
        signature = openssl_sign(mallory if case == "wrongkey" else release, "ecdsa", payload, out)
        if case == "modified":
            payload = payload.replace(b'"optional":null', b'"optional":{"x":"1"}')
        push_signature(registry, repo, digest, payload, signature)
        if case == "v02":
            statement = statement_v02(digest, name)
        else:
            statement = statement_v1(
                OTHER_DIGEST if case == "othersubject" else digest, name,
                builder="https://evil.example/builder" if case == "untrusted" else TRUSTED_BUILDER,
                ref="refs/heads/feature/x" if case == "featureref" else "refs/heads/main")
        envelope = dsse(statement, release)
        predicate = json.loads(statement)["predicateType"]
        if case == "bundle":
            push_bundle_referrer(registry, repo, digest, manifest_size, envelope)
        else:
            push_attestation(registry, repo, digest, json.dumps(envelope, separators=(",", ":")).encode(), predicate)
    # Ed25519: signature by openssl, attestation by securesystemslib, under their own policy.
    name = f"{host}/ed/app"
    refs["ed25519"] = f"{name}@{digest}"
    payload = simple_signing(digest, name)
    push_signature(registry, "ed/app", digest, payload, openssl_sign(ed25519, "ed25519", payload, out))
    push_attestation(registry, "ed/app", digest,
                     json.dumps(dsse(statement_v1(digest, name), ed25519), separators=(",", ":")).encode(),
                     "https://slsa.dev/provenance/v1")
    refs["tagonly"] = f"{host}/demo/app:v1"
    # Promotion by an independent reader of the layout: skopeo (containers/image) finds demo/app's .sig attachment
    # and carries it along (rewriting the config blob, not the payload or signature). Into copied/app it verifies
    # under a signature-only policy; into demo/promoted the payload's docker-reference still names demo/app.
    registries_d = os.path.join(out, "registries.d")
    os.makedirs(registries_d, exist_ok=True)
    with open(os.path.join(registries_d, "local.yaml"), "w") as f:
        f.write(f"docker:\n  {host}:\n    use-sigstore-attachments: true\n")
    for target in ("copied/app", "demo/promoted"):
        run("skopeo", "--insecure-policy", "--registries.d", registries_d, "copy", "--quiet", "--src-tls-verify=false",
            "--dest-tls-verify=false", f"docker://{host}/demo/app:v1", f"docker://{host}/{target}:v1")
        refs[target.replace("/", "-")] = f"{host}/{target}@{digest}"
    # A multi-arch index whose linux/amd64 manifest (the image above) is signed, not the index itself: verified
    # under a policy naming the platform (multi/*), rejected under one that verifies the index digest (multiidx/*).
    with open(os.path.join(layout, "index.json")) as f:
        entry = dict(json.load(f)["manifests"][0])
    entry.pop("annotations", None)
    entry["platform"] = {"os": "linux", "architecture": "amd64"}
    for repo in ("multi/app", "multiidx/app"):
        run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:v1",
            f"docker://{host}/{repo}:v1-amd64")
        index = registry.push_manifest(repo, "v1", {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                                    "manifests": [entry]}, "application/vnd.oci.image.index.v1+json")
        name = f"{host}/{repo}"
        payload = simple_signing(digest, name)
        push_signature(registry, repo, digest, payload, openssl_sign(release, "ecdsa", payload, out))
        push_attestation(registry, repo, digest, json.dumps(dsse(statement_v1(digest, name), release),
                                                            separators=(",", ":")).encode(), "https://slsa.dev/provenance/v1")
        refs[repo.split("/")[0]] = f"{name}@{index['digest']}"
    # Keyless: signed by acme's release workflow, and by mallory's, through the private Sigstore instance.
    for case, identity, style in (("app", RELEASE_WORKFLOW, "sig"), ("mallory", OTHER_WORKFLOW, "sig"),
                                  ("att", RELEASE_WORKFLOW, "att"), ("v3", RELEASE_WORKFLOW, "v3")):
        repo = "keyless/" + case
        run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:v1", f"docker://{host}/{repo}:v1")
        name = f"{host}/{repo}"
        push_keyless(registry, out, repo, digest, manifest_size, name, identity, style)
        refs["keyless-" + case] = f"{name}@{digest}"
    with open(os.path.join(out, "policy.yaml"), "w") as f:
        f.write(f"""apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: signed-from-main }}
spec:
  images: ["{host}/demo/*"]
  signatures: {{ keys: [keys/release.pub], matchDockerReference: true }}
  provenance:
    predicateTypes: ["https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"]
    builders: ["{TRUSTED_BUILDER}"]
    sourceRefs: ["^refs/heads/(main|release/.*)$"]
    condition: "provenance.sourceRepository == 'https://github.com/acme/app'"
---
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: ed25519-signed }}
spec:
  images: ["{host}/ed/*"]
  signatures: {{ keys: [keys/ed25519.pub] }}
  provenance:
    builders: ["{TRUSTED_BUILDER}"]
    sourceRefs: ["^refs/heads/main$"]
---
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: platform-signed }}
spec:
  images: ["{host}/multi/*"]
  platform: linux/amd64
  signatures: {{ keys: [keys/release.pub] }}
  provenance: {{ builders: ["{TRUSTED_BUILDER}"] }}
---
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: signature-only }}
spec:
  images: ["{host}/copied/*"]
  signatures: {{ keys: [keys/release.pub] }}
---
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: index-signed }}
spec:
  images: ["{host}/multiidx/*"]
  signatures: {{ keys: [keys/release.pub] }}
---
apiVersion: countersign.dev/v1alpha1
kind: ArtifactPolicy
metadata: {{ name: keyless-release }}
spec:
  images: ["{host}/keyless/*"]
  trustedRoot: keyless/trusted_root.json
  signatures:
    identities: [{{ issuer: "{GITHUB_ISSUER}", subject: "{RELEASE_WORKFLOW}" }}]
    matchDockerReference: true
  provenance:
    builders: ["{TRUSTED_BUILDER}"]
    condition: "signer.sourceRepositoryURI == 'https://github.com/acme/app' && signer.sourceRepositoryRef == 'refs/heads/main'"
""")
    with open(os.path.join(out, "fixture.json"), "w") as f:
        json.dump({"registry": host, "digest": digest, "references": refs}, f, indent=2)


if __name__ == "__main__":
    main()
