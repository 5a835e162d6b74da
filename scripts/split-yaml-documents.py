#!/usr/bin/env python3
"""Splits YAML streams (several documents separated by `---`) into one JSON file per document, for validators that
read one document a file, such as check-jsonschema (Tests/CountersignCoreTests/PolicySchemaFilesTests.swift).

    split-yaml-documents.py OUT_DIR FILE...

Writes OUT_DIR/<path with / as __>.<n>.json, n counting the file's documents from 1 (empty documents are skipped),
and prints one line per document: the JSON file, a tab, and FILE#n.

The documents are read as the policy loader reads them: an anchor stays defined for the rest of the stream, so a
later document may use `*code` for an `&code` of an earlier one (Yams keeps anchors across documents; PyYAML and
ruamel.yaml forget them at each `---`), and merge keys (`<<: *base`) apply. Timestamps stay the strings they are
written as (as check-jsonschema reads YAML), so `format: date-time` checks the text. Needs ruamel.yaml, which
check-jsonschema depends on: run it with the Python scripts/python-deps.sh installs it for
(.build/supply-chain-venv/bin/python).
"""

import json
import os
import sys
import warnings

import ruamel.yaml
from ruamel.yaml.composer import Composer


class StreamComposer(Composer):
    """A composer whose anchors outlive the document they are defined in."""

    def compose_document(self):
        # The base class starts each document with no anchors; this is the same without that reset (a later
        # definition of a name replaces the earlier one).
        self.parser.get_event()  # DOCUMENT-START
        node = self.compose_node(None, None)
        self.parser.get_event()  # DOCUMENT-END
        return node


def yaml_reader():
    yaml = ruamel.yaml.YAML(typ="safe", pure=True)
    yaml.Composer = StreamComposer

    class Constructor(ruamel.yaml.SafeConstructor):
        pass

    yaml.Constructor = Constructor
    # Timestamps as their text, not datetime objects (check-jsonschema does the same).
    Constructor.add_constructor("tag:yaml.org,2002:timestamp", ruamel.yaml.SafeConstructor.construct_yaml_str)
    return yaml


def normalize(value):
    """JSON has only string keys."""
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: split-yaml-documents.py OUT_DIR FILE...\n")
        return 2
    out_dir, files = argv[1], argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    for path in files:
        stem = path.strip("/").replace("/", "__")
        with open(path, "rb") as f:
            text = f.read()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ruamel.yaml.error.ReusedAnchorWarning)
                documents = list(yaml_reader().load_all(text))
        except ruamel.yaml.YAMLError as error:
            sys.stderr.write(f"{path}: invalid YAML: {error}\n")
            return 1
        n = 0
        for document in documents:
            if document is None:
                continue
            n += 1
            target = os.path.join(out_dir, f"{stem}.{n}.json")
            with open(target, "w", encoding="utf-8") as f:
                json.dump(normalize(document), f, indent=2, ensure_ascii=False, allow_nan=False)
                f.write("\n")
            print(f"{target}\t{path}#{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
