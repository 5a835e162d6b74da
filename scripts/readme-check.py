#!/usr/bin/env python3
"""Runs the README's commands and checks that each prints what the README shows.

Every ```sh block of README.md with `$ ` lines is a session: each `$ ` line (with its `\\` continuations) is a
command, and the lines after it, up to the next command, are the output the README shows for it. A block runs as
one bash script, so a variable set by one command (`BOT=$(…)`) is there for the next; a `countersign serve` runs in
the background until it prints its address, its output so far is its shown output, and it is stopped at the end of
its block. Blocks without `$ ` lines list commands without showing output and are not run.

How a shown output is compared with what the command printed: `…` stands for any text (across lines), and any run of
whitespace in the README — line breaks included, so long lines can be wrapped — matches any run of whitespace, or
none, in the output. Everything else must be there, in order, from the first character to the last. A comment on
the command that says `(exit N…)` is checked against its exit status too.

The commands run as a newcomer would type them — `swift run countersign …` (a `swift` on PATH that runs the binary
`swift build` made, so nothing is rebuilt), in a scratch directory that holds the repository's examples/, scripts/
and Tests/ and has ../shared beside it. Commands whose output would depend on the date pin it (`--at`, `--demo-until`,
`--from`/`--to`); where the README cannot (a live server decides at the time it is asked), the shown output leaves
the date-dependent part to `…` and the prose says what changes.

Usage: scripts/readme-check.py [--print]   (--print: show each command's actual output instead of checking)
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "@@readme-command@@"


def blocks(text):
    """(line number of the block's first line, its lines) for every ```sh block."""
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start, body = i + 2, []
            i += 1
            while lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            found.append((start, body))
        i += 1
    return found


def commands(body, start):
    """Each `$ ` command of a block: its text, the output lines shown after it, and its line number."""
    found, continued = [], False
    for n, line in enumerate(body):
        if continued:
            found[-1]["text"] += "\n" + line
            continued = line.endswith("\\")
        elif line.startswith("$ "):
            found.append({"text": line[2:], "shown": [], "line": start + n})
            continued = line.endswith("\\")
        elif found:
            found[-1]["shown"].append(line)
    return found


def pattern(shown):
    """The shown output as a regular expression over the whole actual output."""
    text = "\n".join(line.rstrip() for line in shown).strip()
    parts = []
    for piece in re.split(r"(…|\s+)", text):
        if piece == "…":
            parts.append(r"[\s\S]*?")
        elif piece and piece.isspace():
            parts.append(r"\s*")
        elif piece:
            parts.append(re.escape(piece))
    return re.compile(r"\A\s*" + "".join(parts) + r"\s*\Z")


def script(cmds):
    """One bash script for a block: each command's output after a marker, servers in the background."""
    # Job control on: each server runs in a process group of its own, stopped whole at the end of the block.
    out = ["set -u -m", "trap 'for p in $(jobs -p); do kill -- -$p 2>/dev/null; done; wait' EXIT"]
    for i, c in enumerate(cmds):
        out.append(f"printf '\\n{MARK} {i}\\n'")
        if re.search(r"\bcountersign serve\b", c["text"]) and not c["text"].rstrip().endswith("&"):
            log = f".serve-{i}.log"
            out.append("{\n" + c["text"] + "\n} >" + log + " 2>&1 &")
            out.append(
                f"for _ in $(seq 1500); do grep -q 'listening on' {log} && break; sleep 0.2; done; cat {log}; "
                f"printf '\\n{MARK} status 0\\n'")
        else:
            out.append("{\n" + c["text"] + "\n} 2>&1")
            out.append(f"printf '\\n{MARK} status %s\\n' $?")
    return "\n".join(out) + "\n"


def run(cmds, work, env):
    """Runs a block; returns (output, status) per command."""
    done = subprocess.run(
        ["bash", "-c", script(cmds)], cwd=work, env=env, capture_output=True, text=True,
        timeout=900)
    chunks = re.split(rf"\n{MARK} (\d+)\n", done.stdout + done.stderr)
    results = {}
    for index, body in zip(chunks[1::2], chunks[2::2]):
        status = re.search(rf"\n{MARK} status (\d+)\n?", body)
        results[int(index)] = (body[: status.start()] if status else body, int(status.group(1)) if status else None)
    return [results.get(i, ("(the command did not run)", None)) for i in range(len(cmds))]


def main():
    show = "--print" in sys.argv
    binary = ROOT / ".build" / "debug" / "countersign"
    if not binary.exists():
        sys.exit(f"readme-check: {binary} is missing; run `swift build` first")
    for tool in ["curl", "bash"]:
        if shutil.which(tool) is None:
            sys.exit(f"readme-check: {tool} is not installed (scripts/system-deps.sh installs it)")
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="countersign-readme."))
    try:
        work, shim = scratch / "work", scratch / "bin"
        work.mkdir()
        shim.mkdir()
        for name in ["examples", "scripts", "Tests"]:
            (work / name).symlink_to(ROOT / name)
        (scratch / "shared").symlink_to((ROOT / ".." / "shared").resolve())
        swift = shim / "swift"
        swift.write_text(
            "#!/usr/bin/env bash\n# `swift run countersign ARGS` runs the built binary.\n"
            '[ "$1" = run ] && [ "$2" = countersign ] || { echo "readme-check: not a countersign command: $*" >&2; '
            "exit 127; }\n"
            f'shift 2; exec "{binary}" "$@"\n')
        swift.chmod(0o755)
        env = dict(os.environ, PATH=f"{shim}:{os.environ['PATH']}", TZ="UTC")
        failures, checked = [], 0
        for start, body in blocks((ROOT / "README.md").read_text()):
            cmds = commands(body, start)
            if not cmds:
                continue
            for c, (output, status) in zip(cmds, run(cmds, work, env)):
                checked += 1
                first = c["text"].split("\n")[0]
                if show:
                    print(f"--- README.md:{c['line']}: $ {first}  (exit {status})\n{output}")
                    continue
                problems = []
                if not pattern(c["shown"]).match(output):
                    problems.append("prints something else")
                expected = re.search(r"#.*\(exit (\d+)", c["text"])
                if expected and status != int(expected.group(1)):
                    problems.append(f"exits {status}, the README says {expected.group(1)}")
                if problems:
                    failures.append(
                        f"README.md:{c['line']}: $ {first}\n  {'; '.join(problems)}\n  shown:\n"
                        + "".join(f"    {line}\n" for line in c["shown"])
                        + "  printed:\n" + "".join(f"    {line}\n" for line in output.strip("\n").split("\n")))
        if show:
            return
        for f in failures:
            print(f, file=sys.stderr)
        print(f"readme-check: {checked - len(failures)} of {checked} README commands print what the README shows")
        if failures or checked == 0:
            sys.exit(1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
