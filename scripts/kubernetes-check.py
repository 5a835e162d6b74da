#!/usr/bin/env python3
"""Renders the Kubernetes manifests of deploy/kubernetes and checks what they promise.

Every render — the base, each overlay, and the example overlay of docs/kubernetes.md (postgres with the cert-manager
component and an image pinned by digest, built as the doc says: its marked ```yaml blocks written where their
`<!-- kubernetes-check: PATH -->` marks say, beside a `countersign` link to this repository, with the base's policy
copied in as the doc's `cp` does) — is made by `kubectl kustomize`, then:

1. every object is validated against the Kubernetes OpenAPI schemas of kubernetes-validate, strictly (an unknown
   field is an error), for the oldest Kubernetes the manifests claim (1.30: the preStop `sleep` action is on by
   default from there) and the newest the library ships. cert-manager's kinds are not in those schemas: they are
   validated here against the subset of their CRDs the manifests use (CRD_SCHEMAS, equally strict), and any other
   kind without a schema fails;
2. every RULE holds: each is a property of the rendered objects (read from them, never a string match on one
   example) that says why it matters when it fails.

Every failure is listed, then the exit status is 1. `--self-test` shows the rules can fail: it breaks a rendered copy
in memory in each way in MUTATIONS and expects the named rule (or the schema) to catch it.

Usage: .build/supply-chain-venv/bin/python scripts/kubernetes-check.py [--self-test]
(kubectl on PATH, with kustomize 5 or later; kubernetes-validate from scripts/python-deps.sh)
"""

import copy
import json
import pathlib
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "kubernetes"
DOC = ROOT / "docs" / "kubernetes.md"

try:
    import jsonschema
    import kubernetes_validate
    import yaml
except ImportError as error:
    sys.exit(
        f"kubernetes-check: {error}; run it with .build/supply-chain-venv/bin/python (scripts/python-deps.sh installs "
        "kubernetes-validate there)"
    )

KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
NAME_LABEL = "kubernetes.io/metadata.name"
OPT_IN_LABEL = "countersign.dev/admission"
PROTECTED_WEBHOOK = "protected.admission.countersign.dev"
OPT_IN_WEBHOOK = "opt-in.admission.countersign.dev"
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
MAX_TIMEOUT = 10  # the server's budget; Kubernetes allows up to 30
# What the admission webhook must see created and updated: every kind docs/server.md says it checks.
GATED = [
    ("", "pods"),
    ("", "pods/ephemeralcontainers"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("argoproj.io", "rollouts"),
]
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"}
SECRET_NAME = re.compile(r"SECRET|KEY|TOKEN|PASSWORD|CREDENTIAL")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")

# ---------------------------------------------------------------------------------------------------------------
# cert-manager.io/v1: the subset of the Issuer and Certificate CRDs the component uses, as strict as the core schemas.

# cert-manager's key usages (the KeyUsage type of cert-manager.io/v1).
KEY_USAGES = (
    "signing, digital signature, content commitment, key encipherment, key agreement, data encipherment, cert sign, "
    "crl sign, encipher only, decipher only, any, server auth, client auth, code signing, email protection, s/mime, "
    "ipsec end system, ipsec tunnel, ipsec user, timestamping, ocsp signing, microsoft sgc, netscape sgc"
).split(", ")
_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_STRING_MAP = {"type": "object", "additionalProperties": _STRING}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {"name": _STRING, "namespace": _STRING, "labels": _STRING_MAP, "annotations": _STRING_MAP},
}


def _crd(kind, spec):
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "cert-manager.io/v1"},
            "kind": {"const": kind},
            "metadata": _METADATA,
            "spec": spec,
        },
    }


CRD_SCHEMAS = {
    ("cert-manager.io/v1", "Issuer"): _crd(
        "Issuer",
        {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,  # one kind of issuer
            "properties": {
                "selfSigned": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"crlDistributionPoints": _STRINGS},
                },
                "ca": {
                    "type": "object",
                    "required": ["secretName"],
                    "additionalProperties": False,
                    "properties": {
                        "secretName": _STRING,
                        "crlDistributionPoints": _STRINGS,
                        "ocspServers": _STRINGS,
                        "issuingCertificateURLs": _STRINGS,
                    },
                },
            },
        },
    ),
    ("cert-manager.io/v1", "Certificate"): _crd(
        "Certificate",
        {
            "type": "object",
            "required": ["secretName", "issuerRef"],
            "additionalProperties": False,
            "properties": {
                "secretName": _STRING,
                "commonName": _STRING,
                "dnsNames": _STRINGS,
                "ipAddresses": _STRINGS,
                "uris": _STRINGS,
                "duration": _STRING,
                "renewBefore": _STRING,
                "isCA": {"type": "boolean"},
                "usages": {"type": "array", "items": {"enum": KEY_USAGES}},
                "privateKey": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "algorithm": {"enum": ["RSA", "ECDSA", "Ed25519"]},
                        "size": {"type": "integer"},
                        "encoding": {"enum": ["PKCS1", "PKCS8"]},
                        "rotationPolicy": {"enum": ["Never", "Always"]},
                    },
                },
                "issuerRef": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {"name": _STRING, "kind": _STRING, "group": _STRING},
                },
                "secretTemplate": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"labels": _STRING_MAP, "annotations": _STRING_MAP},
                },
            },
        },
    ),
}

# ---------------------------------------------------------------------------------------------------------------
# Reading the rendered objects.


class Render:
    """One `kubectl kustomize` output and what its rules need to know about it."""

    def __init__(self, name, profile, objects, pinned_image=False, cert_manager=False):
        self.name = name
        self.profile = profile  # "base", "sqlite" or "postgres"
        self.objects = objects
        self.pinned_image = pinned_image
        self.cert_manager = cert_manager

    def of_kind(self, kind):
        return [o for o in self.objects if o.get("kind") == kind]

    def one(self, kind, name):
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)

    @property
    def deployment(self):
        return self.one("Deployment", "countersign")

    @property
    def namespace(self):
        d = self.deployment
        return d["metadata"].get("namespace") if d else None

    def pod(self):
        return self.deployment["spec"]["template"]["spec"]

    def server(self):
        return next(c for c in self.pod()["containers"] if c["name"] == "countersign")

    def env(self):
        return {e["name"]: e for e in self.server().get("env", [])}


def pod_specs(render):
    """(where, pod spec, pod template labels) of every workload rendered."""
    found = []
    for o in render.objects:
        kind, name = o.get("kind"), o["metadata"]["name"]
        if kind not in WORKLOADS:
            continue
        if kind == "Pod":
            found.append((f"Pod {name}", o["spec"], o["metadata"].get("labels", {})))
        elif kind == "CronJob":
            t = o["spec"]["jobTemplate"]["spec"]["template"]
            found.append((f"CronJob {name}", t["spec"], t.get("metadata", {}).get("labels", {})))
        else:
            t = o["spec"]["template"]
            found.append((f"{kind} {name}", t["spec"], t.get("metadata", {}).get("labels", {})))
    return found


def containers(pod):
    return pod.get("initContainers", []) + pod.get("containers", [])


def selects(selector, labels):
    """Whether a label selector (matchLabels and matchExpressions) matches these labels."""
    if selector is None:
        return False
    for k, v in selector.get("matchLabels", {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions", []):
        k, op, values = e["key"], e["operator"], e.get("values", [])
        if op == "In" and labels.get(k) not in values:
            return False
        if op == "NotIn" and k in labels and labels[k] in values:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def requirements(selector):
    """A selector as {key: [(operator, values)]}, matchLabels as In."""
    by_key = {}
    for k, v in (selector or {}).get("matchLabels", {}).items():
        by_key.setdefault(k, []).append(("In", [v]))
    for e in (selector or {}).get("matchExpressions", []):
        by_key.setdefault(e["key"], []).append((e["operator"], e.get("values", [])))
    return by_key


def value_satisfies(reqs, value):
    """Whether a label's value (None: the label is absent) meets every requirement on its key."""
    for op, values in reqs:
        if op == "In" and (value is None or value not in values):
            return False
        if op == "NotIn" and value is not None and value in values:
            return False
        if op == "Exists" and value is None:
            return False
        if op == "DoesNotExist" and value is not None:
            return False
    return True


def satisfiable(reqs):
    """Whether some value of the label, or its absence, meets every requirement: what a namespace's owner, who
    may set any label but the name, can arrange."""
    if value_satisfies(reqs, None):
        return True
    ins = [set(values) for op, values in reqs if op == "In"]
    if not ins:
        return not any(op == "DoesNotExist" for op, _ in reqs)
    return any(value_satisfies(reqs, v) for v in set.intersection(*ins))


def can_select_namespace(selector, name, fixed=None):
    """Whether the namespace called `name` can be selected, whatever other labels its owner gives it (`fixed`:
    labels held at a given value, None for absent)."""
    fixed = dict(fixed or {})
    if selector is None:
        selector = {}
    for key, reqs in requirements(selector).items():
        if key == NAME_LABEL:
            if not value_satisfies(reqs, name):
                return False
        elif key in fixed:
            if not value_satisfies(reqs, fixed[key]):
                return False
        elif not satisfiable(reqs):
            return False
    return True


def policy_documents(render):
    """The policy documents the server loads: the file COUNTERSIGN_POLICY names, read from the rendered ConfigMap
    the file is mounted from. None when the file cannot be traced to one."""
    policy = render.env().get("COUNTERSIGN_POLICY", {}).get("value")
    found = mounted_file(render, policy) if policy else None
    if not found or found[0] != "configMap":
        return None
    cm = render.one("ConfigMap", found[1])
    if not cm or found[2] not in cm.get("data", {}):
        return None
    return [d for d in yaml.safe_load_all(cm["data"][found[2]]) if d]


def mounts(render):
    """(mountPath, volume, volumeMount) of the server container."""
    volumes = {v["name"]: v for v in render.pod().get("volumes", [])}
    return [(m["mountPath"], volumes.get(m["name"]), m) for m in render.server().get("volumeMounts", [])]


def mounted_file(render, path):
    """What puts a file at `path` in the server container: ("configMap" | "secret", name, key), ("secret", name,
    None) for a file of a Secret mounted whole, ("persistentVolumeClaim", claim, None) or ("emptyDir", name, None)
    for a path below such a mount; None when nothing does (projected volumes are not followed)."""
    if not path or not path.startswith("/"):
        return None
    path = posixpath.normpath(path)
    best = None
    for mount_path, volume, _ in mounts(render):
        if volume and (path == mount_path or path.startswith(mount_path.rstrip("/") + "/")):
            if best is None or len(mount_path) > len(best[0]):
                best = (mount_path, volume)
    if best is None:
        return None
    mount_path, volume = best
    relative = path[len(mount_path.rstrip("/")) + 1 :]
    for kind, name_key in (("configMap", "name"), ("secret", "secretName")):
        source = volume.get(kind)
        if source is None:
            continue
        items = source.get("items")
        if items is not None:
            key = next((i["key"] for i in items if posixpath.normpath(i["path"]) == relative), None)
            return (kind, source[name_key], key) if key else None
        if kind == "configMap":
            cm = render.one("ConfigMap", source[name_key])
            keys = cm.get("data", {}) if cm else {}
            return (kind, source[name_key], relative) if relative in keys else None
        return (kind, source[name_key], None) if "/" not in relative else None
    if "persistentVolumeClaim" in volume:
        return ("persistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"], None)
    if "emptyDir" in volume:
        return ("emptyDir", volume["name"], None)
    return None


def webhooks(render):
    return {w["name"]: w for v in render.of_kind("ValidatingWebhookConfiguration") for w in v.get("webhooks", [])}


def replicas(deployment):
    return deployment["spec"].get("replicas", 1)


def scaled(value, total, round_up):
    """A PodDisruptionBudget's int-or-percent as a count of pods (Kubernetes rounds both fields up)."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return int(-(-exact // 1)) if round_up else int(exact)
    return int(value)


# ---------------------------------------------------------------------------------------------------------------
# The rules. Each takes a Render and returns its failures; RULES says which renders each applies to.


def rule_pod_hardened(r):
    failures = []
    for where, pod, _ in pod_specs(r):
        psc = pod.get("securityContext", {})
        if pod.get("automountServiceAccountToken") is not False:
            failures.append(f"{where}: automountServiceAccountToken is not false (the server never calls the API)")
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(field):
                failures.append(f"{where}: {field} is set")
        for c in containers(pod):
            csc = c.get("securityContext", {})

            def effective(field):
                return csc.get(field, psc.get(field))

            name = f"{where} container {c['name']}"
            if effective("runAsNonRoot") is not True:
                failures.append(f"{name}: runAsNonRoot is not true")
            if effective("runAsUser") in (None, 0):
                failures.append(f"{name}: runAsUser is {effective('runAsUser')} (needs a non-root uid)")
            if csc.get("readOnlyRootFilesystem") is not True:
                failures.append(f"{name}: readOnlyRootFilesystem is not true")
            if csc.get("allowPrivilegeEscalation") is not False:
                failures.append(f"{name}: allowPrivilegeEscalation is not false")
            if csc.get("privileged"):
                failures.append(f"{name}: privileged")
            caps = csc.get("capabilities", {})
            if "ALL" not in caps.get("drop", []):
                failures.append(f"{name}: capabilities do not drop ALL")
            if caps.get("add"):
                failures.append(f"{name}: capabilities add {caps['add']}")
            seccomp = (effective("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                failures.append(f"{name}: seccompProfile is {seccomp} (RuntimeDefault expected)")
    return failures


def rule_writable_tmp(r):
    found = mounted_file(r, "/tmp/x")
    return (
        []
        if found and found[0] == "emptyDir"
        else ["/tmp is not an emptyDir: with a read-only root nothing can write there"]
    )


def rule_resources(r):
    failures = []
    for where, pod, _ in pod_specs(r):
        for c in containers(pod):
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in res.get(part, {}):
                        failures.append(f"{where} container {c['name']}: no {part}.{resource}")
    return failures


def rule_image(r):
    failures = []
    for where, pod, _ in pod_specs(r):
        for c in containers(pod):
            image = c.get("image", "")
            if DIGEST.search(image):
                continue
            if r.pinned_image or image != "countersign":
                failures.append(
                    f"{where} container {c['name']}: image {image!r} is not pinned by digest (…@sha256:<64 hex>)"
                )
    return failures


def rule_probes(r):
    failures = []
    c = r.server()
    port = r.env().get("COUNTERSIGN_PORT", {}).get("value")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    if "COUNTERSIGN_TLS_CERT" not in r.env() or "COUNTERSIGN_TLS_KEY" not in r.env():
        failures.append("the server does not serve HTTPS (COUNTERSIGN_TLS_CERT/KEY unset): the API server needs it")
    for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz"), ("startupProbe", "/livez")):
        get = c.get(probe, {}).get("httpGet")
        if get is None:
            if probe != "startupProbe":
                failures.append(f"no {probe} with httpGet")
            continue
        if get.get("path") != path:
            failures.append(f"{probe} asks {get.get('path')}, not {path}")
        if get.get("scheme") != "HTTPS":
            failures.append(f"{probe} scheme is {get.get('scheme', 'HTTP')}, not HTTPS (the server serves HTTPS only)")
        target = ports.get(get.get("port"), get.get("port"))
        if port is None or str(target) != str(port):
            failures.append(f"{probe} port {get.get('port')} is {target}, but the server listens on {port}")
    return failures


def rule_selectors(r):
    failures = []
    labels = r.deployment["spec"]["template"]["metadata"].get("labels", {})
    if not selects(r.deployment["spec"].get("selector"), labels):
        failures.append("the Deployment's selector does not select its own pods")
    ports = {p.get("name"): p["containerPort"] for p in r.server().get("ports", [])}
    for svc in r.of_kind("Service"):
        if not selects({"matchLabels": svc["spec"].get("selector", {})}, labels) or not svc["spec"].get("selector"):
            failures.append(f"Service {svc['metadata']['name']}: its selector does not select the server's pods")
        for p in svc["spec"].get("ports", []):
            target = ports.get(p.get("targetPort"), p.get("targetPort"))
            if target not in ports.values():
                failures.append(
                    f"Service {svc['metadata']['name']} port {p['port']}: targetPort {target} is no port of the server"
                )
    for pdb in r.of_kind("PodDisruptionBudget"):
        if not selects(pdb["spec"].get("selector"), labels):
            failures.append(f"PodDisruptionBudget {pdb['metadata']['name']}: does not select the server's pods")
    for t in r.pod().get("topologySpreadConstraints", []):
        if not selects(t.get("labelSelector"), labels):
            failures.append(f"topology spread over {t['topologyKey']}: its labelSelector misses the server's pods")
    return failures


def rule_one_namespace(r):
    failures = []
    if not r.namespace or r.namespace == "default":
        return [f"the Deployment is in namespace {r.namespace!r}: Countersign has a namespace of its own"]
    for o in r.objects:
        if o["kind"] in ("ValidatingWebhookConfiguration", "Namespace"):
            continue
        ns = o["metadata"].get("namespace")
        if ns != r.namespace:
            failures.append(f"{o['kind']} {o['metadata']['name']}: namespace {ns!r}, not {r.namespace!r}")
    return failures


def rule_no_literal_secrets(r):
    return [
        f"Secret {s['metadata']['name']} is rendered: secret values are never in these files (create them with "
        "kubectl create secret, docs/kubernetes.md)"
        for s in r.of_kind("Secret")
    ]


def secret_file(r, path):
    found = mounted_file(r, path)
    return found is not None and found[0] == "secret"


def rule_secret_env(r):
    failures = []
    for name, e in r.env().items():
        database = "DATABASE" in name
        if not SECRET_NAME.search(name) and not database:
            continue
        source = e.get("valueFrom", {})
        if "secretKeyRef" in source:
            continue
        value = e.get("value")
        if database and r.profile == "sqlite":
            found = mounted_file(r, value)
            if not found or found[0] != "persistentVolumeClaim":
                failures.append(f"{name}={value!r} is not a file on the persistent volume: the ledger would be lost")
            continue
        if database:
            failures.append(f"{name} is not from a Secret (secretKeyRef): a postgres:// URL carries its password")
        elif value is not None and secret_file(r, value):
            continue
        else:
            failures.append(
                f"{name} is {'a literal value' if value is not None else 'from ' + ', '.join(source)}: a secret comes "
                "from a Secret, by secretKeyRef or as a file of a Secret volume"
            )
    for e in r.server().get("envFrom", []):
        if "configMapRef" in e:
            failures.append(f"envFrom ConfigMap {e['configMapRef']['name']}: every variable must be named here")
    return failures


def rule_policy_mounted(r):
    policy = r.env().get("COUNTERSIGN_POLICY", {}).get("value")
    if not policy:
        return ["COUNTERSIGN_POLICY is not set"]
    found = mounted_file(r, policy)
    if not found or found[0] != "configMap" or not found[2]:
        return [
            f"COUNTERSIGN_POLICY={policy} is not one file of a ConfigMap volume (the policy must be traceable to "
            "the rendered ConfigMap, so these rules can read the environments and keys it names)"
        ]
    docs = policy_documents(r)
    if docs is None:
        return [f"COUNTERSIGN_POLICY={policy}: ConfigMap {found[1]} key {found[2]} is not rendered"]
    failures = []
    directory = posixpath.dirname(policy)
    for d in docs:
        if d.get("kind") != "ArtifactPolicy":
            continue
        for key in ((d.get("spec") or {}).get("signatures") or {}).get("keys", []):
            path = posixpath.join(directory, key)
            if not mounted_file(r, path):
                failures.append(
                    f"ArtifactPolicy {d['metadata']['name']} names key {key}, but nothing is mounted at {path}"
                )
    return failures


def rule_webhook_common(r):
    failures = []
    hooks = webhooks(r)
    for required in (PROTECTED_WEBHOOK, OPT_IN_WEBHOOK):
        if required not in hooks:
            failures.append(f"no webhook {required}")
    services = {(s["metadata"].get("namespace"), s["metadata"]["name"]): s for s in r.of_kind("Service")}
    for name, w in hooks.items():
        if w.get("sideEffects") != "NoneOnDryRun":
            failures.append(f"{name}: sideEffects is {w.get('sideEffects')}, not NoneOnDryRun")
        timeout = w.get("timeoutSeconds")
        if timeout is None or timeout > MAX_TIMEOUT:
            failures.append(f"{name}: timeoutSeconds is {timeout}, more than the server's {MAX_TIMEOUT}")
        if "v1" not in w.get("admissionReviewVersions", []):
            failures.append(f"{name}: admissionReviewVersions lacks v1")
        if w.get("matchPolicy", "Equivalent") != "Equivalent":
            failures.append(f"{name}: matchPolicy {w['matchPolicy']} misses the same object sent in another version")
        client = w.get("clientConfig", {})
        service = client.get("service")
        if "url" in client or service is None:
            failures.append(f"{name}: calls {client.get('url')} instead of the Service")
        else:
            svc = services.get((service.get("namespace"), service.get("name")))
            if svc is None:
                failures.append(f"{name}: calls Service {service.get('namespace')}/{service.get('name')}, not rendered")
            elif service.get("port", 443) not in [p["port"] for p in svc["spec"]["ports"]]:
                failures.append(f"{name}: calls port {service.get('port', 443)}, which the Service does not expose")
            if service.get("path") != "/admission/validate":
                failures.append(f"{name}: path {service.get('path')} is not /admission/validate")
        for group, resource in GATED:
            if not any(covers(rule, group, resource) for rule in w.get("rules", [])):
                failures.append(f"{name}: CREATE and UPDATE of {group or 'core'}/{resource} are not sent to it")
        for ns in SYSTEM_NAMESPACES + (r.namespace,):
            if can_select_namespace(w.get("namespaceSelector"), ns):
                failures.append(
                    f"{name}: can call for namespace {ns} (a webhook must never gate the pods it runs on, nor the "
                    "cluster's own)"
                )
    return failures


def covers(rule, group, resource):
    ops = rule.get("operations", [])
    if "*" not in ops and not {"CREATE", "UPDATE"} <= set(ops):
        return False
    if "*" not in rule.get("apiGroups", []) and group not in rule.get("apiGroups", []):
        return False
    if not rule.get("apiVersions"):
        return False
    resources = rule.get("resources", [])
    base = resource.split("/")[0]
    wildcard = {"*", "*/*"} | ({f"{base}/*"} if "/" in resource else set())
    if resource not in resources and not wildcard & set(resources):
        return False
    return rule.get("scope", "*") in ("*", "Namespaced")


def protected_names(w):
    """The names the protected webhook's selector admits, when it selects by name only; None for no In list."""
    reqs = requirements(w.get("namespaceSelector")).get(NAME_LABEL, [])
    ins = [set(values) for op, values in reqs if op == "In"]
    if not ins:
        return None
    return {n for n in set.intersection(*ins) if value_satisfies(reqs, n)}


def rule_webhook_protected(r):
    w = webhooks(r).get(PROTECTED_WEBHOOK)
    if w is None:
        return [f"no webhook {PROTECTED_WEBHOOK}"]
    failures = []
    if w.get("failurePolicy", "Fail") != "Fail":
        failures.append(f"{PROTECTED_WEBHOOK}: failurePolicy {w['failurePolicy']}: protected namespaces fail closed")
    other = [k for k in requirements(w.get("namespaceSelector")) if k != NAME_LABEL]
    if other:
        failures.append(
            f"{PROTECTED_WEBHOOK}: selects namespaces by {', '.join(other)} too: only the immutable {NAME_LABEL} may "
            "decide, or a namespace's owner switches the gate off by relabelling it"
        )
    if w.get("objectSelector", {}) not in ({}, None) or w.get("matchConditions"):
        failures.append(f"{PROTECTED_WEBHOOK}: has an objectSelector or matchConditions: a workload's labels decide")
    names = protected_names(w)
    if names is not None and not names:
        failures.append(f"{PROTECTED_WEBHOOK}: selects no namespace")
    docs = policy_documents(r)
    if docs is not None:
        for d in docs:
            spec = d.get("spec") or {}
            if d.get("kind") == "Environment" and spec.get("protected"):
                for ns in spec.get("namespaces", []):
                    if not can_select_namespace(w.get("namespaceSelector"), ns) or other:
                        failures.append(
                            f"namespace {ns} of protected environment {d['metadata']['name']} is not selected by "
                            f"{PROTECTED_WEBHOOK} (by name): it would not fail closed"
                        )
    return failures


def rule_webhook_opt_in(r):
    hooks = webhooks(r)
    w, protected = hooks.get(OPT_IN_WEBHOOK), hooks.get(PROTECTED_WEBHOOK)
    if w is None:
        return [f"no webhook {OPT_IN_WEBHOOK}"]
    failures = []
    selector = w.get("namespaceSelector")
    if can_select_namespace(selector, "any-namespace", {OPT_IN_LABEL: None}):
        failures.append(f"{OPT_IN_WEBHOOK}: calls for a namespace without {OPT_IN_LABEL}=enabled")
    if not can_select_namespace(selector, "any-namespace", {OPT_IN_LABEL: "enabled"}):
        failures.append(f"{OPT_IN_WEBHOOK}: a namespace labelled {OPT_IN_LABEL}=enabled is not called for")
    names = protected_names(protected) if protected else None
    for ns in sorted(names or []):
        if can_select_namespace(selector, ns):
            failures.append(f"{OPT_IN_WEBHOOK}: can call for protected namespace {ns} too (NotIn it)")
    return failures


def rule_ca_bundle(r):
    vwc = r.one("ValidatingWebhookConfiguration", "countersign")
    if vwc is None:
        return ["no ValidatingWebhookConfiguration countersign"]
    annotation = vwc["metadata"].get("annotations", {}).get("cert-manager.io/inject-ca-from")
    hooks = vwc.get("webhooks", [])
    if annotation is None:
        missing = [w["name"] for w in hooks if not w.get("clientConfig", {}).get("caBundle")]
        return [f"{', '.join(missing)}: no caBundle and no cert-manager.io/inject-ca-from"] if missing else []
    failures = []
    namespace, _, certificate = annotation.partition("/")
    if namespace != r.namespace:
        failures.append(f"inject-ca-from names namespace {namespace}, but Countersign is in {r.namespace}")
    tls = (r.env().get("COUNTERSIGN_TLS_CERT") or {}).get("value")
    found = mounted_file(r, tls)
    if not found or found[0] != "secret":
        failures.append(f"COUNTERSIGN_TLS_CERT={tls} is not a file of a Secret volume")
    if r.cert_manager:
        cert = r.one("Certificate", certificate)
        if cert is None:
            return failures + [f"inject-ca-from names Certificate {certificate}, which is not rendered"]
        spec = cert["spec"]
        if found and spec["secretName"] != found[1]:
            failures.append(f"Certificate {certificate} writes {spec['secretName']}, but the server reads {found[1]}")
        for w in hooks:
            service = w.get("clientConfig", {}).get("service", {})
            host = f"{service.get('name')}.{service.get('namespace')}.svc"
            if host not in spec.get("dnsNames", []):
                failures.append(f"Certificate {certificate} does not name {host}, which {w['name']} calls")
        issuers = {i["metadata"]["name"]: i for i in r.of_kind("Issuer")}
        secrets = {c["spec"]["secretName"]: c for c in r.of_kind("Certificate")}
        for c in r.of_kind("Certificate"):
            ref = c["spec"]["issuerRef"]
            if ref.get("kind", "Issuer") == "Issuer" and ref["name"] not in issuers:
                failures.append(f"Certificate {c['metadata']['name']}: Issuer {ref['name']} is not rendered")
        for i in issuers.values():
            ca = i["spec"].get("ca")
            if ca and not (secrets.get(ca["secretName"]) or {}).get("spec", {}).get("isCA"):
                failures.append(f"Issuer {i['metadata']['name']}: no CA Certificate writes {ca['secretName']}")
    return failures


def rule_deployable(r):
    failures = []
    if "COUNTERSIGN_DATABASE" not in r.env():
        failures.append("COUNTERSIGN_DATABASE is not set: the ledger would be ./countersign.db on a read-only root")
    pdbs = [
        p
        for p in r.of_kind("PodDisruptionBudget")
        if selects(p["spec"].get("selector"), r.deployment["spec"]["template"]["metadata"]["labels"])
    ]
    n = replicas(r.deployment)
    if not pdbs:
        failures.append("no PodDisruptionBudget covers the server's pods")
    for p in pdbs:
        spec = p["spec"]
        if "maxUnavailable" in spec:
            allowed = scaled(spec["maxUnavailable"], n, True)
        else:
            allowed = n - scaled(spec.get("minAvailable", 1), n, True)
        if allowed < 1:
            failures.append(
                f"PodDisruptionBudget {p['metadata']['name']}: allows no eviction of {n} pod(s): a drain would "
                "wait forever"
            )
    return failures


def rule_sqlite(r):
    d = r.deployment
    failures = []
    if replicas(d) != 1:
        failures.append(f"replicas is {replicas(d)}: two pods must never open one SQLite file")
    if d["spec"].get("strategy", {}).get("type") != "Recreate":
        failures.append(
            f"strategy is {d['spec'].get('strategy', {}).get('type', 'RollingUpdate')}, not Recreate: an update "
            "would run two pods on one file"
        )
    found = mounted_file(r, r.env().get("COUNTERSIGN_DATABASE", {}).get("value"))
    if found and found[0] == "persistentVolumeClaim":
        claim = r.one("PersistentVolumeClaim", found[1])
        if claim is None:
            failures.append(f"PersistentVolumeClaim {found[1]} is not rendered")
        elif set(claim["spec"].get("accessModes", [])) - {"ReadWriteOnce", "ReadWriteOncePod"}:
            failures.append(
                f"PersistentVolumeClaim {found[1]}: accessModes {claim['spec']['accessModes']} let pods on other "
                "nodes open the file"
            )
    if r.pod().get("securityContext", {}).get("fsGroup") is None:
        failures.append("no fsGroup: the non-root server cannot write the volume")
    return failures


def rule_postgres(r):
    d = r.deployment
    failures = []
    if replicas(d) < 2:
        failures.append(f"replicas is {replicas(d)}: one pod is a single point of failure for a fail-closed webhook")
    strategy = d["spec"].get("strategy", {})
    if (
        strategy.get("type", "RollingUpdate") != "RollingUpdate"
        or strategy.get("rollingUpdate", {}).get("maxUnavailable") != 0
    ):
        failures.append(
            "the update strategy is not RollingUpdate with maxUnavailable 0: an update would shrink the webhook"
        )
    n = replicas(d)
    for p in r.of_kind("PodDisruptionBudget"):
        spec = p["spec"]
        kept = (
            n - scaled(spec["maxUnavailable"], n, True)
            if "maxUnavailable" in spec
            else scaled(spec.get("minAvailable", 0), n, True)
        )
        if kept < 1:
            failures.append(f"PodDisruptionBudget {p['metadata']['name']}: lets every pod go at once")
    if "secretKeyRef" not in r.env().get("COUNTERSIGN_SESSION_KEY", {}).get("valueFrom", {}):
        failures.append("COUNTERSIGN_SESSION_KEY is not from a Secret: every node must sign sign-in forms with one key")
    labels = d["spec"]["template"]["metadata"]["labels"]
    pod = r.pod()
    spread = any(
        t["topologyKey"] == "kubernetes.io/hostname" and selects(t.get("labelSelector"), labels)
        for t in pod.get("topologySpreadConstraints", [])
    )
    anti = any(
        t.get("topologyKey") == "kubernetes.io/hostname" and selects(t.get("labelSelector"), labels)
        for t in pod.get("affinity", {})
        .get("podAntiAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution", [])
    )
    if not spread and not anti:
        failures.append("no topology spread or anti-affinity over kubernetes.io/hostname: all pods may share one node")
    return failures


ALL = ("base", "sqlite", "postgres")
DEPLOYABLE = ("sqlite", "postgres")
RULES = [
    ("pod.hardened", ALL, rule_pod_hardened),
    ("pod.writable-tmp", ALL, rule_writable_tmp),
    ("pod.resources", ALL, rule_resources),
    ("pod.image", ALL, rule_image),
    ("pod.probes", ALL, rule_probes),
    ("objects.selectors", ALL, rule_selectors),
    ("objects.one-namespace", ALL, rule_one_namespace),
    ("secrets.none-rendered", ALL, rule_no_literal_secrets),
    ("secrets.env", ALL, rule_secret_env),
    ("policy.mounted", ALL, rule_policy_mounted),
    ("webhook.common", ALL, rule_webhook_common),
    ("webhook.protected", ALL, rule_webhook_protected),
    ("webhook.opt-in", ALL, rule_webhook_opt_in),
    ("webhook.ca-bundle", ALL, rule_ca_bundle),
    ("deployable", DEPLOYABLE, rule_deployable),
    ("sqlite.single-node", ("sqlite",), rule_sqlite),
    ("postgres.scale-out", ("postgres",), rule_postgres),
]


def schema_failures(render):
    failures = []
    for o in render.objects:
        where = f"{o.get('kind')} {o.get('metadata', {}).get('name')}"
        crd = CRD_SCHEMAS.get((o.get("apiVersion"), o.get("kind")))
        if crd is not None:
            for error in jsonschema.Draft202012Validator(crd).iter_errors(o):
                path = ".".join(str(p) for p in error.absolute_path)
                failures.append(f"{where}: {path}: {error.message} (cert-manager.io/v1 subset)")
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(o, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                failures.append(f"{where}: {path}: {error.message} (Kubernetes {error.version}, strict)")
            except kubernetes_validate.SchemaNotFoundError as error:
                failures.append(f"{where}: {error.message}; not a kind this check knows (CRD_SCHEMAS)")
                break
    return failures


def rule_failures(render):
    failures = []
    for rule_id, profiles, rule in RULES:
        if render.profile in profiles:
            failures += [(rule_id, message) for message in rule(render)]
    return failures


# ---------------------------------------------------------------------------------------------------------------
# Rendering.


def kubectl_kustomize(directory):
    done = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {directory} failed:\n{done.stderr.strip()}")
    return [o for o in yaml.safe_load_all(done.stdout) if o]


def doc_example(scratch):
    """The example overlay of docs/kubernetes.md, laid out as the doc lays it out: its marked blocks, the policy
    copied from the base, and a `countersign` link to this repository beside it. Returns its directory."""
    text = DOC.read_text()
    blocks = re.findall(r"<!-- kubernetes-check: (\S+) -->\s*\n```yaml\n(.*?)\n```", text, re.S)
    if not blocks:
        raise RuntimeError(f"{DOC.relative_to(ROOT)}: no `<!-- kubernetes-check: PATH -->` yaml block to render")
    (scratch / "countersign").symlink_to(ROOT)
    for path, body in blocks:
        file = scratch / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(body + "\n")
    directory = scratch / pathlib.Path(blocks[0][0]).parent
    shutil.copytree(DEPLOY / "base" / "policy", directory, dirs_exist_ok=True)  # the doc's `cp -r …/policy/. …`
    return directory


def renders(scratch):
    found = [
        Render("deploy/kubernetes/base", "base", kubectl_kustomize(DEPLOY / "base")),
        Render("deploy/kubernetes/overlays/sqlite", "sqlite", kubectl_kustomize(DEPLOY / "overlays" / "sqlite")),
        Render("deploy/kubernetes/overlays/postgres", "postgres", kubectl_kustomize(DEPLOY / "overlays" / "postgres")),
    ]
    example = doc_example(scratch)
    found.append(
        Render(
            "docs/kubernetes.md example (postgres + components/cert-manager)",
            "postgres",
            kubectl_kustomize(example),
            pinned_image=True,
            cert_manager=True,
        )
    )
    return found


def preflight():
    if shutil.which("kubectl") is None:
        sys.exit("kubernetes-check: kubectl is not on PATH: it renders the manifests (kubectl kustomize); install it")
    done = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True, text=True)
    try:
        info = json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"kubernetes-check: `kubectl version --client -o json` failed: {done.stderr.strip()}")
    kustomize = info.get("kustomizeVersion", "")
    major = re.match(r"v(\d+)\.", kustomize)
    if not major or int(major.group(1)) < 5:
        sys.exit(f"kubernetes-check: kubectl's kustomize is {kustomize or 'unknown'}; the manifests need kustomize v5+")
    return f"kubectl {info['clientVersion']['gitVersion']} (kustomize {kustomize})"


# ---------------------------------------------------------------------------------------------------------------
# The self-test: each mutation breaks one property in a rendered copy; the named rule must catch it.


def _find(render, kind, name=None):
    return next(o for o in render.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name))


def _hook(render, name):
    return next(w for w in _find(render, "ValidatingWebhookConfiguration")["webhooks"] if w["name"] == name)


def _set_env(render, name, entry):
    env = render.server()["env"]
    env[:] = [e for e in env if e["name"] != name] + [dict(entry, name=name)]


def _name_values(webhook, operator):
    return next(
        e
        for e in webhook["namespaceSelector"]["matchExpressions"]
        if e["key"] == NAME_LABEL and e["operator"] == operator
    )["values"]


def _drop_not_in_and_add(render):
    w = _hook(render, PROTECTED_WEBHOOK)
    w["namespaceSelector"]["matchExpressions"] = [
        e for e in w["namespaceSelector"]["matchExpressions"] if e["operator"] != "NotIn"
    ]
    _name_values(w, "In").append("kube-system")


def _select_by_team_label(render):
    _hook(render, PROTECTED_WEBHOOK)["namespaceSelector"] = {"matchLabels": {"countersign.dev/protected": "true"}}


def _pdb_min_available(render):
    spec = _find(render, "PodDisruptionBudget")["spec"]
    spec.pop("maxUnavailable")
    spec["minAvailable"] = 1


def _add_secret(render):
    render.objects.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "countersign-secrets", "namespace": "countersign"},
            "stringData": {"session-key": "x" * 32},
        }
    )


def _volume(render, name):
    return next(v for v in render.pod()["volumes"] if v["name"] == name)


def _webhook_configuration(render):
    return _find(render, "ValidatingWebhookConfiguration")


# (render, what is broken, the mutation, the rule that must catch it). "cert-manager" is the docs' example overlay.
# fmt: off
MUTATIONS = [
    ("base", "protected webhook failurePolicy Ignore",
     lambda r: _hook(r, PROTECTED_WEBHOOK).update(failurePolicy="Ignore"), "webhook.protected"),
    ("base", "protected webhook selects by a label the team sets", _select_by_team_label, "webhook.protected"),
    ("base", "protected webhook gains an objectSelector",
     lambda r: _hook(r, PROTECTED_WEBHOOK).update(objectSelector={"matchLabels": {"gate": "on"}}),
     "webhook.protected"),
    ("base", "protected namespace shop-prod dropped from the webhook",
     lambda r: _name_values(_hook(r, PROTECTED_WEBHOOK), "In").remove("shop-prod"), "webhook.protected"),
    ("base", "kube-system added to the protected selector, NotIn guard removed", _drop_not_in_and_add,
     "webhook.common"),
    ("base", "opt-in webhook no longer excludes Countersign's namespace",
     lambda r: _name_values(_hook(r, OPT_IN_WEBHOOK), "NotIn").remove("countersign"), "webhook.common"),
    ("base", "opt-in webhook also calls for shop-prod",
     lambda r: _name_values(_hook(r, OPT_IN_WEBHOOK), "NotIn").remove("shop-prod"), "webhook.opt-in"),
    ("base", "opt-in webhook calls without the label",
     lambda r: _hook(r, OPT_IN_WEBHOOK)["namespaceSelector"]["matchExpressions"].pop(0), "webhook.opt-in"),
    ("base", "sideEffects None", lambda r: _hook(r, OPT_IN_WEBHOOK).update(sideEffects="None"), "webhook.common"),
    ("base", "timeoutSeconds 30", lambda r: _hook(r, PROTECTED_WEBHOOK).update(timeoutSeconds=30), "webhook.common"),
    ("base", "Deployments no longer sent for review",
     lambda r: _hook(r, PROTECTED_WEBHOOK)["rules"][1]["resources"].remove("deployments"), "webhook.common"),
    ("base", "kubectl debug's ephemeral containers no longer reviewed",
     lambda r: _hook(r, PROTECTED_WEBHOOK)["rules"][0]["resources"].remove("pods/ephemeralcontainers"),
     "webhook.common"),
    ("base", "webhook calls another namespace's Service",
     lambda r: _hook(r, PROTECTED_WEBHOOK)["clientConfig"]["service"].update(namespace="default"), "webhook.common"),
    ("base", "inject-ca-from names another namespace",
     lambda r: _webhook_configuration(r)["metadata"]["annotations"].update(
         {"cert-manager.io/inject-ca-from": "default/countersign-tls"}), "webhook.ca-bundle"),
    ("base", "readOnlyRootFilesystem dropped",
     lambda r: r.server()["securityContext"].pop("readOnlyRootFilesystem"), "pod.hardened"),
    ("base", "privilege escalation allowed",
     lambda r: r.server()["securityContext"].update(allowPrivilegeEscalation=True), "pod.hardened"),
    ("base", "capabilities no longer drop ALL",
     lambda r: r.server()["securityContext"]["capabilities"].update(drop=["NET_RAW"]), "pod.hardened"),
    ("base", "runAsNonRoot removed from pod and container",
     lambda r: (r.server()["securityContext"].pop("runAsNonRoot"), r.pod()["securityContext"].pop("runAsNonRoot")),
     "pod.hardened"),
    ("base", "service account token mounted", lambda r: r.pod().update(automountServiceAccountToken=True),
     "pod.hardened"),
    ("base", "readiness probe over HTTP", lambda r: r.server()["readinessProbe"]["httpGet"].update(scheme="HTTP"),
     "pod.probes"),
    ("base", "liveness probe asks /readyz", lambda r: r.server()["livenessProbe"]["httpGet"].update(path="/readyz"),
     "pod.probes"),
    ("base", "no memory limit", lambda r: r.server()["resources"]["limits"].pop("memory"), "pod.resources"),
    ("base", "image by tag", lambda r: r.server().update(image="registry.example.com/countersign:latest"),
     "pod.image"),
    ("base", "a Secret with literal data", _add_secret, "secrets.none-rendered"),
    ("base", "session key as a literal value",
     lambda r: _set_env(r, "COUNTERSIGN_SESSION_KEY", {"value": "x" * 32}), "secrets.env"),
    ("base", "checkpoint key path outside any Secret volume",
     lambda r: _set_env(r, "COUNTERSIGN_CHECKPOINT_KEY", {"value": "/etc/countersign/policy/checkpoint.key"}),
     "secrets.env"),
    ("base", "COUNTERSIGN_POLICY names the ConfigMap directory",
     lambda r: _set_env(r, "COUNTERSIGN_POLICY", {"value": "/etc/countersign/policy"}), "policy.mounted"),
    ("base", "the policy's signing key is not mounted",
     lambda r: _volume(r, "policy")["configMap"]["items"].pop(1), "policy.mounted"),
    ("base", "Service selects other pods",
     lambda r: _find(r, "Service")["spec"]["selector"].update({"app.kubernetes.io/component": "other"}),
     "objects.selectors"),
    ("base", "PodDisruptionBudget in another namespace",
     lambda r: _find(r, "PodDisruptionBudget")["metadata"].update(namespace="default"), "objects.one-namespace"),
    ("sqlite", "sqlite with 2 replicas", lambda r: r.deployment["spec"].update(replicas=2), "sqlite.single-node"),
    ("sqlite", "sqlite with a rolling update",
     lambda r: r.deployment["spec"].update(strategy={"type": "RollingUpdate"}), "sqlite.single-node"),
    ("sqlite", "sqlite volume ReadWriteMany",
     lambda r: _find(r, "PersistentVolumeClaim")["spec"].update(accessModes=["ReadWriteMany"]), "sqlite.single-node"),
    ("sqlite", "sqlite ledger on the emptyDir",
     lambda r: _set_env(r, "COUNTERSIGN_DATABASE", {"value": "/tmp/countersign.db"}), "secrets.env"),
    ("sqlite", "PodDisruptionBudget minAvailable 1 on one replica", _pdb_min_available, "deployable"),
    ("postgres", "postgres with 1 replica", lambda r: r.deployment["spec"].update(replicas=1), "postgres.scale-out"),
    ("postgres", "postgres without a PodDisruptionBudget",
     lambda r: r.objects.remove(_find(r, "PodDisruptionBudget")), "deployable"),
    ("postgres", "postgres rolling update with maxUnavailable 1",
     lambda r: r.deployment["spec"]["strategy"]["rollingUpdate"].update(maxUnavailable=1), "postgres.scale-out"),
    ("postgres", "database URL as a literal value",
     lambda r: _set_env(r, "COUNTERSIGN_DATABASE", {"value": "postgres://cs:hunter2@db/cs?sslmode=verify-full"}),
     "secrets.env"),
    ("postgres", "no spread over nodes", lambda r: r.pod().pop("topologySpreadConstraints"), "postgres.scale-out"),
    ("postgres", "no COUNTERSIGN_DATABASE", lambda r: r.server()["env"].remove(r.env()["COUNTERSIGN_DATABASE"]),
     "deployable"),
    ("cert-manager", "Certificate writes another Secret",
     lambda r: _find(r, "Certificate", "countersign-tls")["spec"].update(secretName="other-tls"),
     "webhook.ca-bundle"),
    ("cert-manager", "Certificate misses the Service's DNS name",
     lambda r: _find(r, "Certificate", "countersign-tls")["spec"].update(dnsNames=["countersign.example.com"]),
     "webhook.ca-bundle"),
    ("cert-manager", "image no longer pinned", lambda r: r.server().update(image="countersign"), "pod.image"),
    ("base", "a misspelt field",
     lambda r: r.server()["securityContext"].update(readOnlyRootFilesytem=True), "schema"),
    ("cert-manager", "an unknown Certificate field",
     lambda r: _find(r, "Certificate", "countersign-tls")["spec"].update(dnsName=["x"]), "schema"),
]
# fmt: on


def self_test(found):
    by_profile = {r.profile: r for r in found if not r.cert_manager}
    by_profile["cert-manager"] = next(r for r in found if r.cert_manager)
    missed = []
    for profile, what, mutate, rule_id in MUTATIONS:
        original = by_profile[profile]
        broken = copy.deepcopy(original)
        try:
            mutate(broken)
        except (KeyError, IndexError, StopIteration, ValueError) as error:
            print(f"  MISSED {profile:12} {what}: the mutation no longer applies ({error!r}): update MUTATIONS")
            missed.append(what)
            continue
        if rule_id == "schema":
            caught = schema_failures(broken)
        else:
            caught = [m for rid, m in rule_failures(broken) if rid == rule_id]
        status = "caught" if caught else "MISSED"
        print(f"  {status:6} {profile:12} {what}: [{rule_id}] {caught[0] if caught else 'no failure'}")
        if not caught:
            missed.append(what)
    return missed


def main():
    started = time.monotonic()
    tools = preflight()
    print(
        f"kubernetes-check: {tools}, kubernetes-validate {kubernetes_validate.__version__} (Kubernetes "
        f"{' and '.join(v.rsplit('.', 1)[0] for v in KUBERNETES_VERSIONS)}, strict)"
    )
    with tempfile.TemporaryDirectory(prefix="kubernetes-check-") as scratch:
        try:
            found = renders(pathlib.Path(scratch))
        except RuntimeError as error:
            sys.exit(f"kubernetes-check: {error}")
    failures = []
    for r in found:
        schema = schema_failures(r)
        rules = rule_failures(r)
        applied = sum(1 for _, profiles, _ in RULES if r.profile in profiles)
        failures += [f"{r.name}: [schema] {m}" for m in schema] + [f"{r.name}: [{rid}] {m}" for rid, m in rules]
        kinds = ", ".join(sorted({o["kind"] for o in r.objects}))
        verdict = "ok" if not schema and not rules else f"{len(schema) + len(rules)} failure(s)"
        print(f"  {r.name}: {len(r.objects)} objects ({kinds}); {applied} rules; {verdict}")
    if failures:
        print("kubernetes-check: FAILED", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        sys.exit(1)
    if "--self-test" in sys.argv[1:]:
        print(f"self-test: {len(MUTATIONS)} mutations of the rendered objects, each must be caught by its rule")
        missed = self_test(found)
        if missed:
            print(f"kubernetes-check: self-test FAILED: {len(missed)} mutation(s) not caught", file=sys.stderr)
            sys.exit(1)
    print(f"kubernetes-check: ok ({time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
