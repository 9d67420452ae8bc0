"""Bad input (issue 2, "Bad input"): malformed JSON, invalid UTF-8, over-long fields, unknown
fields, wrong types, a transition the workflow forbids, a body over the limit — each gets a 4xx
JSON error that names the field, and nothing is written (the report count and a search for
the request's unique marker are unchanged).
"""
import sys
import json
import socket
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.station = cls.srv.client("station")
        cls.analyst = cls.srv.client("analyst")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def total(self, q=None):
        path = "/api/v1/reports?limit=1"
        if q:
            path += "&q=" + q
        r = self.analyst.get(path)
        self.assertEqual(r.status, 200, r)
        return r.json["total"]

    def assertRefused(self, r, status, field):
        """A JSON error with `status`, code matching it, and naming `field`."""
        self.assertIn(r.status, status if isinstance(status, tuple) else (status,), r)
        self.assertTrue(r.error, r)
        self.assertEqual(r.error["field"], field, r)
        self.assertTrue(r.error["message"], r)
        self.assertEqual(r.headers.get("content-type"), "application/json; charset=utf-8")

    def test_bodies_refused_with_the_field_named(self):
        good = json.dumps(rkserver.report_body(0, title="MARKERBAD1"), ensure_ascii=False)
        good_b = good.encode("utf-8")
        bad_utf8 = good_b.replace("宅配業者".encode("utf-8"), b"\xff\xfe", 1)
        cases = [
            # (name, raw body, statuses, field)
            ("malformed JSON: truncated inside reporter", good_b[:-5], 400, "reporter.age"),
            ("malformed JSON: bare word", b'{"title":"MARKERBAD1","urgent":yes}', 400,
             "urgent"),
            ("trailing garbage", good_b + b" x", 400, ""),
            ("not an object", b'["MARKERBAD1"]', 400, ""),
            ("empty body", b"", 400, ""),
            ("invalid UTF-8 in the narrative", bad_utf8, 400, "narrative"),
            ("invalid UTF-8 in a nested field",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1",
                                             reporter={"type": "individual", "name": "@@"}),
                        ensure_ascii=False).encode().replace(b"@@", b"\xc0\xaf"),
             400, "reporter.name"),
            ("duplicate key",
             b'{"title":"MARKERBAD1","title":"x","narrative":"n"}', 400, "title"),
            ("unknown field",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1", narative="typo"),
                        ensure_ascii=False).encode(), 422, "narative"),
            ("wrong type: amount as text",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1", damage_amount="5万円"),
                        ensure_ascii=False).encode(), 422, "damage_amount"),
            ("wrong type: urgent as string",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1", urgent="yes"),
                        ensure_ascii=False).encode(), 422, "urgent"),
            ("wrong type: title as number",
             json.dumps(rkserver.report_body(0, title=12345, narrative="MARKERBAD1"),
                        ensure_ascii=False).encode(), 422, "title"),
            ("over-long title",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1" + "長" * 20000),
                        ensure_ascii=False).encode(), (413, 422), "title"),
            ("unknown intake type",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1", intake_type="fax"),
                        ensure_ascii=False).encode(), 422, "intake_type"),
            ("unknown category",
             json.dumps(rkserver.report_body(0, title="MARKERBAD1", category="no-such"),
                        ensure_ascii=False).encode(), 422, "category"),
        ]
        before = self.total()
        for name, raw, status, field in cases:
            with self.subTest(name):
                r = self.station.request("POST", "/api/v1/reports", raw=raw)
                self.assertRefused(r, status, field)
        self.assertEqual(self.total(), before)
        self.assertEqual(self.total("MARKERBAD1"), 0)

    def test_body_too_large(self):
        before = self.total()
        big = rkserver.report_body(0, title="MARKERBIG", narrative="あ" * 400000)  # 1.2 MB
        raw = json.dumps(big, ensure_ascii=False).encode()
        # The declared length is refused before the body is read, so send only its start.
        data = self.raw_exchange(
            "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (self.key(), len(raw)), [raw[:65536]])
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        body = json.loads(data.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(body["error"]["code"], "too_big")
        self.assertEqual(body["error"]["field"], "")
        # The same without a Content-Length (chunked) is cut off at the cap too.
        chunks = [b"%x\r\n%s\r\n" % (len(raw[i:i + 65536]), raw[i:i + 65536])
                  for i in range(0, len(raw), 65536)] + [b"0\r\n\r\n"]
        data = self.raw_exchange(
            "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n" % self.key(), chunks)
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        self.assertEqual(self.total(), before)

    def key(self):
        if not hasattr(self, "_key"):
            r = self.station.post("/api/v1/apikeys", {"name": "bad-input"})
            self.assertEqual(r.status, 201, r)
            type(self)._key = r.json["key"]
        return self._key

    def raw_exchange(self, head, parts):
        """Sends a request by hand (head, then body parts, stopping if the server closes)
        and returns everything the server answered."""
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=30)
        s.sendall(head.encode())
        try:
            for p in parts:
                s.sendall(p)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        s.close()
        return data

    def test_huge_headers_refused(self):
        r = self.analyst.get("/api/v1/reports", headers={"X-Filler": "a" * 40000})
        self.assertIn(r.status, (413, 431), r)

    def test_forbidden_transition(self):
        r = self.station.post("/api/v1/reports", rkserver.report_body(7, title="遷移試験"))
        self.assertEqual(r.status, 201, r)
        rep = r.json
        ref = self.analyst.get("/api/v1/ref").json
        states = [s["code"] for s in ref["report_states"]]
        # Back to the state it is in, or to a state that does not exist, is never allowed.
        r = self.analyst.post("/api/v1/reports/%s/transition" % rep["id"], {"to": rep["status"]})
        self.assertIn(r.status, (409, 422), r)
        self.assertEqual(r.error["field"], "to", r)
        r = self.analyst.post("/api/v1/reports/%s/transition" % rep["id"], {"to": "no_such"})
        self.assertIn(r.status, (409, 422), r)
        self.assertEqual(r.error["field"], "to", r)
        # A state the workflow does not reach from the current one gives 409 conflict.
        allowed = {t["to"] for t in ref["report_transitions"] if t["from"] == rep["status"]}
        forbidden = [s for s in states if s not in allowed and s != rep["status"]]
        self.assertTrue(forbidden)
        for to in forbidden:
            with self.subTest(to=to):
                r = self.analyst.post("/api/v1/reports/%s/transition" % rep["id"], {"to": to})
                self.assertEqual(r.status, 409, r)
                self.assertEqual(r.error["code"], "conflict")
                self.assertEqual(r.error["field"], "to")
        after = self.analyst.get("/api/v1/reports/" + rep["id"]).json
        self.assertEqual(after["status"], rep["status"])
        # Wrong shape of the transition body itself.
        r = self.analyst.post("/api/v1/reports/%s/transition" % rep["id"], {"to": 3})
        self.assertRefused(r, 422, "to")
        r = self.analyst.post("/api/v1/reports/%s/transition" % rep["id"],
                              {"to": states[0], "why": "x"})
        self.assertRefused(r, 422, "why")

    def test_case_bodies(self):
        r = self.analyst.get("/api/v1/cases?limit=1")
        self.assertEqual(r.status, 200, r)
        before = r.json["total"]
        for body, field in [({"title": 5}, "title"), ({"title": "x", "colour": "red"}, "colour")]:
            with self.subTest(body=body):
                self.assertRefused(self.analyst.post("/api/v1/cases", body), 422, field)
        self.assertEqual(self.analyst.get("/api/v1/cases?limit=1").json["total"], before)


if __name__ == "__main__":
    rkserver.main()
