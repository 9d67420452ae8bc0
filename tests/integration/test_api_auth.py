"""Authentication and the HTTP surface of `renkei serve`: anonymous requests get 401 on every
API endpoint; log-in sets an HttpOnly SameSite=Strict cookie; a cookie-authenticated write
without (or with a wrong) X-CSRF-Token is refused with 403 naming the header and writes
nothing; an invalid, logged-out or expired session gets 401; API keys work without CSRF and
stop working once revoked; the embedded UI is served with its types and the security headers.
"""
import sys
import os
import re
import sqlite3
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

# Every route of docs/openapi.yaml, with a placeholder id.
ID = "00000000-0000-4000-8000-000000000000"
ROUTES = [
    ("GET", "/api/v1/session"), ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/ref"),
    ("GET", "/api/v1/reports"), ("POST", "/api/v1/reports"),
    ("GET", "/api/v1/reports/" + ID), ("PATCH", "/api/v1/reports/" + ID),
    ("POST", "/api/v1/reports/%s/transition" % ID),
    ("GET", "/api/v1/cases"), ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases/" + ID), ("PATCH", "/api/v1/cases/" + ID),
    ("POST", "/api/v1/cases/%s/transition" % ID), ("POST", "/api/v1/cases/%s/reports" % ID),
    ("POST", "/api/v1/cases/%s/tasks" % ID), ("PATCH", "/api/v1/cases/%s/tasks/%s" % (ID, ID)),
    ("POST", "/api/v1/cases/%s/notes" % ID), ("POST", "/api/v1/cases/%s/observables" % ID),
    ("DELETE", "/api/v1/cases/%s/observables/%s" % (ID, ID)),
    ("POST", "/api/v1/cases/%s/links" % ID),
    ("GET", "/api/v1/observables"), ("GET", "/api/v1/observables/" + ID),
    ("POST", "/api/v1/observables/preview"),
    ("GET", "/api/v1/users"), ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/" + ID), ("PATCH", "/api/v1/users/" + ID),
    ("POST", "/api/v1/apikeys"), ("DELETE", "/api/v1/apikeys/" + ID),
    ("GET", "/api/v1/units"), ("POST", "/api/v1/units"),
    ("GET", "/api/v1/approvals"), ("POST", "/api/v1/approvals/" + ID),
    ("GET", "/api/v1/audit"), ("GET", "/api/v1/audit/verify"),
    ("GET", "/api/v1/reports/%s/related" % ID), ("GET", "/api/v1/cases/%s/related" % ID),
    ("GET", "/api/v1/observables/related"), ("GET", "/api/v1/observables/%s/related" % ID),
    ("GET", "/api/v1/groups"),
    ("GET", "/api/v1/patrol/findings"), ("POST", "/api/v1/patrol/findings"),
    ("GET", "/api/v1/patrol/findings/" + ID),
    ("POST", "/api/v1/patrol/findings/%s/decision" % ID),
    ("GET", "/api/v1/patrol/stats"),
    ("GET", "/api/v1/graph/neighbourhood"),
    ("GET", "/api/v1/access-requests"), ("POST", "/api/v1/access-requests"),
    ("GET", "/api/v1/access-requests/" + ID),
    ("POST", "/api/v1/access-requests/%s/decision" % ID),
    ("POST", "/api/v1/access-requests/%s/withdraw" % ID),
    ("POST", "/api/v1/access-requests/%s/revoke" % ID),
]

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def assertError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.error.get("code"), code, r)
        self.assertTrue(r.error.get("message"), r)
        if field is not None:
            self.assertEqual(r.error.get("field"), field, r)

    def report_total(self, client):
        r = client.get("/api/v1/reports?limit=1")
        self.assertEqual(r.status, 200, r)
        return r.json["total"]

    def test_openapi_lists_every_route(self):
        """docs/openapi.yaml and ROUTES name the same endpoints, so the 401 check below (a
        route that does not exist answers 404 before any identity check) covers every
        documented endpoint."""
        spec = os.path.join(os.environ.get("RK_SOURCE_DIR", "../.."), "docs", "openapi.yaml")
        documented, path = set(), None
        with open(spec, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^  (/api/v1/\S*):\s*$", line)
                if m:
                    path = m.group(1)
                    continue
                if re.match(r"^  \S", line):
                    path = None
                m = re.match(r"^    (get|post|patch|put|delete):\s*$", line)
                if m and path:
                    documented.add((m.group(1).upper(), re.sub(r"\{\w+\}", "{}", path)))
        tested = {(m, p.replace(ID, "{}")) for m, p in ROUTES}
        tested.add(("POST", "/api/v1/session"))  # the public log-in, tested below
        self.assertEqual(documented, tested)

    def test_anonymous_gets_401_everywhere(self):
        anon = self.srv.client()
        for method, path in ROUTES:
            with self.subTest(method=method, path=path):
                body = {} if method in ("POST", "PATCH") else None
                r = anon.request(method, path, body=body)
                self.assertError(r, 401, "unauthenticated")
                for h, v in SECURITY_HEADERS.items():
                    self.assertIn(v, r.headers.get(h, ""), h)

    def test_login_cookie_flags_and_session(self):
        c = self.srv.client("analyst")
        r = c.get("/api/v1/session")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["csrf"], c.csrf)
        self.assertEqual(r.json["user"]["role"], "analyst")
        l = self.srv.login_of("analyst")
        raw = self.srv.client().post("/api/v1/session",
                                     {"login": l["login"], "password": l["password"]})
        cookie = raw.headers["set-cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP here; Secure is set under TLS
        self.assertEqual(raw.headers.get("cache-control"), "no-store")

    def test_login_failures(self):
        anon = self.srv.client()
        l = self.srv.login_of("analyst")
        cases = [
            ({"login": l["login"], "password": "wrong password"}, 401, "unauthenticated", None),
            ({"login": "no-such-user", "password": "x"}, 401, "unauthenticated", None),
            ({"login": l["login"]}, 422, "invalid", "password"),
            ({"login": l["login"], "password": 5}, 422, "invalid", "password"),
            ({"login": l["login"], "password": "x", "remember": True}, 422, "invalid",
             "remember"),
        ]
        for body, status, code, field in cases:
            with self.subTest(body=body):
                r = anon.post("/api/v1/session", body)
                self.assertError(r, status, code, field)
                self.assertNotIn("set-cookie", r.headers)
        r = anon.request("POST", "/api/v1/session", raw=b'{"login":')
        self.assertError(r, 400, "invalid")

    def test_csrf_required_for_cookie_writes(self):
        c = self.srv.client("station")
        before = self.report_total(c)
        body = rkserver.report_body(1, title="CSRF試験 missing")
        r = c.request("POST", "/api/v1/reports", body=body, csrf=False)
        self.assertError(r, 403, "forbidden", "X-CSRF-Token")
        r = c.request("POST", "/api/v1/reports", body=body, csrf=False,
                      headers={"X-CSRF-Token": "0" * 64})
        self.assertError(r, 403, "forbidden", "X-CSRF-Token")
        r = c.request("DELETE", "/api/v1/session", csrf=False)
        self.assertError(r, 403, "forbidden", "X-CSRF-Token")
        self.assertEqual(self.report_total(c), before)
        # Reads need no token, and the session is still alive.
        self.assertEqual(c.get("/api/v1/session").status, 200)

    def test_invalid_logged_out_and_expired_sessions(self):
        bogus = self.srv.client()
        bogus.cookie = "f" * 64
        self.assertError(bogus.get("/api/v1/reports"), 401, "unauthenticated",
                         "renkei_session")

        c = self.srv.client("analyst")
        old_cookie, old_csrf = c.cookie, c.csrf
        r = c.delete("/api/v1/session")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.headers.get("set-cookie", ""))
        c.cookie, c.csrf = old_cookie, old_csrf
        self.assertError(c.get("/api/v1/reports"), 401, "unauthenticated", "renkei_session")

        # Expire a live session in the database, as time would.
        e = self.srv.client("station")
        self.assertEqual(e.get("/api/v1/session").status, 200)
        db = sqlite3.connect(self.srv.db, timeout=30)
        with db:
            db.execute("UPDATE sessions SET expires_at = 1 WHERE user_id = ?",
                       (e.user["id"],))
        db.close()
        before = self.report_total(self.srv.client("analyst"))
        self.assertError(e.get("/api/v1/reports"), 401, "unauthenticated", "renkei_session")
        r = e.post("/api/v1/reports", rkserver.report_body(2, title="期限切れ"))
        self.assertError(r, 401, "unauthenticated", "renkei_session")
        self.assertEqual(self.report_total(self.srv.client("analyst")), before)

    def test_api_keys(self):
        c = self.srv.client("station")
        r = c.post("/api/v1/apikeys", {"name": "試験用キー"})
        self.assertEqual(r.status, 201, r)
        key, key_id = r.json["key"], r.json["id"]
        m = self.srv.client()
        m.bearer = key
        self.assertEqual(m.get("/api/v1/reports?limit=1").status, 200)
        # A machine needs no CSRF token.
        r = m.post("/api/v1/reports", rkserver.report_body(3, title="APIキーで登録"))
        self.assertEqual(r.status, 201, r)
        s = m.get("/api/v1/session")
        self.assertEqual(s.status, 200, s)
        self.assertIsNone(s.json["csrf"])
        self.assertEqual(c.delete("/api/v1/apikeys/" + key_id).status, 204)
        self.assertError(m.get("/api/v1/reports"), 401, "unauthenticated", "Authorization")
        m.bearer = "rk_not_a_key"
        self.assertError(m.get("/api/v1/reports"), 401, "unauthenticated", "Authorization")

    def test_routing_errors(self):
        c = self.srv.client("analyst")
        r = c.get("/api/v1/no-such-thing")
        self.assertError(r, 404, "not_found")
        r = c.request("PUT", "/api/v1/reports", body={})
        self.assertEqual(r.status, 405, r)
        r = c.get("/api/v1/reports?limit=abc")
        self.assertError(r, 400, "invalid", "limit")
        r = c.get("/api/v1/reports?limit=501")
        self.assertError(r, 400, "invalid", "limit")
        r = c.get("/api/v1/reports?q=" + "a" * 2000)
        self.assertError(r, 400, "invalid", "q")

    def test_static_ui(self):
        anon = self.srv.client()
        ui = os.path.join(os.environ.get("RK_SOURCE_DIR", "."), "ui")
        if not os.path.exists(os.path.join(ui, "index.html")):
            self.skipTest("ui/index.html not present in this tree")
        r = anon.get("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        with open(os.path.join(ui, "index.html"), "rb") as f:
            self.assertEqual(r.raw, f.read())
        for h, v in SECURITY_HEADERS.items():
            self.assertIn(v, r.headers.get(h, ""), h)
        for root, _, files in os.walk(ui):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), ui).replace(os.sep, "/")
                if name.endswith(".js"):
                    for path in ("/" + rel, "/ui/" + rel):
                        r = anon.get(path)
                        self.assertEqual(r.status, 200, path)
                        self.assertTrue(r.headers["content-type"].startswith("text/javascript"))
                elif name.endswith(".css"):
                    self.assertTrue(anon.get("/" + rel).headers["content-type"]
                                    .startswith("text/css"))
        self.assertEqual(anon.get("/no/such/file.js").status, 404)
        self.assertEqual(anon.request("POST", "/index.html", body={}).status, 405)


if __name__ == "__main__":
    rkserver.main()
