"""Helpers of the integration tests: start the real `renkei serve` on a free loopback port with a
fresh database (`renkei init` + `renkei demo`) in a temporary directory, and talk to it over
HTTP with the standard library only.

Environment: RENKEI_BIN names the binary (ctest sets it); RK_SOURCE_DIR the source tree.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

BIN = os.environ.get("RENKEI_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "renkei")

# One demo database is built per test process and copied for each server, since generating the
# demo set (and hashing its passwords) is the slow part.
_TEMPLATE = {}


def run(*args, check=True, timeout=600):
    """Runs `renkei ARGS...`; returns the CompletedProcess (text)."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("renkei %s failed (%d): %s" % (" ".join(args), p.returncode,
                                                         p.stderr.strip()))
    return p


def parse_logins(text):
    """The demo log-ins printed by `renkei demo`: JSON ({"logins":[...]} or a list), or the
    table under the header line "login password role unit"."""
    t = text.strip()
    if t.startswith("{") or t.startswith("["):
        j = json.loads(t)
        return j["logins"] if isinstance(j, dict) else j
    logins, in_table = [], False
    for line in text.splitlines():
        cols = line.split(None, 3)
        if cols[:4] == ["login", "password", "role", "unit"]:
            in_table = True
        elif in_table and len(cols) >= 3:
            logins.append({"login": cols[0], "password": cols[1], "role": cols[2],
                           "unit": cols[3] if len(cols) > 3 else ""})
    return logins


def demo_db(workdir):
    """A fresh copy of the demo database in `workdir`, and the demo log-ins
    [{"login","password","role","unit"}]."""
    if "path" not in _TEMPLATE:
        tdir = tempfile.mkdtemp(prefix="rk-template-")
        atexit.register(shutil.rmtree, tdir, True)
        path = os.path.join(tdir, "demo.db")
        run("init", "--db", path)
        out = run("demo", "--db", path).stdout
        _TEMPLATE["path"] = path
        _TEMPLATE["logins"] = parse_logins(out)
        if not _TEMPLATE["logins"]:
            raise RuntimeError("renkei demo printed no log-ins: %r" % out[:2000])
        _TEMPLATE["dir"] = tdir
    dst = os.path.join(workdir, "renkei.db")
    shutil.copyfile(_TEMPLATE["path"], dst)
    return dst, _TEMPLATE["logins"]


class Server:
    """A running `renkei serve` on 127.0.0.1 and a free port."""

    def __init__(self, db=None, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="rk-it-")
        if db is None:
            self.db, self.logins = demo_db(self.dir)
        else:
            self.db, self.logins = db, _TEMPLATE.get("logins", [])
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.scheme = "http"
        self.start()

    def start(self):
        """Starts the server on the same database (again, after a stop or a kill)."""
        self.log = open(os.path.join(self.dir, "serve.log"), "a")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--threads", "4",
             *self.extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.time() + 30
        line = ""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"(https?)://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.scheme, self.port = m.group(1), int(m.group(2))
                return
        self.proc.kill()
        raise RuntimeError("renkei serve did not start: %r (see %s)" % (line, self.log.name))

    def stop(self):
        """SIGTERM, then wait for the graceful exit. Returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        finally:
            self.proc.stdout.close()
            self.log.close()
            self.proc = None
        # A graceful stop exits 0; anything else (a sanitizer report, a crash) fails the test
        # that owns this server, with the end of its log.
        if rc != 0:
            with open(self.log.name, errors="replace") as f:
                tail = f.read()[-3000:]
            raise AssertionError("renkei serve exited with %d:\n%s" % (rc, tail))
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None

    def close(self):
        if self.proc is not None:
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def login_of(self, role, index=0):
        """The index-th demo log-in with `role`."""
        found = [l for l in self.logins if l["role"] == role]
        if len(found) <= index:
            raise unittest.SkipTest("the demo data has no %d-th %s user" % (index + 1, role))
        return found[index]

    def client(self, role=None, index=0):
        """A Client, logged in as a demo user of `role` when given."""
        c = Client(self)
        if role is not None:
            l = self.login_of(role, index)
            c.login(l["login"], l["password"])
        return c


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            self.json = None

    @property
    def error(self):
        """The {"code","message","field"} of a JSON error, or {}."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"]
        return {}

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Client:
    """One HTTP client with its own session cookie and CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None
        self.bearer = None
        self.user = None

    def request(self, method, path, body=None, raw=None, headers=None, csrf=True,
                timeout=60):
        """Sends a request; `body` is JSON-encoded, `raw` sent as given (bytes)."""
        h = {"Accept": "application/json"}
        if body is not None:
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if raw is not None:
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = "renkei_session=" + self.cookie
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        # Non-ASCII in the path or query (Japanese search text) is percent-encoded.
        path = urllib.parse.quote(path, safe="/?&=:%+,;@-._~")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.request(method, path, body=raw, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else None, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, login, password):
        r = self.request("POST", "/api/v1/session", body={"login": login, "password": password})
        if r.status != 200:
            raise AssertionError("log-in of %s failed: %r" % (login, r))
        m = re.match(r"renkei_session=([^;]*)", r.headers.get("set-cookie", ""))
        if not m:
            raise AssertionError("no session cookie in %r" % r.headers)
        self.cookie = m.group(1)
        self.csrf = r.json["csrf"]
        self.user = r.json["user"]
        return r


# A report as the intake form sends it, with observables in the narrative.
def report_body(i=0, **over):
    body = {
        "intake_type": "sodan",
        "channel": "denwa",
        "category": "phishing",
        "title": "宅配業者を装うSMSのフィッシング %d" % i,
        "narrative": ("宅配業者を名乗るSMSが届き、hxxps://kuroneko-delivery[.]example[.]com/track に"
                      "アクセスしてカード番号を入力した。送信元は090-1234-%04d。"
                      "振込先は みずほ銀行 と言われた。連絡先 support%d@phish.example.com" % (i % 10000, i)),
        "received_at": "2026-11-20T09:30:00Z",
        "damage_amount": 50000 + i,
        "urgent": False,
        "reporter": {"type": "individual", "name": "試験 花子", "age": 67},
    }
    body.update(over)
    return body


def report_body_10_observables(i=0):
    """A report whose narrative holds ten distinct observables (benchmarks and tests)."""
    narrative = (
        "被害者のPCから 203.0.113.%d へ通信。C2 は hxxp://c2-%d[.]example[.]net/gate.php、"
        "ドメイン evil-%d.example.org、メール attacker%d@mail.example.com、"
        "電話 03-1234-%04d、IPv6 2001:db8::%x、"
        "ハッシュ 44d88612fea8a8f36de82e1278abb02f と "
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f、"
        "ファイル invoice_%d.exe、送金先 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq。"
        % (i % 250 + 1, i, i, i, i % 10000, i % 65535 + 1, i))
    return report_body(i, narrative=narrative)


def main():
    """unittest.main() with verbose output, for ctest."""
    unittest.main(verbosity=2)


if __name__ == "__main__":
    sys.exit("this is a helper module; run the test_*.py files")
