#!/usr/bin/env python3
"""Assembles Countersign's container image as an OCI image layout, without a Docker engine.

Usage: oci-image.py --binary PATH --output DIR [--tag TAG] [--policy DIR] [--source URL] [--epoch SECONDS]

Writes DIR/oci-layout, DIR/index.json and DIR/blobs/sha256/… — one image for the binary's platform (linux/amd64
here), three gzip layers, each what it is for and in the order it changes least to most:

1. the runtime closure: every shared library `ldd` reports for the binary, and the dynamic loader, at their real
   paths, with every symbolic link met on the way to them kept (so `/lib64/ld-linux-x86-64.so.2`, `/lib -> usr/lib`
   and `libsqlite3.so.0 -> libsqlite3.so.0.8.6` are all there as the binary asks for them);
2. the base: this machine's CA bundle at /etc/ssl/certs/ca-certificates.crt, the time-zone database
   (/usr/share/zoneinfo, the whole tree), /etc/passwd and /etc/group with root and `nonroot` (65532, home
   /home/nonroot), /etc/nsswitch.conf, /tmp (1777), /var/lib/countersign owned by 65532 (the working directory:
   the default ledger ./countersign.db is written there);
3. the application: the binary at /usr/local/bin/countersign (its debug sections stripped), SwiftPM's resource
   bundles beside it (the server finds its web UI and OpenAPI document there: `Bundle.module` looks next to the
   executable first), and the example policy at /etc/countersign/policy.

No shell and no package manager: nothing is copied that the binary does not load. The configuration runs as
65532:65532, with `countersign` as the entrypoint and `serve --host 0.0.0.0 --policy /etc/countersign/policy` as the
default arguments, and labels the version, commit and build time the binary reports itself (`version --output
json`).

Why the policy is an argument, not COUNTERSIGN_POLICY: settings resolve flag, then environment, then the --config
file. An environment variable baked into the image would silently beat the `policy:` of an operator's --config file;
default arguments are replaced whole by whatever arguments the operator gives (`serve --config /etc/cs.yaml`), so
they never compete. The working directory, /var/lib/countersign, is the one place the server writes (mount a volume
there); the read-only policy stays out of it, so the volume does not hide it.

Reproducible: entries sorted, owners 0 (65532 where the server writes), modes normalised, every mtime the epoch
(--epoch, else SOURCE_DATE_EPOCH, else 0), gzip without a name or time, JSON with sorted keys. The same inputs give
the same digests, byte for byte. Python 3's standard library only.
"""
import argparse
import atexit
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

NONROOT = 65532
BINARY_PATH = "usr/local/bin/countersign"
POLICY_PATH = "etc/countersign/policy"
DATA_PATH = "var/lib/countersign"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
ZONEINFO = "/usr/share/zoneinfo"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
ELF_MACHINES = {0x3E: "amd64", 0xB7: "arm64"}


def fail(message):
    sys.exit(f"oci-image.py: {message}")


class Layer:
    """The entries of one layer, by path inside the image (relative, no leading slash). Parent directories are
    added as 0755 root directories; a path is never both a directory and a link."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.entries = {}

    def _parents(self, path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            parent = "/".join(parts[:i])
            if parent not in self.entries:
                self.directory(parent)

    def _put(self, path, entry):
        path = path.strip("/")
        existing = self.entries.get(path)
        if existing is not None and existing[0] != entry[0]:
            fail(f"/{path} would be both a {existing[0]} and a {entry[0]}")
        self._parents(path)
        self.entries[path] = entry

    def directory(self, path, mode=0o755, owner=0):
        """A directory. One first added as a parent (0755, root) takes a mode or owner given explicitly later."""
        existing = self.entries.get(path.strip("/"))
        if existing is not None and existing[0] == "dir" and (mode, owner) == (0o755, 0):
            return
        self._put(path, ("dir", mode, owner))

    def file(self, path, source=None, data=None, mode=None, owner=0):
        if mode is None:
            mode = 0o755 if os.stat(source).st_mode & 0o111 else 0o644
        self._put(path, ("file", mode, owner, source, data))

    def symlink(self, path, target):
        self._put(path, ("link", target))

    def write(self, out):
        """Writes the layer as a tar stream, sorted by path, into OUT."""
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(self.entries):
                entry = self.entries[path]
                info = tarfile.TarInfo(path)
                info.mtime = self.epoch
                info.uname = info.gname = ""
                if entry[0] == "dir":
                    info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, entry[1], entry[2], entry[2]
                    tar.addfile(info)
                elif entry[0] == "link":
                    info.type, info.mode, info.linkname = tarfile.SYMTYPE, 0o777, entry[1]
                    tar.addfile(info)
                else:
                    _, mode, owner, source, data = entry
                    info.mode, info.uid, info.gid = mode, owner, owner
                    if data is not None:
                        info.size = len(data)
                        tar.addfile(info, io.BytesIO(data))
                    else:
                        info.size = os.stat(source).st_size
                        with open(source, "rb") as f:
                            tar.addfile(info, f)


def add_host_path(layer, path):
    """Adds PATH from this machine at the same path, resolving it one component at a time as the kernel does:
    every symbolic link met on the way (a directory like /lib -> usr/lib, or the file itself) is added as the same
    link, and the file it ends at as a regular file. Returns the real path."""
    seen = 0
    pending = [p for p in path.split("/") if p]
    resolved = []
    while pending:
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        current = "/" + "/".join(resolved + [part])
        info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            seen += 1
            if seen > 40:
                fail(f"too many symbolic links resolving {path}")
            target = os.readlink(current)
            layer.symlink(current, target)
            if target.startswith("/"):
                resolved = []
            pending = [p for p in target.split("/") if p] + pending
        elif stat.S_ISDIR(info.st_mode) and pending:
            resolved.append(part)
        elif stat.S_ISREG(info.st_mode) and not pending:
            resolved.append(part)
        else:
            fail(f"{path}: {current} is neither a directory, a regular file nor a link")
    real = "/" + "/".join(resolved)
    layer.file(real, source=real)
    return real


def runtime_closure(binary):
    """The libraries `ldd` says the binary loads, and the dynamic loader: absolute paths as the loader finds them."""
    listing = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if listing.returncode != 0:
        if "not a dynamic executable" in listing.stdout + listing.stderr:
            return []
        fail(f"ldd {binary}: {listing.stderr.strip() or listing.stdout.strip()}")
    paths = []
    for line in listing.stdout.splitlines():
        line = line.strip()
        if "not found" in line:
            fail(f"ldd {binary}: {line}")
        match = re.match(r"^(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$", line)
        if match:
            paths.append(match.group(1))
        elif not re.match(r"^\S+ \(0x[0-9a-f]+\)$", line):  # linux-vdso.so.1: in the kernel, not a file
            fail(f"ldd {binary}: cannot read {line!r}")
    return sorted(set(paths))


def elf_architecture(binary):
    with open(binary, "rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        fail(f"{binary} is not a 64-bit little-endian ELF executable")
    machine = int.from_bytes(header[18:20], "little")
    if machine not in ELF_MACHINES:
        fail(f"{binary}: ELF machine {machine:#x} is not one this script knows")
    return ELF_MACHINES[machine]


def base_layer(layer):
    if not os.path.isfile(CA_BUNDLE):
        fail(f"{CA_BUNDLE} is missing (Debian's ca-certificates installs it)")
    layer.file(CA_BUNDLE, source=CA_BUNDLE, mode=0o644)
    if not os.path.isfile(os.path.join(ZONEINFO, "America/New_York")):
        fail(f"{ZONEINFO} is missing or incomplete (Debian's tzdata installs it)")
    for root, dirs, files in os.walk(ZONEINFO):
        dirs.sort()
        for name in dirs + files:
            host = os.path.join(root, name)
            if os.path.islink(host):
                target = os.readlink(host)
                absolute = os.path.normpath(os.path.join(root, target))
                if target.startswith("/") or not absolute.startswith(ZONEINFO + "/"):
                    continue  # /usr/share/zoneinfo/localtime -> /etc/localtime: the machine's zone, not data
                layer.symlink(host, target)
            elif os.path.isdir(host):
                layer.directory(host)
            elif os.path.isfile(host):
                layer.file(host, source=host, mode=0o644)
    layer.file("etc/passwd", data=(
        "root:x:0:0:root:/root:/sbin/nologin\n"
        f"nonroot:x:{NONROOT}:{NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n").encode(), mode=0o644)
    layer.file("etc/group", data=f"root:x:0:\nnonroot:x:{NONROOT}:\n".encode(), mode=0o644)
    # glibc's default without the file would ask DNS before /etc/hosts; containers write /etc/hosts.
    layer.file("etc/nsswitch.conf", data=b"passwd: files\ngroup: files\nhosts: files dns\n", mode=0o644)
    layer.directory("root", mode=0o700)
    layer.directory("home/nonroot", owner=NONROOT)
    layer.directory("tmp", mode=0o1777)
    layer.directory(DATA_PATH, owner=NONROOT)


def application_layer(layer, binary, policy, shipped):
    layer.file(BINARY_PATH, source=shipped, mode=0o755)
    here = os.path.dirname(os.path.abspath(binary))
    for name in sorted(os.listdir(here)):
        bundle = os.path.join(here, name)
        if name.endswith(".resources") and os.path.isdir(bundle):
            add_tree(layer, bundle, os.path.join(os.path.dirname(BINARY_PATH), name))
    if not os.path.isdir(os.path.join(here, "Countersign_CountersignServer.resources")):
        fail(f"no Countersign_CountersignServer.resources beside {binary}: the server would not find its web UI")
    if policy:
        add_tree(layer, policy, POLICY_PATH)


def add_tree(layer, source, destination):
    """SOURCE's files and directories at DESTINATION, links followed (what they name is what is read)."""
    layer.directory(destination)
    for root, dirs, files in os.walk(source, followlinks=True):
        dirs.sort()
        relative = os.path.relpath(root, source)
        for name in dirs:
            layer.directory(os.path.normpath(os.path.join(destination, relative, name)))
        for name in files:
            layer.file(os.path.normpath(os.path.join(destination, relative, name)),
                       source=os.path.join(root, name), mode=0o644)


class HashingWriter:
    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self):
        self.out.flush()

    def tell(self):
        return self.size


def write_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def write_layer(blobs, layer):
    """The layer, gzipped, as a blob; returns its descriptor and its diff ID (the digest of the uncompressed tar)."""
    # Level 6, gzip's own default: on the debug binary's layer level 9 took four times as long (21 s against 5.5 s)
    # to save 1.4%.
    fd, temporary = tempfile.mkstemp(dir=blobs, prefix=".layer-")
    with os.fdopen(fd, "wb") as raw:
        compressed = HashingWriter(raw)
        with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=compressed, mtime=0) as zipped:
            uncompressed = HashingWriter(zipped)
            layer.write(uncompressed)
    digest = compressed.hash.hexdigest()
    os.replace(temporary, os.path.join(blobs, digest))
    return ({"mediaType": LAYER_TYPE, "digest": "sha256:" + digest, "size": compressed.size},
            "sha256:" + uncompressed.hash.hexdigest(), uncompressed.size)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def rfc3339(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    parser = argparse.ArgumentParser(description="Assemble Countersign's OCI image layout.")
    parser.add_argument("--binary", required=True, help="the countersign executable")
    parser.add_argument("--output", required=True, help="the OCI image layout directory to write (emptied first)")
    parser.add_argument("--tag", help="the ref name in index.json (default: the version the binary reports)")
    parser.add_argument("--policy", help="a policy directory to ship at /etc/countersign/policy")
    parser.add_argument("--source", help="org.opencontainers.image.source: the repository's URL (omitted if unknown)")
    parser.add_argument("--epoch", type=int, help="mtime of every entry (default SOURCE_DATE_EPOCH, else 0)")
    parser.add_argument("--no-strip", action="store_true",
                        help="ship the binary as built (by default its debug sections are stripped)")
    args = parser.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not an executable file")
    epoch = args.epoch if args.epoch is not None else int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    architecture = elf_architecture(binary)
    reported = subprocess.run([binary, "version", "--output", "json"], capture_output=True, text=True)
    if reported.returncode != 0:
        fail(f"{binary} version --output json: exit {reported.returncode}: {reported.stderr.strip()}")
    build = json.loads(reported.stdout)
    # The binary's own build time when it was stamped; else the epoch, so an unstamped build stays reproducible.
    created = build["date"] if build.get("date", "unknown") != "unknown" else rfc3339(epoch)
    tag = args.tag or build["version"]

    runtime, base, application = Layer(epoch), Layer(epoch), Layer(epoch)
    for path in runtime_closure(binary):
        add_host_path(runtime, path)
    base_layer(base)
    # `strip --strip-debug` (binutils): SwiftPM builds with DWARF even in release; the symbol table stays, so a
    # crash's backtrace still names its functions. A release binary shrinks from about 160 MB to 63 MB.
    work = tempfile.mkdtemp(prefix="oci-image-")
    atexit.register(shutil.rmtree, work, True)
    shipped = binary
    if not args.no_strip:
        shipped = os.path.join(work, "countersign")
        subprocess.run(["strip", "--strip-debug", "-o", shipped, binary], check=True)
    application_layer(application, binary, args.policy, shipped)

    out = args.output
    if os.path.exists(out):
        if not os.path.exists(os.path.join(out, "oci-layout")) and os.listdir(out):
            fail(f"{out} exists and is not an OCI layout: refusing to empty it")
        shutil.rmtree(out)
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)
    layers, diff_ids, history = [], [], []
    for name, layer in (("runtime libraries (ldd closure and loader)", runtime),
                        ("CA certificates, zoneinfo, users, /tmp, /var/lib/countersign", base),
                        ("countersign, its resource bundles, the example policy", application)):
        descriptor, diff_id, size = write_layer(blobs, layer)
        layers.append(descriptor)
        diff_ids.append(diff_id)
        history.append({"created": created, "created_by": f"scripts/oci-image.py: {name}"})
        print(f"layer {descriptor['digest']}  {descriptor['size']:>11,} bytes gzip  {size:>11,} tar  {name}",
              file=sys.stderr)

    labels = {
        "org.opencontainers.image.title": "countersign",
        "org.opencontainers.image.description": "Countersign, the deploy-approval control plane",
        "org.opencontainers.image.version": build["version"],
        "org.opencontainers.image.revision": build["commit"],
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.licenses": "Apache-2.0",
    }
    if args.source:
        labels["org.opencontainers.image.source"] = args.source
    config = {
        "created": created,
        "architecture": architecture,
        "os": "linux",
        "config": {
            "User": f"{NONROOT}:{NONROOT}",
            "Entrypoint": ["/" + BINARY_PATH],
            "Cmd": ["serve", "--host", "0.0.0.0"] + (["--policy", "/" + POLICY_PATH] if args.policy else []),
            "ExposedPorts": {"8080/tcp": {}},
            # No SSL_CERT_FILE: swift-nio-ssl (every TLS client and server here) looks for this very file itself
            # (NIOSSL/LinuxCABundle.swift) and reads no variable.
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
            "WorkingDir": "/" + DATA_PATH,
            "StopSignal": "SIGTERM",
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    config_blob = write_blob(blobs, canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, **config_blob},
        "layers": layers,
        "annotations": {k: v for k, v in labels.items() if k != "org.opencontainers.image.description"},
    }
    manifest_blob = write_blob(blobs, canonical(manifest))
    with open(os.path.join(out, "oci-layout"), "wb") as f:
        f.write(canonical({"imageLayoutVersion": "1.0.0"}))
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(canonical({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{
            "mediaType": MANIFEST_TYPE, **manifest_blob,
            "platform": {"os": "linux", "architecture": architecture},
            "annotations": {"org.opencontainers.image.ref.name": tag}}]}))
    print(f"{out}: {manifest_blob['digest']} linux/{architecture} tag {tag} "
          f"(countersign {build['version']}, commit {build['commit']}, built {build['date']})", file=sys.stderr)
    print(manifest_blob["digest"])


if __name__ == "__main__":
    main()
