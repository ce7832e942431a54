#!/usr/bin/env python3
"""A strict test double of the Opencast endpoints a capture agent uses (standard library only).

Listens on 127.0.0.1 only. Prints "PORT n" first. Endpoints are in a table (ROUTES) so that
later features (ingest, capture-admin) add rows. With --digest it behaves like Opencast: Digest
auth is offered only to requests carrying "X-Requested-Auth: Digest"; others are redirected to
the login page, which a client must never take for success. Every request is logged as one
JSON line (--log) so that tests can assert the whole conversation.
"""
import argparse
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
FAULTS = {"fail": [], "drop": 0, "stall": 0.0}
NONCES = set()
SERVICE_PATHS = {
    "org.opencastproject.scheduler": "/recordings",
    "org.opencastproject.ingest": "/ingest",
    "org.opencastproject.capture.admin": "/capture-admin",
}


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def record(self, status, user):
        if not ARGS.log:
            return
        url = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": url.path, "query": url.query,
                 "status": status, "user": user,
                 "headers": {k: v for k, v in self.headers.items()
                             if k.lower() in ("x-requested-auth", "if-none-match", "content-type")}}
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, status, body=b"", ctype="text/plain", headers=None, user=None):
        self.record(status, user)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def authenticate(self):
        """Returns the user name, or None after answering the request itself."""
        if not (ARGS.digest or ARGS.basic):
            return ""
        auth = self.headers.get("Authorization", "")
        if ARGS.basic:
            import base64
            want = "Basic " + base64.b64encode(f"{ARGS.user}:{ARGS.password}".encode()).decode()
            if auth == want:
                return ARGS.user
            self.reply(401, b"unauthorized", headers={"WWW-Authenticate": 'Basic realm="Opencast"'})
            return None
        if self.headers.get("X-Requested-Auth") != "Digest":
            # Opencast's behaviour for browsers: off to the login form.
            self.reply(302, b"", headers={"Location": "/admin-ng/login.html"})
            return None
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[len("Digest "):])) \
            if auth.startswith("Digest ") else {}
        if fields.get("nonce") in NONCES and fields.get("username") == ARGS.user:
            ha1 = md5(f"{ARGS.user}:Opencast:{ARGS.password}")
            ha2 = md5(f"{self.command}:{fields.get('uri', '')}")
            if fields.get("qop"):
                want = md5(f"{ha1}:{fields['nonce']}:{fields.get('nc')}:{fields.get('cnonce')}:"
                           f"{fields['qop']}:{ha2}")
            else:
                want = md5(f"{ha1}:{fields['nonce']}:{ha2}")
            if fields.get("response") == want:
                return ARGS.user
        nonce = secrets.token_hex(16)
        NONCES.add(nonce)
        self.reply(401, b"unauthorized", headers={
            "WWW-Authenticate": f'Digest realm="Opencast", qop="auth", nonce="{nonce}", '
                                f'opaque="{secrets.token_hex(8)}"'})
        return None

    def services(self, query, user):
        stype = query.get("serviceType", [None])[0]
        if not stype:
            return self.reply(400, b"serviceType is required", user=user)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        one = {"type": stype, "host": base, "path": SERVICE_PATHS.get(stype, "/unknown"),
               "active": True, "online": True, "maintenance": False}
        if ARGS.services_shape == "empty":
            doc = {"services": ""}
        elif ARGS.services_shape == "array":
            off = dict(one, online=False, host="http://127.0.0.2:9")
            doc = {"services": {"service": [off, one]}}
        else:
            doc = {"services": {"service": one}}
        self.reply(200, json.dumps(doc).encode(), "application/json", user=user)

    def calendars(self, query, user):
        agent = query.get("agentid", [""])[0]
        cutoff = query.get("cutoff", [""])[0]
        if not agent or not cutoff.isdigit() or int(cutoff) <= time.time() * 1000:
            return self.reply(400, b"agentid and a future cutoff (epoch ms) are required",
                              user=user)
        body = open(ARGS.calendar, "rb").read() if ARGS.calendar else b""
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, b"", headers={"ETag": etag}, user=user)
        self.reply(200, body, "text/calendar; charset=UTF-8", headers={"ETag": etag}, user=user)

    def admin(self, path, query):
        count = int(query.get("count", ["1"])[0])
        if path == "/__double__/fail":
            FAULTS["fail"] = [int(query.get("status", ["500"])[0])] * count
        elif path == "/__double__/drop":
            FAULTS["drop"] = count
        elif path == "/__double__/stall":
            FAULTS["stall"] = float(query.get("seconds", ["5"])[0])
        self.reply(200, b"ok")

    ROUTES = {
        ("GET", "/services/available.json"): services,
        ("GET", "/recordings/calendars"): calendars,
    }

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path.startswith("/__double__/"):
            return self.admin(url.path, query)
        if FAULTS["stall"]:
            delay, FAULTS["stall"] = FAULTS["stall"], 0.0
            time.sleep(delay)
        if FAULTS["drop"]:
            FAULTS["drop"] -= 1
            self.record("dropped", None)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if FAULTS["fail"]:
            return self.reply(FAULTS["fail"].pop(), b"injected failure")
        if url.path == "/admin-ng/login.html":
            return self.reply(200, b"<html><body>Login</body></html>", "text/html")
        user = self.authenticate()
        if user is None:
            return
        route = self.ROUTES.get((self.command, url.path))
        if not route:
            return self.reply(404, b"no such endpoint in the double", user=user)
        route(self, query, user)

    do_GET = do_POST = do_PUT = do_HEAD = handle_any


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--digest", action="store_true")
    p.add_argument("--basic", action="store_true")
    p.add_argument("--user", default="opencast_system_account")
    p.add_argument("--password", default="CHANGE_ME")
    p.add_argument("--services-shape", choices=["object", "array", "empty"], default="object")
    p.add_argument("--calendar")
    p.add_argument("--log")
    ARGS = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
