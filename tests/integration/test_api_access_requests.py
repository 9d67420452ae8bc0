"""Access requests (閲覧依頼) over HTTP (server/api-access-requests.c) with the real server: an
analyst of サイバー捜査課 sees a unit-scope case of サイバー攻撃対策課 that shares a bank account
with their own case only as restricted, asks that unit for access, a supervisor of that unit sees
the request with the one case it concerns and grants it; the analyst can then read exactly that
case (not the unit's other case) until the grant expires; a refusal leaves it restricted; a probe
about a unit that holds nothing related is refused naming the field; withdrawal; roles.
"""
import datetime
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

# A fictional bank account that exists only in this test.
ACCOUNT = "三井住友銀行 架空台支店 普通 3141592 カクウタロウ"


def iso(seconds_ahead):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class AccessRequestApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.a = cls.srv.client("analyst", 0)
        cls.b = cls.srv.client("analyst", 1)
        if cls.a.user["unit"]["id"] == cls.b.user["unit"]["id"]:
            raise unittest.SkipTest("the demo data has no two analysts in different units")
        cls.unit_b = cls.b.user["unit"]["id"]
        # A supervisor of unit B, made by the administrator.
        admin = cls.srv.client("admin")
        r = admin.post("/api/v1/users", {"login": "sup_b_it", "password": "sup-b-password-1",
                                         "name": "対策課 所属長", "role": "supervisor",
                                         "unit_id": cls.unit_b})
        assert r.status == 201, r
        cls.sb = rkserver.Client(cls.srv)
        cls.sb.login("sup_b_it", "sup-b-password-1")
        cls.station = cls.srv.client("station", 0)
        cls.partner = cls.srv.client("partner", 0)
        cls.case_a = cls.make_case(cls.a, "口座共通の詐欺（捜査課）", cls.a.user["unit"]["id"], ACCOUNT)
        cls.case_b = cls.make_case(cls.b, "口座共通の詐欺（対策課・所属限定）", cls.unit_b, ACCOUNT)
        cls.case_b2 = cls.make_case(cls.b, "対策課の別件", cls.unit_b, "三井住友銀行 架空台支店 普通 2718281 ベツケンハナコ")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    @classmethod
    def make_case(cls, client, title, unit, account):
        r = client.post("/api/v1/cases", {"title": title, "lead_unit_id": unit, "scope": "unit"})
        assert r.status == 201, r
        cid = r.json["id"]
        r = client.post("/api/v1/cases/%s/observables" % cid,
                        {"value": account, "type": "bank-account", "role": "payment_destination"})
        assert r.status in (200, 201), r
        return cid

    def ask(self, client, kind="case", unit=None, context=None, reason="同一口座の被害。被害者の共通点を確認したい。",
            context_kind="case"):
        return client.post("/api/v1/access-requests", {
            "context_kind": context_kind, "context_id": context or self.case_a,
            "unit_id": unit or self.unit_b, "kind": kind, "reason": reason})

    def assertError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.error.get("code"), code, r)
        self.assertTrue(r.error.get("message"), r)
        if field is not None:
            self.assertEqual(r.error.get("field"), field, r)

    def test_1_full_loop(self):
        # The analyst sees the other unit's case only as restricted, with its unit.
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b).status, 403)
        rel = self.a.get("/api/v1/cases/%s/related" % self.case_a)
        self.assertEqual(rel.status, 200, rel)
        restricted = [i for i in rel.json["items"] if i.get("restricted")]
        self.assertTrue(any(i["unit"]["id"] == self.unit_b and i["kind"] == "case"
                            for i in restricted), rel.json)
        self.assertNotIn(self.case_b, str(rel.json))

        # Probes are refused naming the field: no related report of unit B, nothing restricted
        # held by the caller's own unit.
        self.assertError(self.ask(self.a, kind="report"), 422, "invalid", "unit_id")
        self.assertError(self.ask(self.a, unit=self.a.user["unit"]["id"]), 422, "invalid", "unit_id")
        self.assertError(self.ask(self.a, reason=""), 422, "invalid", "reason")
        self.assertError(self.ask(self.a, context=self.case_b2), 403, "forbidden", "context_id")

        # 1. Refused: the case stays restricted.
        r = self.ask(self.a)
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertEqual(r.json["status"], "pending")
        self.assertEqual(r.json["unit"]["id"], self.unit_b)
        self.assertNotIn("objects", r.json)
        self.assertNotIn(self.case_b, r.raw.decode())
        self.assertError(self.ask(self.a), 409, "conflict")
        inbox = self.sb.get("/api/v1/access-requests?box=incoming&status=pending")
        self.assertEqual(inbox.status, 200, inbox)
        self.assertIn(rid, [i["id"] for i in inbox.json["items"]])
        one = self.sb.get("/api/v1/access-requests/" + rid)
        self.assertEqual([o["id"] for o in one.json["objects"]], [self.case_b])
        self.assertEqual(one.json["reason"], "同一口座の被害。被害者の共通点を確認したい。")
        self.assertError(self.sb.post("/api/v1/access-requests/%s/decision" % rid,
                                      {"decision": "refuse"}), 422, "invalid", "note")
        r = self.sb.post("/api/v1/access-requests/%s/decision" % rid,
                         {"decision": "refuse", "note": "公判前のため不可"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "refused")
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b).status, 403)
        out = self.a.get("/api/v1/access-requests/" + rid)
        self.assertEqual(out.json["decision_note"], "公判前のため不可")

        # 2. Granted with an expiry a few seconds ahead: exactly that case, then not.
        r = self.ask(self.a)
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertError(self.a.post("/api/v1/access-requests/%s/decision" % rid,
                                     {"decision": "grant"}), 403, "forbidden")
        self.assertError(self.sb.post("/api/v1/access-requests/%s/decision" % rid,
                                      {"decision": "grant", "object_ids": [self.case_b2]}),
                         422, "invalid", "object_ids")
        r = self.sb.post("/api/v1/access-requests/%s/decision" % rid,
                         {"decision": "grant", "expires_at": iso(4)})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "granted")
        got = self.a.get("/api/v1/cases/" + self.case_b)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json["title"], "口座共通の詐欺（対策課・所属限定）")
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b2).status, 403)
        listed = [c["id"] for c in
                  self.a.get("/api/v1/cases?unit_id=%s&limit=500" % self.unit_b).json["items"]]
        self.assertIn(self.case_b, listed)
        self.assertNotIn(self.case_b2, listed)
        out = self.a.get("/api/v1/access-requests?box=outgoing")
        self.assertEqual({i["status"] for i in out.json["items"]}, {"granted", "refused"})
        mine = self.a.get("/api/v1/access-requests/" + rid)
        self.assertEqual([g["id"] for g in mine.json["granted"]], [self.case_b])
        time.sleep(5)
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b).status, 403)
        listed = [c["id"] for c in
                  self.a.get("/api/v1/cases?unit_id=%s&limit=500" % self.unit_b).json["items"]]
        self.assertNotIn(self.case_b, listed)
        self.assertEqual(self.a.get("/api/v1/access-requests/" + rid).json["granted"], [])

    def test_3_revoke(self):
        r = self.ask(self.a)
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        r = self.sb.post("/api/v1/access-requests/%s/decision" % rid, {"decision": "grant"})
        self.assertEqual(r.json["status"], "granted")
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b).status, 200)
        self.assertError(self.a.post("/api/v1/access-requests/%s/revoke" % rid), 403, "forbidden")
        r = self.sb.post("/api/v1/access-requests/%s/revoke" % rid)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["objects"][0]["expires_at"])
        self.assertEqual(self.a.get("/api/v1/cases/" + self.case_b).status, 403)
        self.assertError(self.sb.post("/api/v1/access-requests/%s/revoke" % rid), 409, "conflict")

    def test_2_withdraw_and_roles(self):
        r = self.ask(self.a, context_kind="observable",
                     context=self.a.get("/api/v1/cases/" + self.case_a).json["observables"][0]["id"])
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertError(self.sb.post("/api/v1/access-requests/%s/withdraw" % rid), 403, "forbidden")
        r = self.a.post("/api/v1/access-requests/%s/withdraw" % rid, {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "withdrawn")
        self.assertError(self.a.post("/api/v1/access-requests/%s/withdraw" % rid), 409, "conflict")
        # Someone neither requester nor of the holding unit: as if it did not exist.
        self.assertError(self.station.get("/api/v1/access-requests/" + rid), 404, "not_found")
        self.assertEqual(self.station.get("/api/v1/access-requests").status, 200)
        self.assertError(self.partner.get("/api/v1/access-requests"), 403, "forbidden")
        admin = self.srv.client("admin")
        self.assertError(admin.get("/api/v1/access-requests"), 403, "forbidden")
        self.assertError(admin.post("/api/v1/access-requests/%s/decision" % rid,
                                    {"decision": "grant"}), 403, "forbidden")
        self.assertError(self.a.get("/api/v1/access-requests?box=sideways"), 422, "invalid", "box")


if __name__ == "__main__":
    unittest.main()
