#!/usr/bin/env python3
"""A small, real OpenID Connect identity provider for tests only: never use it to sign anyone in.

It serves the authorization-code flow with PKCE (S256 only) on 127.0.0.1 for one confidential client, signs ID
tokens with keys made at start (RS256 by default), and has control endpoints with which a test rotates keys, makes
the next ID token wrong in a chosen way, and reads back the requests it received.

Usage:
    idp.py --port N --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI ...] --users FILE

--port 0 picks a free port. FILE is JSON: {"alice": {"sub": "00u-alice", "email": "alice@example.com", ...}, ...};
every user needs a string `sub`, any other claims go into that user's ID tokens as they are. When ready it prints
one line, {"issuer": "http://127.0.0.1:PORT", "port": PORT}, and nothing else on stdout; it stops on SIGTERM or
SIGINT.

Endpoints:
    GET  /.well-known/openid-configuration   discovery
    GET  /authorize, POST /authorize          with login_hint (or the form's `login`) naming a user: a code at once;
                                              without: an HTML sign-in form that posts back here
    POST /token                               code + code_verifier for tokens; client_secret_basic or _post
    GET  /jwks                                the public keys
    POST /control/rotate {"alg": "RS256"|"ES256", "keep_old": bool}   a new signing key (defaults RS256, false)
    POST /control/next {...}                  overrides for the next ID token only: iss, aud, exp_offset,
                                              iat_offset, nonce, azp, kid, claims (null deletes a claim),
                                              sign ("unlisted" | "none" | "hs256-public"); a new call replaces them
    GET  /control/log                         the requests received, /control/* left out, client_secret removed
    GET  /actions/id-token?audience=AUD       a CI job's ID token as GitHub Actions' token request answers it,
                                              {"value": JWT}; the bearer names the job (a user), whose claims it
                                              carries, with jti and nbf; /control/next applies to it
"""
import argparse
import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CODE_LIFETIME = 60
TOKEN_LIFETIME = 300
MAX_BODY = 64 * 1024
PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
PKCE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
NEXT_FIELDS = {"iss": str, "aud": (str, list), "exp_offset": int, "iat_offset": int, "nonce": str,
               "azp": str, "kid": str, "claims": dict, "sign": str}
SIGN_MODES = ("unlisted", "none", "hs256-public")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_uint(value, length=None):
    return b64url(value.to_bytes(length or (value.bit_length() + 7) // 8, "big"))


def pkce_s256(verifier):
    return b64url(hashlib.sha256(verifier.encode()).digest())


class ClientError(Exception):
    """An OAuth error answer: HTTP status, `error` code, description."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class Key:
    kid: str
    alg: str
    private: object

    @classmethod
    def generate(cls, alg):
        if alg == "RS256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"unsupported alg {alg!r}")
        return cls(secrets.token_urlsafe(12), alg, private)

    def jwk(self):
        numbers = self.private.public_key().public_numbers()
        if self.alg == "RS256":
            material = {"kty": "RSA", "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}
        else:
            material = {"kty": "EC", "crv": "P-256", "x": b64url_uint(numbers.x, 32), "y": b64url_uint(numbers.y, 32)}
        return {**material, "kid": self.kid, "use": "sig", "alg": self.alg}

    def public_pem(self):
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass
class Grant:
    """What an authorization code stands for."""
    login: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str
    scope: str
    auth_time: int
    expires: float


def compact_jws(header, claims, sign):
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def sign_id_token(claims, key, mode=None, kid=None):
    """Signs with `key`, or in one of the broken ways of SIGN_MODES; `kid` replaces the header's kid."""
    if mode == "unlisted":
        key = Key.generate(key.alg)
    header = {"kid": kid or key.kid, "typ": "JWT"}
    if mode == "none":
        return compact_jws({"alg": "none", **header}, claims, lambda _: b"")
    if mode == "hs256-public":
        secret = key.public_pem()
        return compact_jws({"alg": "HS256", **header}, claims,
                           lambda data: hmac.new(secret, data, hashlib.sha256).digest())
    return jwt.encode(claims, key.private, algorithm=key.alg, headers=header)


def parse_next(overrides):
    """Checks a /control/next body; raises ValueError on an unknown field or a value of the wrong type."""
    if not isinstance(overrides, dict):
        raise ValueError("expected a JSON object")
    for name, value in overrides.items():
        if name not in NEXT_FIELDS or not isinstance(value, NEXT_FIELDS[name]) or isinstance(value, bool):
            raise ValueError(f"bad field {name!r}")
    if "sign" in overrides and overrides["sign"] not in SIGN_MODES:
        raise ValueError(f"sign must be one of {', '.join(SIGN_MODES)}")
    return overrides


class Provider:
    """The identity provider's state, shared by the request threads."""

    def __init__(self, client_id, client_secret, redirect_uris, users):
        self.issuer = ""
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris, self.users = redirect_uris, users
        self.lock = threading.Lock()
        self.keys = [Key.generate("RS256")]  # keys[0] signs; all are published
        self.codes = {}
        self.next_overrides = {}
        self.log = []

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
            "grant_types_supported": ["authorization_code"],
        }

    def jwks(self):
        with self.lock:
            return {"keys": [key.jwk() for key in self.keys]}

    def rotate(self, alg, keep_old):
        key = Key.generate(alg)
        with self.lock:
            self.keys = [key] + (self.keys if keep_old else [])

    def set_next(self, overrides):
        with self.lock:
            self.next_overrides = overrides

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def requests(self):
        with self.lock:
            return list(self.log)

    def issue_code(self, login, params):
        code = secrets.token_urlsafe(32)
        now = time.time()
        grant = Grant(login, params["client_id"], params["redirect_uri"], params.get("nonce"),
                      params["code_challenge"], params["scope"], int(now), now + CODE_LIFETIME)
        with self.lock:
            self.codes[code] = grant
        return code

    def redeem_code(self, code, client_id, redirect_uri, verifier):
        """The code's grant; the code is spent by any presentation, good or bad."""
        with self.lock:
            grant = self.codes.pop(code, None)
        if grant is None or time.time() > grant.expires:
            raise ClientError(400, "invalid_grant", "unknown, used or expired code")
        if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise ClientError(400, "invalid_grant", "code issued to another client or redirect_uri")
        if not PKCE_VERIFIER.fullmatch(verifier) or pkce_s256(verifier) != grant.code_challenge:
            raise ClientError(400, "invalid_grant", "code_verifier does not match code_challenge")
        return grant

    def id_token(self, grant):
        with self.lock:
            overrides, self.next_overrides = self.next_overrides, {}
            key = self.keys[0]
        user = self.users[grant.login]
        now = int(time.time())
        claims = {
            "iss": overrides.get("iss", self.issuer),
            "sub": user["sub"],
            "aud": overrides.get("aud", grant.client_id),
            "exp": now + overrides.get("exp_offset", TOKEN_LIFETIME),
            "iat": now + overrides.get("iat_offset", 0),
            "auth_time": grant.auth_time,
        }
        nonce = overrides.get("nonce", grant.nonce)
        if nonce is not None:
            claims["nonce"] = nonce
        if "azp" in overrides:
            claims["azp"] = overrides["azp"]
        return self.finish(claims, user, overrides, key)

    def finish(self, claims, user, overrides, key):
        """The user's own claims under the token's, the overrides over both, signed."""
        claims.update({name: value for name, value in user.items() if name not in claims})
        for name, value in overrides.get("claims", {}).items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return sign_id_token(claims, key, overrides.get("sign"), overrides.get("kid"))

    def ci_token(self, login, audience):
        """A CI job's ID token, as GitHub Actions' token request answers it: the job's claims, for the audience the
        job asks for; /control/next overrides apply to it as to a sign-in's."""
        with self.lock:
            overrides, self.next_overrides = self.next_overrides, {}
            key = self.keys[0]
        user = self.users[login]
        now = int(time.time())
        claims = {
            "iss": overrides.get("iss", self.issuer),
            "sub": user["sub"],
            "aud": overrides.get("aud", audience),
            "exp": now + overrides.get("exp_offset", TOKEN_LIFETIME),
            "iat": now + overrides.get("iat_offset", 0),
            "nbf": now + overrides.get("iat_offset", 0),
            "jti": secrets.token_hex(16),
        }
        return self.finish(claims, user, overrides, key)

    def authenticate_client(self, authorization, form):
        """The client id, from HTTP Basic (RFC 6749 2.3.1) or from client_id + client_secret in the body."""
        if authorization and ("client_secret" in form):
            raise ClientError(400, "invalid_request", "more than one client authentication method")
        if authorization:
            scheme, _, credentials = authorization.partition(" ")
            try:
                decoded = base64.b64decode(credentials, validate=True).decode()
            except ValueError:
                raise ClientError(401, "invalid_client", "malformed Basic credentials") from None
            client_id, colon, secret = decoded.partition(":")
            client_id, secret = unquote_plus(client_id), unquote_plus(secret)
            if scheme.lower() != "basic" or not colon or form.get("client_id", client_id) != client_id:
                raise ClientError(401, "invalid_client", "malformed Basic credentials")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if client_id != self.client_id or not hmac.compare_digest(secret.encode(), self.client_secret.encode()):
            raise ClientError(401, "invalid_client", "client authentication failed")
        return client_id

    def token(self, authorization, form):
        client_id = self.authenticate_client(authorization, form)
        if form.get("grant_type") != "authorization_code":
            raise ClientError(400, "unsupported_grant_type", "only authorization_code")
        missing = [name for name in ("code", "redirect_uri", "code_verifier") if name not in form]
        if missing:
            raise ClientError(400, "invalid_request", f"missing {', '.join(missing)}")
        grant = self.redeem_code(form["code"], client_id, form["redirect_uri"], form["code_verifier"])
        return {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                "id_token": self.id_token(grant), "scope": grant.scope}

    def authorize_error(self, params):
        """Why an authorization request with a known client and redirect_uri is refused, or None."""
        if params.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in params.get("scope", "").split():
            return "scope must contain openid"
        if not PKCE_CHALLENGE.fullmatch(params.get("code_challenge", "")):
            return "code_challenge missing or malformed"
        if params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256"
        return None


def with_query(uri, params):
    parts = urlsplit(uri)
    extra = urlencode(params, quote_via=quote)
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def single_valued(pairs):
    """A dict of the parameters, or None when one is repeated (RFC 6749 3.1, 3.2)."""
    params = dict(pairs)
    return params if len(params) == len(pairs) else None


def page(title, body):
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>")


def sign_in_form(params, users):
    hidden = "".join(f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
                     for name, value in params.items())
    options = "".join(f'<option value="{html.escape(login)}">{html.escape(str(claims.get("name", login)))}'
                      f' ({html.escape(login)})</option>' for login, claims in users.items())
    return page("Sign in to the test identity provider",
                f'<form method="post" action="/authorize">{hidden}'
                f'<label for="login">User</label> <select name="login" id="login">{options}</select> '
                f'<button type="submit" id="sign-in">Sign in</button></form>')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    provider: Provider  # set on the subclass that main() makes

    def do_GET(self):
        self.dispatch(b"")

    def do_POST(self):
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            return self.send_json(411, {"error": "invalid_request", "error_description": "send Content-Length"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.send_json(413, {"error": "invalid_request", "error_description": "body too large"})
        self.dispatch(self.rfile.read(length))

    def dispatch(self, body):
        path, _, query = self.path.partition("?")
        query_pairs = parse_qsl(query, keep_blank_values=True)
        form_pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if self.is_form() else []
        if not path.startswith("/control/"):
            self.provider.record({"method": self.command, "path": path, "query": dict(query_pairs),
                                  "form": {name: value for name, value in form_pairs if name != "client_secret"},
                                  "auth_scheme": self.auth_scheme()})
        route = {
            ("GET", "/.well-known/openid-configuration"): lambda: self.send_json(200, self.provider.discovery()),
            ("GET", "/jwks"): lambda: self.send_json(200, self.provider.jwks()),
            ("GET", "/authorize"): lambda: self.authorize(query_pairs),
            ("POST", "/authorize"): lambda: self.authorize(form_pairs),
            ("POST", "/token"): lambda: self.token(form_pairs),
            ("POST", "/control/rotate"): lambda: self.control(body, self.rotate),
            ("POST", "/control/next"): lambda: self.control(body, lambda o: self.provider.set_next(parse_next(o))),
            ("GET", "/control/log"): lambda: self.send_json(200, self.provider.requests()),
            ("GET", "/actions/id-token"): lambda: self.actions_token(query_pairs),
        }.get((self.command, path))
        if route:
            route()
        else:
            self.send_json(404, {"error": "not_found"})

    def auth_scheme(self):
        """The Authorization header's scheme ("Basic"), never its credentials; None without one."""
        return (self.headers.get("Authorization") or "").partition(" ")[0] or None

    def is_form(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip() == "application/x-www-form-urlencoded"

    def authorize(self, pairs):
        provider, params = self.provider, single_valued(pairs)
        if params is None:
            return self.send_html(400, page("Bad request", "<p>A parameter is repeated.</p>"))
        if params.get("client_id") != provider.client_id or params.get("redirect_uri") not in provider.redirect_uris:
            return self.send_html(400, page("Bad request", "<p>Unknown client_id or unregistered redirect_uri.</p>"))
        state = {"state": params["state"]} if "state" in params else {}
        error = provider.authorize_error(params)
        if error:
            return self.redirect(with_query(params["redirect_uri"],
                                            {"error": "invalid_request", "error_description": error, **state}))
        login = params.get("login") or params.get("login_hint")
        if login is None:
            return self.send_html(200, sign_in_form(params, provider.users))
        if login not in provider.users:
            return self.send_html(400, page("Bad request", f"<p>Unknown user {html.escape(login)}.</p>"))
        code = provider.issue_code(login, params)
        self.redirect(with_query(params["redirect_uri"], {"code": code, **state}))

    def token(self, pairs):
        form = single_valued(pairs)
        try:
            if not self.is_form() or form is None:
                raise ClientError(400, "invalid_request", "expected a form body without repeated parameters")
            answer = self.provider.token(self.headers.get("Authorization"), form)
        except ClientError as refusal:
            headers = {"WWW-Authenticate": 'Basic realm="idp"'} if refusal.status == 401 else {}
            return self.send_json(refusal.status, {"error": refusal.error, "error_description": refusal.description},
                                  {"Cache-Control": "no-store", **headers})
        self.send_json(200, answer, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def actions_token(self, pairs):
        """GitHub Actions' ID token request (ACTIONS_ID_TOKEN_REQUEST_URL with &audience=, the request token as
        the bearer): here the bearer names the job, one of the users."""
        query = single_valued(pairs) or {}
        scheme, _, job = (self.headers.get("Authorization") or "").partition(" ")
        if scheme != "Bearer" or job not in self.provider.users:
            return self.send_json(401, {"message": "bad request token"})
        self.send_json(200, {"value": self.provider.ci_token(job, query.get("audience", "https://github.com/acme"))})

    def rotate(self, options):
        if not isinstance(options, dict) or not isinstance(options.get("keep_old", False), bool):
            raise ValueError("expected {\"alg\": \"RS256\"|\"ES256\", \"keep_old\": bool}")
        self.provider.rotate(options.get("alg", "RS256"), options.get("keep_old", False))

    def control(self, body, action):
        try:
            action(json.loads(body or b"{}"))
        except ValueError as problem:
            return self.send_json(400, {"error": str(problem)})
        self.send_json(200, {})

    def redirect(self, location):
        self.send_body(302, b"", "text/plain", {"Location": location})

    def send_html(self, status, text):
        self.send_body(status, text.encode(), "text/html; charset=utf-8")

    def send_json(self, status, value, headers=None):
        self.send_body(status, json.dumps(value).encode(), "application/json", headers)

    def send_body(self, status, body, content_type, headers=None):
        self.send_response(status)
        for name, value in {"Content-Type": content_type, "Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        self.log_message("%s %s %s", self.command, self.path.partition("?")[0], code)

    def log_message(self, format, *args):
        sys.stderr.write("idp: " + format % args + "\n")


def load_users(path):
    with open(path, encoding="utf-8") as file:
        users = json.load(file)
    if not isinstance(users, dict) or not users or not all(
            isinstance(claims, dict) and isinstance(claims.get("sub"), str) for claims in users.values()):
        raise ValueError("users must be a non-empty object of claim objects, each with a string sub")
    return users


def parse_arguments():
    parser = argparse.ArgumentParser(description="Test-only OpenID Connect identity provider on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True, help="repeatable")
    parser.add_argument("--users", required=True, help="JSON file: {login: {sub, other claims...}}")
    arguments = parser.parse_args()
    try:
        arguments.users = load_users(arguments.users)
    except (OSError, ValueError) as problem:
        parser.error(f"--users: {problem}")
    return arguments


def stop(signum, frame):
    raise SystemExit(0)


def main():
    arguments = parse_arguments()
    provider = Provider(arguments.client_id, arguments.client_secret, arguments.redirect_uri, arguments.users)
    handler = type("BoundHandler", (Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), handler)
    # Clients keep connections alive: stopping must not wait for their handler threads.
    server.daemon_threads = True
    server.block_on_close = False
    port = server.server_address[1]
    provider.issuer = f"http://127.0.0.1:{port}"
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps({"issuer": provider.issuer, "port": port}), flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
