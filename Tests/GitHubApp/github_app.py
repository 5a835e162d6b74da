#!/usr/bin/env python3
"""A small GitHub REST API for one GitHub App, for tests only.

It authenticates the way GitHub does: an App's JWT (RS256, verified with PyJWT against the App's public key; issued
by the App's id; at most 10 minutes long; not expired) for the App's own endpoints, and an installation token it
issued — unexpired, and for the installation that covers the repository — for everything under /repos. Tokens live
--token-ttl seconds (GitHub: one hour), so a test can watch a client refresh them across an expiry.

Usage:
    github_app.py --port N --app-id ID --public-key FILE --installations JSON --token-ttl SECONDS

JSON maps owner/name (any case) to an installation id. --port 0 picks a free port. When ready it prints one line,
{"api": "http://127.0.0.1:PORT", "port": PORT}, and nothing else on stdout; it stops on SIGTERM or SIGINT.

Endpoints:
    GET  /repos/{owner}/{repo}/installation                 (App JWT) the installation, or 404
    POST /app/installations/{id}/access_tokens              (App JWT) 201 {token, expires_at, permissions}
    GET  /repos/{owner}/{repo}/commits/{sha}/pulls          (installation token) []
    GET  /repos/{owner}/{repo}/commits/{sha}                (installation token) a commit pushed by "zaniebot"
    POST /repos/{owner}/{repo}/actions/runs/{id}/deployment_protection_rule   (installation token) 204
    GET  /control/log                                       what it received: method, path, who, status
"""
import argparse
import json
import re
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

MAX_BODY = 64 * 1024


class State:
    def __init__(self, app_id, public_key, installations, ttl):
        self.app_id = app_id
        self.public_key = public_key
        self.installations = {k.lower(): v for k, v in installations.items()}
        self.ttl = ttl
        self.tokens = {}  # token -> (installation, expires_at)
        self.log = []
        self.lock = threading.Lock()


def problem(message):
    return {"message": message, "documentation_url": "https://docs.github.com/rest"}


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeGitHub/1"
    state: State = None

    def log_message(self, *args):
        pass

    def answer(self, status, body, who):
        with self.state.lock:
            self.state.log.append({"method": self.command, "path": self.path, "who": who, "status": status})
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def bearer(self):
        header = self.headers.get("Authorization", "")
        return header[len("Bearer "):] if header.startswith("Bearer ") else None

    def app_jwt(self):
        """The App's JWT, verified as GitHub verifies it; an error message when it is not one."""
        token = self.bearer()
        if not token:
            return "A JSON web token could not be decoded"
        try:
            claims = jwt.decode(
                token, self.state.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]})
        except jwt.PyJWTError as error:
            return f"A JSON web token could not be decoded: {error}"
        if str(claims["iss"]) != self.state.app_id:
            return f"Integration not found: iss {claims['iss']}"
        if claims["exp"] - claims["iat"] > 600:
            return "'Expiration time' claim ('exp') is too far in the future"
        if claims["iat"] > time.time() + 60:
            return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
        return None

    def installation_token(self, repository):
        """None when the bearer is an unexpired token of the installation covering `repository`."""
        token = self.bearer()
        with self.state.lock:
            issued = self.state.tokens.get(token or "")
        if issued is None:
            return "Bad credentials"
        installation, expires = issued
        if time.time() >= expires:
            return "Bad credentials: the token expired"
        if self.state.installations.get(repository.lower()) != installation:
            return "Resource not accessible by integration"
        return None

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/control/log":
            with self.state.lock:
                log = list(self.state.log)
            data = json.dumps(log).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/installation", path)
        if m:
            error = self.app_jwt()
            if error:
                return self.answer(401, problem(error), "invalid-jwt")
            installation = self.state.installations.get(f"{m[1]}/{m[2]}".lower())
            if installation is None:
                return self.answer(404, problem("Not Found"), "app")
            return self.answer(200, {"id": installation, "app_id": int(self.state.app_id)}, "app")
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/commits/([0-9a-f]{40})(/pulls)?", path)
        if m:
            error = self.installation_token(f"{m[1]}/{m[2]}")
            if error:
                return self.answer(401, problem(error), "invalid-token")
            if m[4]:
                return self.answer(200, [], self.bearer())
            person = {"login": "zaniebot"}
            stamp = {"email": "zanie@example.com", "date": "2026-11-02T09:00:00Z"}
            return self.answer(
                200, {"sha": m[3], "author": person, "committer": person,
                      "commit": {"author": stamp, "committer": stamp}}, self.bearer())
        self.answer(404, problem("Not Found"), None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length > MAX_BODY:
            return self.answer(413, problem("too large"), None)
        body = self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        m = re.fullmatch(r"/app/installations/(\d+)/access_tokens", path)
        if m:
            error = self.app_jwt()
            if error:
                return self.answer(401, problem(error), "invalid-jwt")
            installation = int(m[1])
            if installation not in self.state.installations.values():
                return self.answer(404, problem("Not Found"), "app")
            token = "ghs_" + secrets.token_hex(18)
            expires = int(time.time()) + self.state.ttl
            with self.state.lock:
                self.state.tokens[token] = (installation, expires)
            return self.answer(201, {
                "token": token,
                "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
                "permissions": {"deployments": "write", "contents": "read", "pull_requests": "read"},
                "repository_selection": "selected"}, "app")
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/actions/runs/(\d+)/deployment_protection_rule", path)
        if m:
            error = self.installation_token(f"{m[1]}/{m[2]}")
            if error:
                return self.answer(401, problem(error), "invalid-token")
            try:
                review = json.loads(body)
            except ValueError:
                return self.answer(400, problem("Problems parsing JSON"), self.bearer())
            if not isinstance(review, dict) or not isinstance(review.get("environment_name"), str):
                return self.answer(422, problem("environment_name is required"), self.bearer())
            return self.answer(204, None, self.bearer())
        self.answer(404, problem("Not Found"), None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--installations", required=True)
    parser.add_argument("--token-ttl", type=int, default=3600)
    args = parser.parse_args()
    with open(args.public_key) as f:
        public_key = f.read()
    Handler.state = State(args.app_id, public_key, json.loads(args.installations), args.token_ttl)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
    print(json.dumps({"api": f"http://127.0.0.1:{port}", "port": port}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
