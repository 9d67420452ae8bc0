"""Lookalike review over HTTP (server/api-lookalike.c): pasted lines become matches with brand
and reasons, legitimate domains and junk do not; a host seen again is one row with a count; the
list is ranked by score and filtered; confirm creates a takedown record (未依頼) whose status is
then changed, dismiss and reopen work, a second decision is 409; bad input is 422 naming the
field; stations, partners and admins are refused; statistics count per brand × status. All
hosts are fictional.
"""
import sys
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

LINES = "\n".join([
    "rakuten-login-kakunin.xyz",       # combosquat, scores 100
    "https://amazon-co-jp-fuzai.top/signin",
    "www.rakuten.co.jp",               # the brand's own domain: no match
    "192.0.2.10",                      # an IP literal: skipped
    "rakuten-login-kakunin.xyz",       # the same host again
])


class LookalikeApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.an = cls.srv.client("analyst", 0)
        cls.su = cls.srv.client("supervisor", 0)
        cls.st = cls.srv.client("station", 0)
        cls.pa = cls.srv.client("partner", 0)
        cls.ad = cls.srv.client("admin", 0)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_review(self):
        r = self.an.post("/api/v1/lookalike/matches", {"text": LINES})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["checked"], 5)
        self.assertEqual(r.json["skipped"], 1)
        self.assertEqual(r.json["skips"][0]["line"], 4)
        ms = r.json["matches"]
        self.assertEqual([m["host"] for m in ms],
                         ["rakuten-login-kakunin.xyz", "amazon-co-jp-fuzai.top",
                          "rakuten-login-kakunin.xyz"])
        rak = ms[0]
        self.assertEqual(rak["brand"]["id"], "rakuten")
        self.assertEqual(rak["brand"]["name_ja"], "楽天")
        self.assertEqual(rak["reasons"][0]["kind"], "combosquat")
        self.assertEqual(rak["status"], "new")
        self.assertTrue(ms[0]["new"])
        self.assertFalse(ms[2]["new"])
        self.assertEqual(ms[2]["id"], rak["id"])
        self.assertEqual(ms[2]["times_seen"], 2)
        amz = ms[1]
        self.assertIsNotNone(amz["observables"]["url"])
        # The domain is an observable anyone in the unit can look up.
        o = self.an.get("/api/v1/observables/" + amz["observables"]["domain"])
        self.assertEqual(o.status, 200, o)
        self.assertEqual(o.json["canonical"], "amazon-co-jp-fuzai.top")
        self.assertEqual(amz["observables"]["reports"], 0)
        # A report that carries the same domain shares the observable: the match counts it.
        r = self.an.post("/api/v1/reports", {
            "intake_type": "sodan", "channel": "denwa", "category": "phishing",
            "title": "不在通知を装うSMS（試験）",
            "narrative": "荷物の不在通知SMSのリンク先 amazon-co-jp-fuzai.top でログインした。"})
        self.assertEqual(r.status, 201, r)
        m = self.an.get("/api/v1/lookalike/matches/" + amz["id"]).json
        self.assertEqual(m["observables"]["reports"], 1)
        self.assertEqual(m["observables"]["cases"], 0)

        r = self.an.get("/api/v1/lookalike/matches?limit=500")
        self.assertEqual(r.status, 200, r)
        scores = [i["score"] for i in r.json["items"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertIn(rak["id"], [i["id"] for i in r.json["items"]])
        r = self.an.get("/api/v1/lookalike/matches?brand=amazon&sector=ec&min_score=50")
        self.assertTrue(all(i["brand"]["id"] == "amazon" for i in r.json["items"]))
        self.assertIn(amz["id"], [i["id"] for i in r.json["items"]])
        r = self.an.get("/api/v1/lookalike/matches?status=open")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "status")
        r = self.an.get("/api/v1/lookalike/matches?min_score=101")
        self.assertIn(r.status, (400, 422), r)

        before = self.an.get("/api/v1/lookalike/stats").json
        path = "/api/v1/lookalike/matches/%s/decision" % rak["id"]
        r = self.an.post(path, {"decision": "takedown"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "decision")
        r = self.an.post(path, {"decision": "confirm", "target_org": "架空レジストラ株式会社"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "confirmed")
        td = r.json["takedown"]
        self.assertEqual(td["status"], "not_requested")
        self.assertEqual(td["domain"], "rakuten-login-kakunin.xyz")
        r = self.an.post(path, {"decision": "dismiss"})
        self.assertEqual(r.status, 409, r)

        r = self.su.patch("/api/v1/lookalike/takedowns/" + td["id"], {"status": "依頼済"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "status")
        r = self.su.patch("/api/v1/lookalike/takedowns/" + td["id"],
                          {"status": "requested", "note": "メールで依頼"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "requested")
        r = self.an.get("/api/v1/lookalike/takedowns?status=requested")
        self.assertIn(td["id"], [i["id"] for i in r.json["items"]])
        # Reopening is refused once the takedown was requested.
        r = self.an.post(path, {"decision": "reopen"})
        self.assertEqual(r.status, 409, r)

        p2 = "/api/v1/lookalike/matches/%s/decision" % amz["id"]
        self.assertEqual(self.an.post(p2, {"decision": "dismiss"}).json["status"], "dismissed")
        self.assertEqual(self.an.post(p2, {"decision": "reopen"}).json["status"], "new")

        after = self.an.get("/api/v1/lookalike/stats").json
        row = {x["brand"]["id"]: x for x in after["items"]}["rakuten"]
        old = {x["brand"]["id"]: x for x in before["items"]}["rakuten"]
        self.assertEqual(row["confirmed"], old["confirmed"] + 1)
        self.assertEqual(row["new"], old["new"] - 1)
        self.assertEqual(after["total"], before["total"])

        r = self.an.get("/api/v1/lookalike/matches/00000000-0000-4000-8000-000000000000")
        self.assertEqual(r.status, 404, r)

    def test_bad_submit(self):
        for body, field in (({}, "text"), ({"text": ""}, "text"), ({"text": 5}, "text"),
                            ({"text": "  \n "}, "text"),
                            ({"text": "a.example", "source": "x"}, "source")):
            with self.subTest(body=body):
                r = self.an.post("/api/v1/lookalike/matches", body)
                self.assertIn(r.status, (400, 422), r)
                self.assertEqual(r.error["field"], field)
        r = self.an.post("/api/v1/lookalike/matches", {"text": "a.example\n" * 2001})
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.error["field"], "text")

    def test_roles(self):
        for c in (self.st, self.pa, self.ad):
            for method, path, body in (
                    ("POST", "/api/v1/lookalike/matches", {"text": "rakuten-login.xyz"}),
                    ("GET", "/api/v1/lookalike/matches", None),
                    ("GET", "/api/v1/lookalike/matches/x", None),
                    ("POST", "/api/v1/lookalike/matches/x/decision", {"decision": "dismiss"}),
                    ("GET", "/api/v1/lookalike/takedowns", None),
                    ("PATCH", "/api/v1/lookalike/takedowns/x", {"status": "removed"}),
                    ("GET", "/api/v1/lookalike/stats", None)):
                with self.subTest(method=method, path=path):
                    r = c.request(method, path, body)
                    self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
