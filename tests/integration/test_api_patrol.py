"""The cyber-patrol review queue over HTTP (server/api-patrol.c): a harmful Japanese post becomes
a finding with its evidence spans and an innocent one does not; findings are listed highest
score first; a decision is recorded once (a second is 409); a bad decision value is refused
naming the field; stations and partners are refused; statistics count per category × decision.
"""
import sys
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

# Fictional posts.
RECRUIT = "高収入の闇バイト、即日現金手渡し。テレグラムで連絡ください。受け子・出し子募集"
DRUG = "大麻 手押し 即日発送 野菜あります"
GROCER = "今日は八百屋で新鮮な野菜を買いました。冷たい風が吹いています。"


class PatrolApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.an = cls.srv.client("analyst", 0)
        cls.st = cls.srv.client("station", 0)
        cls.pa = cls.srv.client("partner", 0)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def submit(self, text, **extra):
        body = {"text": text}
        body.update(extra)
        r = self.an.post("/api/v1/patrol/findings", body)
        self.assertEqual(r.status, 201, r)
        return r.json["findings"]

    def test_queue(self):
        rec = self.submit(RECRUIT, url="https://bbs.example.jp/t/1", id="post-1",
                          posted_at="2026-11-21T10:00:00+09:00")
        self.assertEqual(len(rec), 1)
        f = rec[0]
        self.assertEqual(f["category"], "recruit.crime")
        self.assertEqual(f["status"], "open")
        self.assertEqual(f["url"], "https://bbs.example.jp/t/1")
        raw = RECRUIT.encode("utf-8")
        # Spans are byte offsets into the UTF-8 text; the first is 高収入.
        self.assertEqual(raw[f["spans"][0]["start"]:f["spans"][0]["end"]].decode(), "高収入")
        for sp in f["spans"]:
            raw[sp["start"]:sp["end"]].decode("utf-8")  # whole characters
        self.assertEqual(self.submit(GROCER), [])
        drug = self.submit(DRUG)[0]

        r = self.an.get("/api/v1/patrol/findings?limit=500")
        self.assertEqual(r.status, 200, r)
        scores = [i["score"] for i in r.json["items"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        ids = [i["id"] for i in r.json["items"]]
        self.assertIn(f["id"], ids)
        self.assertIn(drug["id"], ids)
        r = self.an.get("/api/v1/patrol/findings?category=illegal.drug")
        self.assertTrue(all(i["category"] == "illegal.drug" for i in r.json["items"]))
        self.assertIn(drug["id"], [i["id"] for i in r.json["items"]])
        r = self.an.get("/api/v1/patrol/findings?status=closed")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "status")

        # A bad decision value is refused naming the field, and changes nothing.
        path = "/api/v1/patrol/findings/%s/decision" % f["id"]
        r = self.an.post(path, {"decision": "delete"})
        self.assertIn(r.status, (400, 422), r)
        self.assertEqual(r.error["field"], "decision")
        self.assertEqual(self.an.get("/api/v1/patrol/findings/" + f["id"]).json["status"], "open")

        before = self.an.get("/api/v1/patrol/stats").json
        r = self.an.post(path, {"decision": "deletion_request", "comment": "管理者へ依頼"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["decision"], "deletion_request")
        self.assertEqual(r.json["status"], "decided")
        r = self.an.post(path, {"decision": "not_applicable"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.an.get("/api/v1/patrol/findings/" + f["id"]).json["decision"],
                         "deletion_request")
        r = self.an.get("/api/v1/patrol/findings?status=decided")
        self.assertIn(f["id"], [i["id"] for i in r.json["items"]])
        r = self.an.get("/api/v1/patrol/findings")
        self.assertNotIn(f["id"], [i["id"] for i in r.json["items"]])

        after = self.an.get("/api/v1/patrol/stats").json
        row = {x["category"]: x for x in after["items"]}["recruit.crime"]
        old = {x["category"]: x for x in before["items"]}["recruit.crime"]
        self.assertEqual(row["deletion_request"], old["deletion_request"] + 1)
        self.assertEqual(row["open"], old["open"] - 1)
        self.assertEqual(after["total"], before["total"])

        r = self.an.get("/api/v1/patrol/findings/00000000-0000-4000-8000-000000000000")
        self.assertEqual(r.status, 404, r)

    def test_bad_submit(self):
        for body, field in (({}, "text"), ({"text": ""}, "text"), ({"text": 5}, "text"),
                            ({"text": DRUG, "posted_at": "yesterday"}, "posted_at"),
                            ({"text": DRUG, "colour": "red"}, "colour")):
            with self.subTest(body=body):
                r = self.an.post("/api/v1/patrol/findings", body)
                self.assertIn(r.status, (400, 422), r)
                self.assertEqual(r.error["field"], field)

    def test_roles(self):
        for c in (self.st, self.pa):
            for method, path, body in (
                    ("POST", "/api/v1/patrol/findings", {"text": DRUG}),
                    ("GET", "/api/v1/patrol/findings", None),
                    ("GET", "/api/v1/patrol/stats", None),
                    ("POST", "/api/v1/patrol/findings/x/decision",
                     {"decision": "not_applicable"})):
                with self.subTest(method=method, path=path):
                    r = c.request(method, path, body)
                    self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
