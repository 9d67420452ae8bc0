"""Every endpoint of docs/openapi.yaml, driven the way the UI drives it: a station officer files
a Japanese report and sees the extracted observables; an analyst finds it by a Japanese
substring, opens a case from it, assigns people, adds tasks and notes, links observables with a
role and another case, and moves the workflow; a supervisor decides approvals and reads the
audit log; an admin manages users and units. Opening an observable shows every report and case
it appears in, a case the caller may not read only as restricted with its holding unit.
"""
import sys
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


class EndpointsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.station = cls.srv.client("station")
        cls.analyst = cls.srv.client("analyst")
        cls.supervisor = cls.srv.client("supervisor")
        cls.admin = cls.srv.client("admin")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers.get("content-type"), "application/json; charset=utf-8")
        return r.json

    def file_report(self, title, **over):
        body = rkserver.report_body(42, title=title, **over)
        return self.ok(self.station.post("/api/v1/reports", body), 201)

    def test_ref(self):
        ref = self.ok(self.station.get("/api/v1/ref"))
        for key in ("categories", "intake_types", "channels", "reporter_types", "report_states",
                    "case_states", "tlp", "scopes", "observable_roles"):
            self.assertIn(key, ref)
            self.assertTrue(ref[key], key)

    def test_report_lifecycle(self):
        rep = self.file_report("還付金詐欺の相談 連携試験", scope="prefecture", tlp="AMBER")
        self.assertRegex(rep["ref"], r"^R\d{4}-\d{6}$")
        self.assertEqual(rep["title"], "還付金詐欺の相談 連携試験")
        canon = {o["canonical"] for o in rep["observables"]}
        self.assertIn("support42@phish.example.com", canon)
        self.assertIn("+819012340042", canon)
        # The station officer reads it back; an analyst finds it by a Japanese substring.
        self.assertEqual(self.ok(self.station.get("/api/v1/reports/" + rep["id"]))["id"],
                         rep["id"])
        found = self.ok(self.analyst.get("/api/v1/reports?q=還付金詐欺&limit=50"))
        self.assertIn(rep["id"], [i["id"] for i in found["items"]])
        for key in ("items", "total", "limit", "offset"):
            self.assertIn(key, found)
        short = self.ok(self.analyst.get("/api/v1/reports?q=詐欺&limit=500"))
        self.assertIn(rep["id"], [i["id"] for i in short["items"]])
        flt = self.ok(self.analyst.get("/api/v1/reports?category=phishing&limit=5&offset=0"))
        self.assertLessEqual(len(flt["items"]), 5)
        for item in flt["items"]:
            self.assertEqual(item["category"], "phishing")
        # Update: the narrative changes, and so do its observables.
        upd = self.ok(self.station.patch("/api/v1/reports/" + rep["id"],
                                         {"narrative": "連絡先は victim@example.jp のみ"}))
        self.assertEqual({o["canonical"] for o in upd["observables"]}, {"victim@example.jp"})
        # A transition the workflow allows from the current state without approval.
        ref = self.ok(self.analyst.get("/api/v1/ref"))
        nxt = [t["to"] for t in ref["report_transitions"]
               if t["from"] == upd["status"] and not t["approval"]]
        self.assertTrue(nxt, ref["report_transitions"])
        moved = self.ok(self.analyst.post("/api/v1/reports/%s/transition" % rep["id"],
                                          {"to": nxt[0], "comment": "本部共有"}))
        self.assertEqual(moved["status"], nxt[0])
        self.assertEqual(self.ok(self.station.get("/api/v1/reports/" + rep["id"]))["status"],
                         nxt[0])

    def test_case_lifecycle_and_seen_in(self):
        rep = self.file_report("ランサムウェア被害 事案化試験", scope="prefecture", tlp="AMBER")
        case = self.ok(self.analyst.post("/api/v1/cases", {
            "title": "ランサムウェア事案 試験", "summary": "概要", "category": rep["category"],
            "tlp": "AMBER", "scope": "prefecture", "report_ids": [rep["id"]]}), 201)
        self.assertRegex(case["ref"], r"^C\d{4}-\d{6}$")
        cid = case["id"]
        self.assertIn(rep["id"], [r["id"] for r in case["reports"]])
        got = self.ok(self.analyst.get("/api/v1/cases/" + cid))
        for key in ("tasks", "notes", "observables", "linked_cases", "timeline", "lead_unit"):
            self.assertIn(key, got)
        lst = self.ok(self.analyst.get("/api/v1/cases?q=ランサムウェア&limit=50"))
        self.assertIn(cid, [c["id"] for c in lst["items"]])
        upd = self.ok(self.analyst.patch("/api/v1/cases/" + cid, {"summary": "更新後の概要"}))
        self.assertEqual(upd["summary"], "更新後の概要")

        rep2 = self.file_report("同一手口の別通報")
        self.ok(self.analyst.post("/api/v1/cases/%s/reports" % cid, {"report_ids": [rep2["id"]]}))
        task = self.ok(self.analyst.post("/api/v1/cases/%s/tasks" % cid,
                                         {"title": "プロバイダへ保全要請", "due": "2026-12-01"}),
                       201)
        tid = task["id"] if "id" in task else task["tasks"][-1]["id"]
        self.ok(self.analyst.patch("/api/v1/cases/%s/tasks/%s" % (cid, tid), {"done": True}))
        self.ok(self.analyst.post("/api/v1/cases/%s/notes" % cid,
                                  {"text": "C2サーバは海外ホスティング"}), 201)
        link = self.ok(self.analyst.post("/api/v1/cases/%s/observables" % cid, {
            "value": "hxxp://c2-ransom[.]example[.]net/gate", "role": "attacker_infrastructure"}),
            201)
        got = self.ok(self.analyst.get("/api/v1/cases/" + cid))
        self.assertEqual(len(got["tasks"]), 1)
        self.assertTrue(got["tasks"][0]["done"])
        self.assertEqual(got["notes"][0]["text"], "C2サーバは海外ホスティング")
        obs = [o for o in got["observables"] if o["role"] == "attacker_infrastructure"]
        self.assertEqual(len(obs), 1, got["observables"])
        self.assertEqual(obs[0]["canonical"], "http://c2-ransom.example.net/gate")
        self.assertTrue(got["timeline"])
        oid = obs[0]["id"]

        # A second case, RED and led by another analyst's unit, that this analyst may not read.
        other = None
        for l in self.srv.logins:
            if l["role"] == "analyst" and l["login"] != self.analyst.user["login"]:
                other = self.srv.client()
                other.login(l["login"], l["password"])
                break
        if other is not None:
            secret = self.ok(other.post("/api/v1/cases", {
                "title": "秘匿事案", "tlp": "RED", "scope": "unit"}), 201)
            self.ok(other.post("/api/v1/cases/%s/observables" % secret["id"], {
                "value": "c2-ransom.example.net", "role": "attacker_infrastructure"}), 201)
            self.ok(other.post("/api/v1/cases/%s/observables" % secret["id"], {
                "value": "hxxp://c2-ransom[.]example[.]net/gate", "role": "phishing_site"}), 201)
            seen = self.ok(self.analyst.get("/api/v1/observables/" + oid))
            cases = seen["seen_in"]["cases"]
            self.assertIn(cid, [c.get("id") for c in cases])
            restricted = [c for c in cases if c.get("restricted")]
            self.assertEqual(len(restricted), 1, cases)
            self.assertNotIn("title", restricted[0])
            self.assertNotIn("秘匿事案", str(seen))
            self.assertTrue(restricted[0]["unit"]["id"])

        # Observables: search, one, preview.
        olist = self.ok(self.analyst.get("/api/v1/observables?q=c2-ransom&limit=10"))
        self.assertIn(oid, [o["id"] for o in olist["items"]])
        one = self.ok(self.analyst.get("/api/v1/observables/" + oid))
        self.assertEqual(one["canonical"], "http://c2-ransom.example.net/gate")
        prev = self.ok(self.station.post("/api/v1/observables/preview", {
            "text": "送金先は hxxps://pay[.]example[.]com と 03-1234-5678"}))
        got_types = {(o["type"], o["canonical"]) for o in prev["observables"]}
        self.assertTrue([c for t, c in got_types
                         if t == "url" and c.startswith("https://pay.example.com")], got_types)
        self.assertIn("+81312345678", {c for _, c in got_types})

        # Unlink, and a case link to a second readable case; then a transition.
        r = self.analyst.delete("/api/v1/cases/%s/observables/%s" % (cid, oid))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        got = self.ok(self.analyst.get("/api/v1/cases/" + cid))
        self.assertNotIn(oid, [o["id"] for o in got["observables"]])
        case2 = self.ok(self.analyst.post("/api/v1/cases", {"title": "関連事案"}), 201)
        r = self.analyst.post("/api/v1/cases/%s/links" % cid,
                              {"case_id": case2["id"], "relation": "joint"})
        self.assertIn(r.status, (200, 201), r)
        got = self.ok(self.analyst.get("/api/v1/cases/" + cid))
        self.assertIn(case2["id"], [c.get("id") for c in got["linked_cases"]])
        # A step that needs a superior: the analyst's request becomes a 起案 that a
        # supervisor decides (決裁); only then does the case move.
        ref = self.ok(self.analyst.get("/api/v1/ref"))
        steps = [t for t in ref["case_transitions"] if t["from"] == got["status"]]
        self.assertTrue(steps)
        step = steps[0]
        r = self.ok(self.analyst.post("/api/v1/cases/%s/transition" % cid, {"to": step["to"]}))
        if step["approval"]:
            self.assertEqual(self.ok(self.analyst.get("/api/v1/cases/" + cid))["status"],
                             got["status"])
            pending = self.ok(self.supervisor.get("/api/v1/approvals"))
            items = pending["items"] if isinstance(pending, dict) else pending
            mine = [a for a in items if cid in str(a)]
            self.assertEqual(len(mine), 1, items)
            self.ok(self.supervisor.post("/api/v1/approvals/" + mine[0]["id"],
                                         {"decision": "approve", "comment": "決裁"}))
        self.assertEqual(self.ok(self.analyst.get("/api/v1/cases/" + cid))["status"],
                         step["to"])

    def test_users_units_apikeys(self):
        units = self.ok(self.admin.get("/api/v1/units"))
        items = units["items"] if isinstance(units, dict) else units
        self.assertTrue(items)
        unit = self.ok(self.admin.post("/api/v1/units", {
            "name": "試験警察署", "name_en": "Test Police Station", "kind": "station",
            "parent_id": None}), 201)
        user = self.ok(self.admin.post("/api/v1/users", {
            "login": "it-new-officer", "password": "Correct-Horse-試験-42", "name": "新任 太郎",
            "role": "station", "unit_id": unit["id"]}), 201)
        self.assertNotIn("password", user)
        self.assertEqual(self.ok(self.admin.get("/api/v1/users/" + user["id"]))["login"],
                         "it-new-officer")
        lst = self.ok(self.admin.get("/api/v1/users"))
        lst_items = lst["items"] if isinstance(lst, dict) else lst
        self.assertIn(user["id"], [u["id"] for u in lst_items])
        # The new officer logs in, then is disabled and cannot any more.
        c = self.srv.client()
        c.login("it-new-officer", "Correct-Horse-試験-42")
        self.ok(self.admin.patch("/api/v1/users/" + user["id"], {"disabled": True}))
        r = self.srv.client().post("/api/v1/session", {"login": "it-new-officer",
                                                         "password": "Correct-Horse-試験-42"})
        self.assertEqual(r.status, 401, r)
        key = self.ok(self.analyst.post("/api/v1/apikeys", {"name": "連携スクリプト"}), 201)
        self.assertTrue(key["key"])
        self.assertEqual(self.analyst.delete("/api/v1/apikeys/" + key["id"]).status, 204)

    def test_approvals_and_audit(self):
        appr = self.ok(self.supervisor.get("/api/v1/approvals"))
        items = appr["items"] if isinstance(appr, dict) and "items" in appr else appr
        if items:
            a = items[0]
            r = self.supervisor.post("/api/v1/approvals/" + a["id"],
                                     {"decision": "approve", "comment": "決裁"})
            self.assertEqual(r.status, 200, r)
        r = self.supervisor.post("/api/v1/approvals/00000000-0000-4000-8000-000000000000",
                                 {"decision": "approve"})
        self.assertEqual(r.status, 404, r)
        r = self.supervisor.post("/api/v1/approvals/00000000-0000-4000-8000-000000000000",
                                 {"decision": "maybe"})
        self.assertIn(r.status, (404, 422), r)
        ev = self.ok(self.supervisor.get("/api/v1/audit?limit=20"))
        self.assertTrue(ev["items"])
        v = self.ok(self.admin.get("/api/v1/audit/verify"))
        self.assertTrue(v["ok"], v)
        self.assertGreater(v["events"], 0)


if __name__ == "__main__":
    rkserver.main()
