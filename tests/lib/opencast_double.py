#!/usr/bin/env python3
"""A strict test double of the Opencast endpoints a capture agent uses (standard library only).

Listens on 127.0.0.1 only and prints "PORT n" as its first line of stdout (--port 0 picks a free
port). Exits at once on SIGTERM or SIGINT.

Strict means: it answers only what real Opencast answers, and refuses what real Opencast would
refuse, so that a client that works against the double is not merely lucky.
  --digest   HTTP Digest (realm "Opencast", qop=auth, MD5) for requests that carry
             "X-Requested-Auth: Digest"; every other request is redirected (302) to /login.html,
             as Opencast does for browsers. A client must never take that page for an answer.
  --basic    HTTP Basic instead.

Endpoints are rows of ROUTES, registered with @route(method, path); "{name}" in a path is one
URL-decoded segment, passed in req.params.
  GET /services/available.json?serviceType=T   the registry (--services-shape object|array|empty)
  GET /recordings/calendars?agentid=A&cutoff=MS  the agent's calendar (--calendar FILE), ETag =
                                                 SHA-1 of the file, If-None-Match -> 304
  GET /login.html                                the login form (no auth)
  GET  /ingest/createMediaPackage                a new, empty media package (XML with an id)
  POST /ingest/addDCCatalog                      mediaPackage, dublinCore, flavor
  POST /ingest/addTrack                          multipart: flavor and mediaPackage BEFORE the
                                                 file part BODY (400 otherwise); the file is
                                                 kept as --store DIR/MPID/FILENAME
  POST /ingest/addAttachment                     the same shape as addTrack, and only the
                                                 documented fields (mediaPackage, flavor as
                                                 TYPE/SUBTYPE, tags, BODY); 400 otherwise
  POST /ingest/ingest/{wd}                       mediaPackage (the latest one this double
                                                 returned for its id, with a catalog and a
                                                 track); other fields are the workflow's
                                                 configuration, workflowInstanceId included;
                                                 with --store, the media package as ingested
                                                 is kept as DIR/MPID/ingested.xml
  POST /capture-admin/agents/{name}              state (idle capturing uploading error offline
                                                 unknown shutting_down) and address, both needed
  POST /capture-admin/agents/{name}/configuration  configuration: Java properties XML or JSON
  POST /capture-admin/recordings/{id}            state: a valid recording state
Every media package this double returns grows with each call (catalog, track, attachment
elements with ids); one posted back must equal, element ids and all, the last one returned for
its id, or the call is refused with 400.

Faults for the next requests, set by POSTs under /__double__/ (not logged, not counted):
  /__double__/fail?status=500&count=2   answer the next 2 requests with that status
  /__double__/drop?count=1[&mode=rst]   close the next connection without answering (mode=rst:
                                        reset it instead of a clean close)
  /__double__/stall?seconds=5[&count=1] wait that long before answering the next request
  /__double__/mpid?id=X[&count=1]      the next media packages created get id X (any text)
  /__double__/clear                     forget every pending fault
  /__double__/services?shape=empty      change the registry's shape from now on
  Each fault takes &path=PREFIX to apply only to the next requests whose path starts with it.

--log FILE appends one JSON line per request, written before the answer leaves (so a client that
has its answer finds the line): time, method, path, query, status (or "dropped"), fault, user
(authenticated user or null), auth (the scheme the client offered, never its credentials), the
headers that matter to the protocol, and body_bytes; for form posts also "parts" (field names in
order), "fields" (text fields), "file" (name, type, bytes, sha256 of a file part), "mp" (the
media package id) and "error" (why a 400). addDCCatalog's line also has "dc": the catalog's
dcterms elements as {local name: [texts in order]} (e.g. {"language": ["de"]}); ingest's has
"workflow_config": the fields Opencast takes as the workflow's configuration, i.e. every text
field but mediaPackage and workflowInstanceId, as {key: value}.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()
REALM = "Opencast"
LOGGED_HEADERS = ("X-Requested-Auth", "If-None-Match", "If-Modified-Since", "Content-Type",
                  "Content-Length", "Transfer-Encoding")
SERVICE_PATHS = {
    "org.opencastproject.scheduler": "/recordings",
    "org.opencastproject.ingest": "/ingest",
    "org.opencastproject.capture.admin": "/capture-admin",
}


class Faults:
    """Pending faults, consumed one request at a time (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.fail = []          # statuses for the next requests
        self.drop = []          # modes ("close" or "rst") for the next requests
        self.stall = []         # delays in seconds for the next requests

    @staticmethod
    def pop(queue, path):
        """The first pending (value, prefix) whose prefix matches `path`, removed; or None."""
        for i, (value, prefix) in enumerate(queue):
            if path.startswith(prefix):
                del queue[i]
                return value
        return None

    def take(self, path):
        """The faults that apply to this request: (stall seconds, drop mode, fail status)."""
        with self.lock:
            stall = self.pop(self.stall, path) or 0.0
            drop = self.pop(self.drop, path)
            fail = None if drop else self.pop(self.fail, path)
            return stall, drop, fail


FAULTS = Faults()


class Nonces:
    """Digest nonces we issued, each with its opaque and the last nc seen (replays refused)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.issued = {}

    def new(self):
        nonce, opaque = secrets.token_hex(16), secrets.token_hex(8)
        with self.lock:
            self.issued[nonce] = [opaque, 0]
        return nonce, opaque

    def accept(self, nonce, opaque, nc):
        with self.lock:
            entry = self.issued.get(nonce)
            if not entry or entry[0] != opaque or nc <= entry[1]:
                return False
            entry[1] = nc
            return True


NONCES = Nonces()
ROUTES = {}   # (method, path) -> handler(request, query, user)
PATTERNS = {}  # (method, path with {names}) -> (regex, handler); params in request.params


def route(method, path):
    def register(fn):
        if "{" in path:
            regex = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")
            PATTERNS[(method, path)] = (regex, fn)
        else:
            ROUTES[(method, path)] = fn
        return fn
    return register


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_fields(header):
    """Parse 'Digest k="v", k2=v2' (quoted values may hold commas) into a dict."""
    if not header.startswith("Digest "):
        return None
    fields = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))', header[7:]):
        fields[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return fields


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Opencast-double/1"
    sys_version = ""

    def log_message(self, fmt, *args):  # the --log file is the record; keep stderr quiet
        pass

    # -- plumbing ----------------------------------------------------------------------------
    def read_body(self):
        """Read the request body (Content-Length or chunked) so the connection stays in step;
        kept in self.body (self.body_complete says whether all of it came)."""
        chunks = []
        self.body_complete = True
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline(65537)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
            self.body = b"".join(chunks)
            return len(self.body)
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                self.body_complete = False
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        self.body = b"".join(chunks)
        return length

    def record(self, status, user=None, fault=None):
        if not ARGS.log or self.url.path.startswith("/__double__/"):
            return
        auth = self.headers.get("Authorization", "")
        entry = {
            "time": round(time.time(), 3),
            "method": self.command,
            "path": self.url.path,
            "query": self.url.query,
            "status": status,
            "fault": fault,
            "user": user or None,
            "auth": auth.split(" ", 1)[0] if auth else None,
            "headers": {k: self.headers[k] for k in LOGGED_HEADERS if k in self.headers},
            "body_bytes": self.body_bytes,
        }
        entry.update(getattr(self, "extra", {}))
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()

    def reply(self, status, body=b"", ctype="text/plain; charset=UTF-8", headers=None,
              user=None, fault=None):
        self.record(status, user, fault)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def drop(self, mode):
        self.record("dropped", fault="drop-" + mode)
        self.close_connection = True
        if mode == "rst":
            # SO_LINGER with a zero timeout: close() sends RST, the client sees a reset (the
            # server skips its usual shutdown, which would send a FIN first).
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            with self.server.lock:
                self.server.reset.add(self.connection)
        else:
            self.connection.shutdown(socket.SHUT_RDWR)

    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- auth --------------------------------------------------------------------------------
    def authenticate(self):
        """The user name, "" when no auth is configured, or None after answering itself."""
        if ARGS.basic:
            return self.auth_basic()
        if ARGS.digest:
            return self.auth_digest()
        return ""

    def auth_basic(self):
        auth = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(f"{ARGS.user}:{ARGS.password}".encode()).decode()
        if hmac.compare_digest(auth.encode(), want.encode()):
            return ARGS.user
        self.reply(401, b"Unauthorized", headers={"WWW-Authenticate": f'Basic realm="{REALM}"'})
        return None

    def auth_digest(self):
        if self.headers.get("X-Requested-Auth") != "Digest":
            # What Opencast does for a browser: off to the login form.
            self.reply(302, b"", headers={"Location": f"{self.base_url()}/login.html"})
            return None
        f = digest_fields(self.headers.get("Authorization", ""))
        if f is not None and self.digest_valid(f):
            return ARGS.user
        nonce, opaque = NONCES.new()
        self.reply(401, b"Unauthorized", headers={
            "WWW-Authenticate": f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", '
                                f'opaque="{opaque}", algorithm=MD5'})
        return None

    def digest_valid(self, f):
        try:
            nc = int(f.get("nc", ""), 16)
        except ValueError:
            return False
        if (f.get("username") != ARGS.user or f.get("realm") != REALM or
                f.get("uri") != self.path or f.get("qop") != "auth" or not f.get("cnonce") or
                f.get("algorithm", "MD5").upper() != "MD5"):
            return False
        ha1 = md5(f"{ARGS.user}:{REALM}:{ARGS.password}")
        ha2 = md5(f"{self.command}:{f['uri']}")
        want = md5(f"{ha1}:{f.get('nonce')}:{f['nc']}:{f['cnonce']}:auth:{ha2}")
        if not hmac.compare_digest(want, f.get("response", "")):
            return False
        return NONCES.accept(f.get("nonce"), f.get("opaque"), nc)

    # -- dispatch ----------------------------------------------------------------------------
    def handle_any(self):
        self.url = urllib.parse.urlsplit(self.path)
        self.extra = {}
        self.params = {}
        self.body_bytes = self.read_body()
        query = urllib.parse.parse_qs(self.url.query, keep_blank_values=True)
        if self.url.path.startswith("/__double__/"):
            return self.admin(self.url.path, query)
        stall, drop, fail = FAULTS.take(self.url.path)
        if stall:
            time.sleep(stall)
        if drop:
            return self.drop(drop)
        if fail:
            return self.reply(fail, b"injected failure", fault="fail")
        if self.url.path == "/login.html" and self.command == "GET":
            return self.reply(200, b"<!DOCTYPE html><html><body><form>Login</form></body></html>",
                              "text/html; charset=UTF-8")
        handler = ROUTES.get((self.command, self.url.path))
        if handler is None:
            for (method, _), (regex, fn) in PATTERNS.items():
                m = regex.match(self.url.path)
                if m and method == self.command:
                    handler = fn
                    self.params = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
                    break
        if handler is None:
            known = any(path == self.url.path for _, path in ROUTES) or \
                any(regex.match(self.url.path) for regex, _ in PATTERNS.values())
            # Auth first, as Opencast's security filter sits in front of every endpoint.
            user = self.authenticate()
            if user is None:
                return
            if known:
                return self.reply(405, b"method not allowed", user=user)
            return self.reply(404, b"no such endpoint", user=user)
        user = self.authenticate()
        if user is None:
            return
        handler(self, query, user)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

    def admin(self, path, query):
        if self.command != "POST":
            return self.reply(405, b"POST to change the double's faults")
        try:
            count = int(query.get("count", ["1"])[0])
            prefix = query.get("path", [""])[0]
            if path == "/__double__/fail":
                status = int(query.get("status", ["500"])[0])
                with FAULTS.lock:
                    FAULTS.fail = [(status, prefix)] * count
            elif path == "/__double__/drop":
                mode = query.get("mode", ["close"])[0]
                if mode not in ("close", "rst"):
                    raise ValueError(mode)
                with FAULTS.lock:
                    FAULTS.drop = [(mode, prefix)] * count
            elif path == "/__double__/stall":
                seconds = float(query.get("seconds", ["5"])[0])
                with FAULTS.lock:
                    FAULTS.stall = [(seconds, prefix)] * count
            elif path == "/__double__/services":
                shape = query.get("shape", ["object"])[0]
                if shape not in ("object", "array", "empty"):
                    raise ValueError(shape)
                ARGS.services_shape = shape
            elif path == "/__double__/mpid":
                # The next media packages created get this id (Opencast takes a client's
                # own, e.g. createMediaPackageWithID): odd characters, any length.
                with FAULTS.lock:
                    NEXT_MP_IDS[:] = [query.get("id", [""])[0]] * count
            elif path == "/__double__/clear":
                with FAULTS.lock:
                    FAULTS.clear()
            else:
                return self.reply(404, b"no such switch")
        except ValueError as e:
            return self.reply(400, f"bad parameter: {e}".encode())
        self.reply(200, b"ok")


# -- endpoints ------------------------------------------------------------------------------
def one(query, name):
    values = query.get(name)
    return values[0] if values and len(values) == 1 else None


@route("GET", "/services/available.json")
def services(req, query, user):
    stype = one(query, "serviceType")
    if not stype:
        return req.reply(400, b"serviceType is required", user=user)
    base = req.base_url()
    path = SERVICE_PATHS.get(stype, "/" + stype.rsplit(".", 1)[-1])

    def entry(**over):
        e = {"type": stype, "host": base, "path": path, "active": True, "online": True,
             "maintenance": False, "jobproducer": False, "onlinefrom": "2026-01-01T00:00:00Z",
             "service_state": "NORMAL", "state_changed": "2026-01-01T00:00:00Z",
             "error_state_trigger": 0, "warning_state_trigger": 0}
        e.update(over)
        return e

    if ARGS.services_shape == "empty":
        doc = {"services": ""}
    elif ARGS.services_shape == "array":
        # Unusable entries first, then the one to pick, then a usable one that must not be
        # picked (its path does not exist here).
        doc = {"services": {"service": [
            entry(host="http://127.0.0.2:9", online=False),
            entry(host="http://127.0.0.3:9", maintenance=True),
            entry(host="http://127.0.0.4:9", active=False),
            entry(),
            entry(path=path + "-second"),
        ]}}
    else:
        doc = {"services": {"service": entry()}}
    req.reply(200, json.dumps(doc).encode(), "application/json", user=user)


def etag_matches(header, etag):
    if header is None:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


@route("GET", "/recordings/calendars")
def calendars(req, query, user):
    agent = one(query, "agentid")
    cutoff = one(query, "cutoff")
    if not agent or not cutoff or not cutoff.isdigit() or int(cutoff) <= time.time() * 1000:
        return req.reply(400, b"agentid and a future cutoff (epoch milliseconds) are required",
                         user=user)
    if not ARGS.calendar:
        return req.reply(500, b"the double was started without --calendar", user=user)
    with open(ARGS.calendar, "rb") as f:
        body = f.read()
    etag = '"' + hashlib.sha1(body).hexdigest() + '"'
    if etag_matches(req.headers.get("If-None-Match"), etag):
        return req.reply(304, headers={"ETag": etag}, user=user)
    req.reply(200, body, "text/calendar; charset=UTF-8", headers={"ETag": etag}, user=user)


# -- forms ----------------------------------------------------------------------------------
def form(req):
    """The posted form as [(name, filename, content type, bytes)] in the order sent, or None
    when it is neither multipart/form-data nor urlencoded (or is cut short)."""
    ctype = req.headers.get("Content-Type", "")
    if not req.body_complete:
        return None
    if ctype.startswith("application/x-www-form-urlencoded"):
        pairs = urllib.parse.parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        return [(k, None, None, v.encode()) for k, v in pairs]
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not ctype.startswith("multipart/form-data") or not m:
        return None
    delim = b"--" + m.group(1).encode()
    chunks = req.body.split(b"\r\n" + delim)
    if not chunks[0].startswith(delim) or not chunks[-1].startswith(b"--"):
        return None
    chunks[0] = chunks[0][len(delim):]
    parts = []
    for chunk in chunks[:-1]:
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"\r\n"):
            return None
        headers = {}
        for line in head[2:].split(b"\r\n"):
            k, _, v = line.decode("utf-8", "replace").partition(":")
            headers[k.strip().lower()] = v.strip()
        disp = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disp)
        filename = re.search(r'\bfilename="([^"]*)"', disp)
        if not disp.startswith("form-data") or not name:
            return None
        parts.append((name.group(1), filename.group(1) if filename else None,
                      headers.get("content-type"), data))
    return parts


def text_fields(parts):
    return {n: d.decode("utf-8", "replace") for n, f, _, d in parts if f is None}


def bad(req, user, why):
    req.extra["error"] = why
    req.reply(400, why.encode(), user=user)


def log_form(req, parts):
    req.extra["parts"] = [n for n, _, _, _ in parts]
    req.extra["fields"] = text_fields(parts)


# -- media packages -------------------------------------------------------------------------
MP_NS = "http://mediapackage.opencastproject.org"
ET.register_namespace("", MP_NS)
MPS = {}        # id -> the last XML text returned for it
MPS_LOCK = threading.Lock()
INGESTED = {}   # media package id -> workflow instance id


def q(tag):
    return f"{{{MP_NS}}}{tag}"


def mp_parse(req, user, text):
    """The posted media package as an Element, when it is exactly the last one returned for its
    id; otherwise answers 400 itself and returns None."""
    if not text:
        bad(req, user, "mediaPackage is required")
        return None
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        bad(req, user, f"mediaPackage is not XML: {e}")
        return None
    mp_id = root.get("id")
    req.extra["mp"] = mp_id
    with MPS_LOCK:
        known = MPS.get(mp_id)
    if root.tag != q("mediapackage") or known is None:
        bad(req, user, f"unknown media package {mp_id!r}")
        return None
    if ids(ET.fromstring(known)) != ids(root):
        bad(req, user, "mediaPackage is not the one the last call returned")
        return None
    return root


def ids(root):
    return sorted((el.tag, el.get("id"), el.get("type")) for el in root.iter()
                  if el.tag in (q("catalog"), q("track"), q("attachment")))


def mp_store(req, user, root):
    text = ET.tostring(root, encoding="unicode")
    with MPS_LOCK:
        MPS[root.get("id")] = text
    req.reply(200, text.encode(), "text/xml; charset=UTF-8", user=user)


DCTERMS_NS = "http://purl.org/dc/terms/"


def dc_terms(root):
    """The catalog's dcterms:* children as {local name: [texts in document order]}."""
    terms = {}
    for el in root:
        if isinstance(el.tag, str) and el.tag.startswith("{" + DCTERMS_NS + "}"):
            terms.setdefault(el.tag[len(DCTERMS_NS) + 2:], []).append(el.text or "")
    return terms


def add_element(req, root, section, tag, flavor, mimetype, filename):
    el = ET.SubElement(root.find(q(section)), q(tag), id=str(uuid.uuid4()), type=flavor)
    ET.SubElement(el, q("mimetype")).text = mimetype
    ET.SubElement(el, q("url")).text = (f"{req.base_url()}/files/mediapackage/{root.get('id')}/"
                                        f"{el.get('id')}/{urllib.parse.quote(filename)}")
    return el


NEXT_MP_IDS = []          # set by /__double__/mpid


def mp_dir(root):
    """The store's directory of a media package: its id made one safe path segment."""
    return os.path.join(ARGS.store, urllib.parse.quote(root.get("id"), safe="")[:200])


@route("GET", "/ingest/createMediaPackage")
def create_media_package(req, query, user):
    with FAULTS.lock:
        mp_id = NEXT_MP_IDS.pop(0) if NEXT_MP_IDS else str(uuid.uuid4())
    root = ET.Element(q("mediapackage"), id=mp_id,
                      start=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    for section in ("media", "metadata", "attachments", "publications"):
        ET.SubElement(root, q(section))
    req.extra["mp"] = root.get("id")
    mp_store(req, user, root)


@route("POST", "/ingest/addDCCatalog")
def add_dc_catalog(req, query, user):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a form is required")
    log_form(req, parts)
    fields = text_fields(parts)
    root = mp_parse(req, user, fields.get("mediaPackage"))
    if root is None:
        return
    dc = fields.get("dublinCore")
    if not dc:
        return bad(req, user, "dublinCore is required")
    try:
        dc_root = ET.fromstring(dc)
    except ET.ParseError as e:
        return bad(req, user, f"dublinCore is not XML: {e}")
    req.extra["dc"] = dc_terms(dc_root)
    add_element(req, root, "metadata", "catalog", fields.get("flavor") or "dublincore/episode",
                "text/xml", "dublincore.xml")
    mp_store(req, user, root)


def add_file(req, user, section, tag):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a complete multipart/form-data body is required")
    log_form(req, parts)
    files = [i for i, p in enumerate(parts) if p[1] is not None]
    names = [p[0] for p in parts]
    if len(files) != 1 or parts[files[0]][0] != "BODY":
        return bad(req, user, "exactly one file part, BODY, is required")
    name, filename, ctype, data = parts[files[0]]
    req.extra["file"] = {"name": filename, "type": ctype, "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()}
    for need in ("flavor", "mediaPackage"):
        if need not in names:
            return bad(req, user, f"{need} is required")
        if names.index(need) > files[0]:
            return bad(req, user, f"{need} must come before the file part")
    fields = text_fields(parts)
    root = mp_parse(req, user, fields["mediaPackage"])
    if root is None:
        return
    if ARGS.store:
        d = mp_dir(root)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, os.path.basename(filename) or "BODY"), "wb") as f:
            f.write(data)
    add_element(req, root, section, tag, fields["flavor"], ctype or "application/octet-stream",
                filename or "BODY")
    mp_store(req, user, root)


@route("POST", "/ingest/addTrack")
def add_track(req, query, user):
    add_file(req, user, "media", "track")


# -- attendance (h12): addAttachment as Opencast's ingest API documents it -------------------
# Fields mediaPackage, flavor (TYPE/SUBTYPE: Opencast's MediaPackageElementFlavor refuses
# anything else), the optional tags, and the file part BODY after flavor and mediaPackage.
ATTACHMENT_FIELDS = ("mediaPackage", "flavor", "tags", "BODY")
FLAVOR_RE = re.compile(r"^[^/\s]+/[^/\s]+$")


@route("POST", "/ingest/addAttachment")
def add_attachment(req, query, user):
    parts = form(req)
    if parts is not None:
        log_form(req, parts)
        unknown = [n for n, _, _, _ in parts if n not in ATTACHMENT_FIELDS]
        if unknown:
            return bad(req, user, f"addAttachment takes no field {unknown[0]!r}")
        flavor = text_fields(parts).get("flavor")
        if flavor is not None and not FLAVOR_RE.match(flavor):
            return bad(req, user, f"flavor {flavor!r} is not TYPE/SUBTYPE")
    add_file(req, user, "attachments", "attachment")


@route("POST", "/ingest/ingest/{wd}")
def ingest(req, query, user):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a form is required")
    log_form(req, parts)
    req.extra["workflow"] = req.params["wd"]
    fields = text_fields(parts)
    req.extra["workflow_config"] = {k: v for k, v in fields.items()
                                    if k not in ("mediaPackage", "workflowInstanceId")}
    root = mp_parse(req, user, fields.get("mediaPackage"))
    if root is None:
        return
    if root.find(q("metadata")).find(q("catalog")) is None or \
            root.find(q("media")).find(q("track")) is None:
        return bad(req, user, "the media package has no catalog or no track")
    wf_id = fields.get("workflowInstanceId") or str(uuid.uuid4())
    with MPS_LOCK:
        INGESTED[root.get("id")] = wf_id
    if ARGS.store:
        # The media package as ingested (catalogs, tracks, attachments), beside its files.
        d = mp_dir(root)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "ingested.xml"), "w") as f:
            f.write(ET.tostring(root, encoding="unicode"))
    wf = ET.Element("{http://workflow.opencastproject.org}workflow", id=wf_id, state="RUNNING")
    ET.SubElement(wf, "{http://workflow.opencastproject.org}template").text = req.params["wd"]
    wf.append(root)
    req.reply(200, ET.tostring(wf, encoding="unicode").encode(), "text/xml; charset=UTF-8",
              user=user)


# -- capture-admin --------------------------------------------------------------------------
AGENT_STATES = {"idle", "capturing", "uploading", "error", "offline", "unknown", "shutting_down"}
RECORDING_STATES = {"unknown", "capturing", "capture_finished", "capture_error", "manifest",
                    "manifest_error", "manifest_finished", "compressing", "compressing_error",
                    "uploading", "upload_finished", "upload_error"}


@route("POST", "/capture-admin/agents/{name}")
def agent_state(req, query, user):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a form is required")
    log_form(req, parts)
    fields = text_fields(parts)
    if fields.get("state") not in AGENT_STATES:
        return bad(req, user, f"state must be one of {sorted(AGENT_STATES)}")
    if not fields.get("address"):
        return bad(req, user, "address is required")
    req.reply(200, f"{req.params['name']} set to {fields['state']}".encode(), user=user)


@route("POST", "/capture-admin/agents/{name}/configuration")
def agent_configuration(req, query, user):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a form is required")
    log_form(req, parts)
    text = text_fields(parts).get("configuration", "")
    props = None
    try:
        root = ET.fromstring(text)
        if root.tag == "properties":
            props = {e.get("key"): e.text or "" for e in root.findall("entry")}
    except ET.ParseError:
        try:
            props = json.loads(text)
        except ValueError:
            pass
    if not isinstance(props, dict) or not props:
        return bad(req, user, "configuration must be Java properties XML or JSON")
    req.extra["properties"] = props
    req.reply(200, json.dumps(props).encode(), "application/json", user=user)


@route("POST", "/capture-admin/recordings/{id}")
def recording_state(req, query, user):
    parts = form(req)
    if parts is None:
        return bad(req, user, "a form is required")
    log_form(req, parts)
    state = text_fields(parts).get("state")
    if state not in RECORDING_STATES:
        return bad(req, user, f"state must be a recording state, not {state!r}")
    req.reply(200, f"{req.params['id']} set to {state}".encode(), user=user)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args):
        self.lock = threading.Lock()
        self.reset = set()      # connections to close with RST
        super().__init__(*args)

    def shutdown_request(self, request):
        with self.lock:
            rst = request in self.reset
            self.reset.discard(request)
        if rst:
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that gave up (time-out tests) is expected; anything else is a bug here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--digest", action="store_true")
    auth.add_argument("--basic", action="store_true")
    p.add_argument("--user", default="opencast_system_account")
    p.add_argument("--password", default="CHANGE_ME")
    p.add_argument("--services-shape", choices=["object", "array", "empty"], default="object")
    p.add_argument("--calendar")
    p.add_argument("--log")
    p.add_argument("--store", help="directory for the files received by addTrack/addAttachment")
    ARGS = p.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: os._exit(0))
    server = Server(("127.0.0.1", ARGS.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
