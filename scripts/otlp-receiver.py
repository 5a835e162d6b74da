#!/usr/bin/env python3
"""A minimal OTLP/HTTP trace receiver for tests: it stands in for an OpenTelemetry Collector on 127.0.0.1.

It accepts POST /v1/traces with application/x-protobuf or application/json (OTLP's JSON encoding; ids as hex, or as
base64 the way protobuf's own JSON mapping writes bytes), optionally with Content-Encoding: gzip, decodes the
ExportTraceServiceRequest and appends one JSON line per span to SPANS_FILE:
  {traceId, spanId, parentSpanId (hex; "" for a root), name, kind ("server", "internal", ...), startTimeUnixNano,
   endTimeUnixNano (ints), status {code: "unset"|"ok"|"error", message}, attributes {key: value}, events [{name,
   attributes}], resource {key: value}, serviceName}
and answers 200 with an empty ExportTraceServiceResponse. A body it cannot decode gets 400, another path 404.
It binds PORT (0: any free port), prints the port on stdout and, with --port-file, writes it there (atomically).
Needs the PyPI package opentelemetry-proto==1.45.2 (and the protobuf it brings).

  python3 scripts/otlp-receiver.py spans.jsonl --port-file port.txt &
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat port.txt) countersign serve ...
"""
import argparse
import base64
import gzip
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest, ExportTraceServiceResponse)

KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
STATUS = {0: "unset", 1: "ok", 2: "error"}
ID_KEYS = {"traceId": 32, "spanId": 16, "parentSpanId": 16, "trace_id": 32, "span_id": 16, "parent_span_id": 16}


def value(v):
    """An AnyValue as plain JSON."""
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return flatten(v.kvlist_value.values)
    if which == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, which)


def flatten(key_values):
    return {kv.key: value(kv.value) for kv in key_values}


def hex_ids_to_base64(node):
    """OTLP/JSON writes trace and span ids as hex; protobuf's JSON parser wants base64. Lengths tell them apart."""
    if isinstance(node, dict):
        for key, item in node.items():
            if key in ID_KEYS and isinstance(item, str) and len(item) == ID_KEYS[key]:
                node[key] = base64.b64encode(bytes.fromhex(item)).decode()
            else:
                hex_ids_to_base64(item)
    elif isinstance(node, list):
        for item in node:
            hex_ids_to_base64(item)


def span_lines(request):
    for resource_spans in request.resource_spans:
        resource = flatten(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield json.dumps({
                    "traceId": span.trace_id.hex(), "spanId": span.span_id.hex(),
                    "parentSpanId": span.parent_span_id.hex(), "name": span.name,
                    "kind": KINDS.get(span.kind, str(span.kind)),
                    "startTimeUnixNano": span.start_time_unix_nano, "endTimeUnixNano": span.end_time_unix_nano,
                    "status": {"code": STATUS.get(span.status.code, str(span.status.code)),
                               "message": span.status.message},
                    "attributes": flatten(span.attributes),
                    "events": [{"name": e.name, "attributes": flatten(e.attributes)} for e in span.events],
                    "resource": resource, "serviceName": resource.get("service.name"),
                }, sort_keys=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as exporters expect
    lock = threading.Lock()
    spans_file = None

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                body += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return body
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.read_body()
        if self.path.split("?")[0] != "/v1/traces":
            return self.answer(404, b"only /v1/traces\n")
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        request = ExportTraceServiceRequest()
        try:
            if self.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            if content_type == "application/x-protobuf":
                request.ParseFromString(body)
            elif content_type == "application/json":
                document = json.loads(body)
                hex_ids_to_base64(document)
                json_format.ParseDict(document, request)
            else:
                return self.answer(415, b"application/x-protobuf or application/json\n")
            lines = list(span_lines(request))
        except Exception as error:  # any undecodable body: gzip, protobuf, JSON
            return self.answer(400, f"undecodable request: {error}\n".encode())
        with self.lock, open(self.spans_file, "a") as out:
            out.writelines(line + "\n" for line in lines)
        if content_type == "application/json":
            self.answer(200, b"{}", "application/json")
        else:
            self.answer(200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("otlp-receiver: " + format % args + "\n")


def main():
    parser = argparse.ArgumentParser(description="OTLP/HTTP trace receiver for tests")
    parser.add_argument("spans_file", help="file to append one JSON line per span to")
    parser.add_argument("--port", type=int, default=0, help="port to bind on 127.0.0.1 (default: any free one)")
    parser.add_argument("--port-file", help="also write the bound port to this file")
    parser.add_argument("--verbose", action="store_true", help="log each request on stderr")
    args = parser.parse_args()
    Handler.spans_file = args.spans_file
    open(args.spans_file, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads, server.verbose = True, args.verbose
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as out:
            out.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
