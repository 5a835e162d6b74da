#!/usr/bin/env python3
"""The steps of scripts/image-check.sh that are easier said in Python.

  image-check.py inspect --config FILE --manifest FILE --layout DIR --version-json JSON
      asserts what the image's configuration and layers must say (user, entrypoint, labels equal to what the
      binary reports, no shell, CA bundle, zoneinfo, …) and prints one line per layer: digest, size, what it holds.
  image-check.py layers --layout DIR --manifest FILE
      prints the paths of the layer blobs, in order (to extract them).
  image-check.py run ROOTFS --config FILE [--host H --port P | -- ARGS...]
      runs the image's entrypoint as its configuration says — chroot to ROOTFS, WorkingDir, Env, User (setgid,
      setuid) — with ARGS, or with its Cmd (--host and --port replacing or adding those options). Needs root;
      scripts/image-check.sh runs it under `unshare --mount --pid --fork --mount-proc`, so the process is PID 1 of
      its own namespace with /proc mounted, as in a container.
  image-check.py loader ROOTFS -- ARGS...
      without root: the image's binary through the image's own dynamic loader and libraries
      (`ld.so --inhibit-cache --library-path …`), never the machine's.
  image-check.py sign --registry HOST --repo REPO --digest DIGEST --key PRIVATE [--reference NAME]
      a cosign `.sig` for DIGEST in REPO, made by scripts/registry-fixture.py's own functions (cosign's
      simple-signing payload naming NAME, default HOST/REPO, signed with `openssl dgst -sha256`). Needs the Python that
      has the fixture's packages (COUNTERSIGN_TEST_PYTHON).
  image-check.py keypair DIR NAME
      an ECDSA P-256 key pair, DIR/NAME.key and DIR/NAME.pub (registry-fixture.py's `keypair`).
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tarfile

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox", "toybox"}


def fail(message):
    sys.exit(f"image-check.py: {message}")


def fixture():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("registry_fixture", os.path.join(here, "registry-fixture.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blob(layout, digest):
    return os.path.join(layout, "blobs", *digest.split(":", 1))


def inspect(args):
    with open(args.config) as f:
        config = json.load(f)
    with open(args.manifest) as f:
        manifest = json.load(f)
    reported = json.loads(args.version_json)
    problems = []

    def expect(what, actual, expected):
        if actual != expected:
            problems.append(f"{what} is {actual!r}, expected {expected!r}")

    settings = config.get("config", {})
    labels = settings.get("Labels") or {}
    expect("os/architecture", f"{config.get('os')}/{config.get('architecture')}", "linux/amd64")
    expect("User", settings.get("User"), "65532:65532")
    expect("Entrypoint", settings.get("Entrypoint"), ["/usr/local/bin/countersign"])
    expect("Cmd[0:3]", (settings.get("Cmd") or [])[:3], ["serve", "--host", "0.0.0.0"])
    expect("ExposedPorts", settings.get("ExposedPorts"), {"8080/tcp": {}})
    expect("WorkingDir", settings.get("WorkingDir"), "/var/lib/countersign")
    expect("label org.opencontainers.image.version", labels.get("org.opencontainers.image.version"),
           reported["version"])
    expect("label org.opencontainers.image.revision", labels.get("org.opencontainers.image.revision"),
           reported["commit"])
    expect("label org.opencontainers.image.licenses", labels.get("org.opencontainers.image.licenses"), "Apache-2.0")
    expect("label org.opencontainers.image.title", labels.get("org.opencontainers.image.title"), "countersign")
    if not labels.get("org.opencontainers.image.created"):
        problems.append("label org.opencontainers.image.created is missing")
    diff_ids = config.get("rootfs", {}).get("diff_ids", [])
    expect("number of layers", len(manifest["layers"]), len(diff_ids))

    members, texts = {}, {}
    sizes = []
    for index, layer in enumerate(manifest["layers"]):
        with tarfile.open(blob(args.layout, layer["digest"]), "r:gz") as tar:
            names = []
            for member in tar:
                name = member.name[2:] if member.name.startswith("./") else member.name
                name = name.strip("/")
                members[name] = member
                names.append(name)
                if name in ("etc/passwd", "etc/group") and member.isfile():
                    texts[name] = tar.extractfile(member).read().decode()
                if os.path.basename(name) in SHELLS:
                    problems.append(f"layer {index + 1} holds /{name}: the image has no shell")
        sizes.append((layer["digest"], layer["size"], len(names)))

    def member(path, kind=None):
        found = members.get(path)
        if found is None:
            problems.append(f"/{path} is missing")
        elif kind == "file" and not found.isfile():
            problems.append(f"/{path} is not a regular file")
        elif kind == "dir" and not found.isdir():
            problems.append(f"/{path} is not a directory")
        return found

    ca = member("etc/ssl/certs/ca-certificates.crt", "file")
    if ca is not None and ca.size < 10_000:
        problems.append(f"/etc/ssl/certs/ca-certificates.crt holds only {ca.size} bytes")
    for zone in ("usr/share/zoneinfo/UTC", "usr/share/zoneinfo/America/New_York", "usr/share/zoneinfo/Europe/Berlin",
                 "usr/share/zoneinfo/Asia/Kolkata"):
        member(zone)
    zones = sum(1 for name in members if name.startswith("usr/share/zoneinfo/") and members[name].isfile())
    if zones < 300:
        problems.append(f"only {zones} files under /usr/share/zoneinfo")
    binary = member("usr/local/bin/countersign", "file")
    if binary is not None and binary.mode & 0o111 == 0:
        problems.append("/usr/local/bin/countersign is not executable")
    member("usr/local/bin/Countersign_CountersignServer.resources/openapi.yaml", "file")
    member("etc/countersign/policy/40-artifacts.yaml", "file")
    tmp = member("tmp", "dir")
    if tmp is not None and tmp.mode & 0o7777 != 0o1777:
        problems.append(f"/tmp has mode {tmp.mode & 0o7777:o}, expected 1777")
    data = member("var/lib/countersign", "dir")
    if data is not None and (data.uid, data.gid) != (65532, 65532):
        problems.append(f"/var/lib/countersign is owned by {data.uid}:{data.gid}, expected 65532:65532")
    for path, line in (("etc/passwd", "nonroot:x:65532:65532:"), ("etc/group", "nonroot:x:65532:")):
        if member(path, "file") is not None:
            if not any(entry.startswith(line) for entry in texts[path].splitlines()):
                problems.append(f"/{path} has no line starting {line!r}")
    for name, found in members.items():
        if found.issym() and found.linkname.startswith("/"):
            target = found.linkname.lstrip("/")
        elif found.issym():
            target = os.path.normpath(os.path.join(os.path.dirname(name), found.linkname))
        else:
            continue
        if not resolves(members, target):
            problems.append(f"/{name} -> {found.linkname} dangles")
    for digest, size, count in sizes:
        print(f"  layer {digest[:19]}…  {size / 1e6:8.1f} MB gzip  {count:5d} entries")
    if problems:
        for problem in problems:
            print(f"FAIL {problem}", file=sys.stderr)
        sys.exit(1)


def resolves(members, path, depth=0):
    """Whether PATH names an entry of the image, following its links (directories as well as files)."""
    if depth > 40:
        return False
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        found = members.get(prefix)
        if found is None:
            return False
        if found.issym():
            link = found.linkname
            base = link.lstrip("/") if link.startswith("/") else os.path.normpath(
                os.path.join(os.path.dirname(prefix), link))
            return resolves(members, "/".join([base] + parts[i:]).strip("/"), depth + 1)
    return True


def layers(args):
    with open(args.manifest) as f:
        manifest = json.load(f)
    for layer in manifest["layers"]:
        print(blob(args.layout, layer["digest"]))


def run(args):
    with open(args.config) as f:
        settings = json.load(f)["config"]
    command = list(settings["Entrypoint"])
    if args.args:
        command += args.args
    else:
        arguments = list(settings.get("Cmd") or [])
        for option, value in (("--host", args.host), ("--port", args.port)):
            if value is None:
                continue
            if option in arguments:
                arguments[arguments.index(option) + 1] = value
            else:
                arguments += [option, value]
        command += arguments
    user, _, group = settings.get("User", "0:0").partition(":")
    environment = dict(entry.split("=", 1) for entry in settings.get("Env") or [])
    os.chroot(args.rootfs)
    os.chdir(settings.get("WorkingDir") or "/")
    os.setgroups([])
    os.setgid(int(group or user))
    os.setuid(int(user))
    sys.stdout.flush()
    os.execve(command[0], command, environment)


def loader(args):
    """The binary through the image's PT_INTERP and the image's library folders only."""
    binary = os.path.join(args.rootfs, "usr/local/bin/countersign")
    with open(binary, "rb") as f:
        elf = f.read(1 << 16)
    phoff = int.from_bytes(elf[32:40], "little")
    phentsize = int.from_bytes(elf[54:56], "little")
    phnum = int.from_bytes(elf[56:58], "little")
    interpreter = None
    for i in range(phnum):
        header = elf[phoff + i * phentsize:phoff + (i + 1) * phentsize]
        if int.from_bytes(header[0:4], "little") == 3:  # PT_INTERP
            offset, size = int.from_bytes(header[8:16], "little"), int.from_bytes(header[32:40], "little")
            interpreter = elf[offset:offset + size].rstrip(b"\0").decode()
    if interpreter is None:
        fail(f"{binary} names no dynamic loader")
    folders = set()
    for root, _, files in os.walk(args.rootfs):
        if any(".so" in name for name in files) and "/usr/local/bin" not in root:
            folders.add(root)
    ld = inside(args.rootfs, interpreter)
    command = [ld, "--inhibit-cache", "--library-path", ":".join(sorted(folders))]
    # The binary's RUNPATH (/opt/swift/… in a dynamic build) would find the machine's libraries for any the image
    # lacks: every library must resolve inside ROOTFS.
    listing = subprocess.run(command + ["--list", binary], capture_output=True, text=True, check=True).stdout
    root = os.path.realpath(args.rootfs) + "/"
    for line in listing.splitlines():
        if "=>" in line and not os.path.realpath(line.split("=>")[1].split("(")[0].strip()).startswith(root):
            fail(f"outside the image: {line.strip()}")
    os.execve(ld, command + [binary] + args.args, {"PATH": "/usr/bin:/bin"})


def inside(rootfs, path):
    """PATH resolved as a chroot to ROOTFS would: an absolute link (/usr/lib64/ld-linux-x86-64.so.2 ->
    /lib/x86_64-linux-gnu/…) names a path in the image, never the machine's."""
    pending, resolved, links = [p for p in path.split("/") if p], [], 0
    while pending:
        part = pending.pop(0)
        if part in (".", ""):
            continue
        if part == "..":
            resolved = resolved[:-1]
            continue
        here = os.path.join(rootfs, *resolved, part)
        if os.path.islink(here):
            links += 1
            if links > 40:
                fail(f"too many links resolving {path} in {rootfs}")
            target = os.readlink(here)
            if target.startswith("/"):
                resolved = []
            pending = [p for p in target.split("/") if p] + pending
        else:
            resolved.append(part)
    return os.path.join(rootfs, *resolved)


def sign(args):
    module = fixture()
    registry = module.Registry(args.registry)
    reference = args.reference or f"{args.registry}/{args.repo}"
    payload = module.simple_signing(args.digest, reference)
    signature = module.openssl_sign(args.key, "ecdsa", payload, os.path.dirname(os.path.abspath(args.key)))
    module.push_signature(registry, args.repo, args.digest, payload, signature)
    print(f"signed {args.registry}/{args.repo}@{args.digest} with {os.path.basename(args.key)} "
          f"(payload docker-reference {reference})")


def keypair(args):
    os.makedirs(args.dir, exist_ok=True)
    fixture().keypair(args.dir, args.name, "ecdsa")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("inspect")
    p.add_argument("--config", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument("--layout", required=True)
    p.add_argument("--version-json", required=True)
    p = commands.add_parser("layers")
    p.add_argument("--layout", required=True)
    p.add_argument("--manifest", required=True)
    p = commands.add_parser("run")
    p.add_argument("rootfs")
    p.add_argument("--config", required=True)
    p.add_argument("--host")
    p.add_argument("--port")
    p = commands.add_parser("loader")
    p.add_argument("rootfs")
    p = commands.add_parser("sign")
    p.add_argument("--registry", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--digest", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--reference")
    p = commands.add_parser("keypair")
    p.add_argument("dir")
    p.add_argument("name")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []  # the image's arguments, after --
    args = parser.parse_args(argv[:len(argv) - len(extra) - (1 if "--" in argv else 0)])
    args.args = extra
    {"inspect": inspect, "layers": layers, "run": run, "loader": loader, "sign": sign, "keypair": keypair}[
        args.command](args)


if __name__ == "__main__":
    main()
