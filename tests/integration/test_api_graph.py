"""The link-analysis graph end to end (GET /api/v1/graph/neighbourhood on the real server):
depth, kind and type filters, the time window, truncation, 422 naming the bad parameter, and the
need-to-know rule: a case the caller may not read is a restricted node with no id, and the walk
never goes through it, so a second value only that case holds never appears. Confirmed and
candidate groups are group nodes; a confirmed group's unreadable members are restricted nodes.
"""
import json
import os
import sys
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

PID = os.getpid() % 1000


class GraphApiTest(unittest.TestCase):
    """sousa2 (サイバー攻撃対策課) files an open report and a case holding it; 東浜警察署 files a
    report with the same phone number in May; sousa1 (サイバー捜査課) opens a unit-scoped case
    that holds the same phone and a secret URL nobody else holds."""

    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.a1 = cls.srv.client("analyst", 0)   # sousa1, サイバー捜査課
        cls.a2 = cls.srv.client("analyst", 1)   # sousa2, サイバー攻撃対策課
        cls.st = cls.srv.client("station", 0)   # 東浜警察署
        cls.unit1 = cls.srv.login_of("analyst", 0)["unit"]
        cls.phone = "080-6%03d-7788" % PID
        cls.secret = "https://graph-secret-%d.example.net/only-sousa" % PID
        cls.open_url = "https://graph-open-%d.example.org/login" % PID

        def file(client, title, narrative, received, **over):
            r = client.post("/api/v1/reports", rkserver.report_body(
                0, title=title, narrative=narrative, received_at=received, **over))
            assert r.status == 201, r
            return r.json["id"]

        cls.r_open = file(cls.a2, "グラフ試験 公開通報",
                          "電話 %s から連絡、%s に誘導。" % (cls.phone, cls.open_url.replace("https", "hxxps")),
                          "2026-03-10T01:00:00Z")
        cls.r_st = file(cls.st, "グラフ試験 東浜署の通報", "着信 %s があった。" % cls.phone,
                        "2026-05-20T01:00:00Z")
        r = cls.a2.post("/api/v1/cases", {"title": "グラフ試験 公開事案", "report_ids": [cls.r_open]})
        assert r.status == 201, r
        cls.case_open = r.json["id"]
        r = cls.a1.post("/api/v1/cases", {"title": "グラフ試験 秘匿事案", "scope": "unit"})
        assert r.status == 201, r
        cls.case_secret = r.json["id"]
        for value in (cls.phone, cls.secret):
            r = cls.a1.post("/api/v1/cases/%s/observables" % cls.case_secret,
                            {"value": value, "role": "contact"})
            assert r.status in (200, 201), r

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def graph(self, client, status=200, **params):
        r = client.get("/api/v1/graph/neighbourhood?" + urllib.parse.urlencode(params))
        self.assertEqual(r.status, status, r)
        return r.json

    def node(self, g, id_):
        found = [n for n in g["nodes"] if n["id"] == id_]
        return found[0] if found else None

    def phone_node(self, g):
        found = [n for n in g["nodes"] if n.get("type") == "phone"]
        self.assertEqual(len(found), 1, g["nodes"])
        return found[0]

    def test_depth(self):
        # Groups are left out here: a group reaches all its members in one hop.
        kinds = "report,case,observable,account"
        g1 = self.graph(self.a2, node="case:" + self.case_open, depth=1, kinds=kinds)
        self.assertEqual(g1["start"], "case:" + self.case_open)
        self.assertEqual(g1["depth"], 1)
        self.assertIsNotNone(self.node(g1, "report:" + self.r_open))
        # The phone is a value of the report, not of the case: two hops away.
        self.assertFalse([n for n in g1["nodes"] if n.get("type") == "phone"])
        g2 = self.graph(self.a2, node="case:" + self.case_open, depth=2, kinds=kinds)
        phone = self.phone_node(g2)
        self.assertEqual(phone["kind"], "account")
        self.assertTrue(phone["id"].startswith("account:"))
        self.assertIsNone(self.node(g2, "report:" + self.r_st))
        self.assertIn({"source": "report:" + self.r_open, "target": phone["id"], "kind": "has"},
                      [{k: e[k] for k in ("source", "target", "kind")} for e in g2["edges"]])
        g3 = self.graph(self.a2, node="case:" + self.case_open, depth=3, kinds=kinds)
        st = self.node(g3, "report:" + self.r_st)
        self.assertIsNotNone(st)
        self.assertEqual(st["label"][:1], "R")
        self.assertEqual(st["time"], "2026-05-20T01:00:00Z")
        # Every edge joins two nodes of the answer.
        ids = {n["id"] for n in g3["nodes"]}
        for e in g3["edges"]:
            self.assertIn(e["source"], ids)
            self.assertIn(e["target"], ids)

    def test_restricted_case_is_not_expanded(self):
        g = self.graph(self.a2, node="case:" + self.case_open, depth=3, limit=1000)
        phone = self.phone_node(g)
        body = json.dumps(g, ensure_ascii=False)
        # The unit-scoped case holds the phone: one restricted node off the phone, held by
        # サイバー捜査課, with nothing that names it.
        rs = [n for n in g["nodes"] if n.get("restricted")
              and any(e["source"] == n["id"] and e["target"] == phone["id"] for e in g["edges"])]
        self.assertEqual(len(rs), 1, g["nodes"])
        r = rs[0]
        self.assertEqual(r["kind"], "case")
        self.assertEqual(r["unit"]["name"], self.unit1)
        self.assertTrue(r["id"].startswith("restricted:"))
        self.assertNotIn(self.case_secret, body)
        self.assertNotIn("秘匿事案", body)
        self.assertIsNone(r["time"])
        # Not walked through: its only edge is to the phone, and its second value never shows.
        self.assertEqual([e for e in g["edges"] if r["id"] in (e["source"], e["target"])],
                         [e for e in g["edges"] if e["source"] == r["id"]
                          and e["target"] == phone["id"]])
        self.assertNotIn("graph-secret-%d" % PID, body)
        # The holder sees the case and its secret value.
        g = self.graph(self.a1, node="account:" + phone["id"].split(":", 1)[1], depth=2)
        self.assertIsNotNone(self.node(g, "case:" + self.case_secret))
        self.assertIn("graph-secret-%d" % PID, json.dumps(g, ensure_ascii=False))

    def test_station_sees_only_what_it_may_read(self):
        g = self.graph(self.st, node="report:" + self.r_st, depth=3, limit=1000)
        body = json.dumps(g, ensure_ascii=False)
        self.assertNotIn(self.r_open, body)
        self.assertNotIn(self.case_secret, body)
        self.assertNotIn(self.case_open, body)
        self.assertNotIn("graph-open-%d" % PID, body)
        self.assertNotIn("graph-secret-%d" % PID, body)
        self.assertTrue([n for n in g["nodes"] if n.get("restricted")])
        for n in g["nodes"]:
            if n.get("restricted"):
                self.assertEqual(set(n), {"id", "kind", "restricted", "unit", "label", "type",
                                          "time"}, n)
        # Starting from a case it may not read is refused; groups are for analysts.
        self.graph(self.st, status=403, node="case:" + self.case_open)
        partner = self.srv.client("partner", 0)
        self.graph(partner, status=403, node="report:" + self.r_st)

    def test_group_nodes(self):
        r = self.a2.get("/api/v1/groups")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        # The list gives confirmed groups first (the demo confirms one), then candidates; both
        # are group nodes.
        confirmed = [x for x in items if x.get("confirmed")]
        candidates = [x for x in items if not x.get("confirmed")]
        self.assertTrue(confirmed and candidates, [x["id"] for x in items])
        self.assertEqual(items[0], confirmed[0])
        for group in (confirmed[0], candidates[0]):
            with self.subTest(group=group["id"]):
                members = [m for m in group["members"] if not m.get("restricted")]
                g = self.graph(self.a2, node="group:" + group["id"], depth=1, limit=1000)
                self.assertEqual(g["nodes"][0]["kind"], "group")
                self.assertEqual(g["nodes"][0]["members"], len(group["members"]))
                got = {n["id"] for n in g["nodes"][1:] if not n.get("restricted")}
                self.assertEqual(got, {"%s:%s" % (m["kind"], m["id"]) for m in members})
                # A member reaches its group in one hop; stations get no groups.
                m = members[0]
                g = self.graph(self.a2, node="%s:%s" % (m["kind"], m["id"]), depth=1,
                               kinds="group")
                self.assertIsNotNone(self.node(g, "group:" + group["id"]))
                self.graph(self.st, status=403, node="group:" + group["id"])
        # A confirmed group carries its name, aliases and actor, and is there by default; a
        # candidate only when groups are asked for.
        first = self.graph(self.a2, node="group:" + confirmed[0]["id"], depth=1)["nodes"][0]
        self.assertEqual(first["label"], confirmed[0]["name"])
        self.assertEqual(first["aliases"], confirmed[0]["aliases"])
        self.assertEqual(first["actor"], confirmed[0]["actor"])
        self.assertTrue(first["confirmed"])
        m = [m for m in confirmed[0]["members"] if not m.get("restricted")][0]
        g = self.graph(self.a2, node="%s:%s" % (m["kind"], m["id"]), depth=1)
        self.assertIsNotNone(self.node(g, "group:" + confirmed[0]["id"]))
        self.assertFalse([n for n in g["nodes"] if n["id"].startswith("group:cand-")])
        g = self.graph(self.a2, node="%s:%s" % (m["kind"], m["id"]), depth=1,
                       kinds="report,case")
        self.assertFalse([n for n in g["nodes"] if n["kind"] == "group"])
        # Asked for, a member's groups are exactly those of the groups page that hold it: the
        # cluster its confirmed group took is not drawn a second time as a candidate.
        for x in items[:5]:
            for m in [m for m in x["members"] if not m.get("restricted")][:2]:
                want = {"group:" + y["id"] for y in items
                        if any(z.get("id") == m["id"] for z in y["members"])}
                g = self.graph(self.a2, node="%s:%s" % (m["kind"], m["id"]), depth=1,
                               kinds="group")
                self.assertEqual({n["id"] for n in g["nodes"] if n["kind"] == "group"}, want)

    def test_confirmed_group_need_to_know(self):
        # sousa1 confirms a group of its unit-scoped case and sousa2's open report: sousa2 sees
        # the group with the case as a restricted member (held by サイバー捜査課), nothing more,
        # and is led from its own report through the group to that restricted node.
        r = self.a1.post("/api/v1/groups/confirm", {
            "name": "グラフ試験 確定グループ %d" % PID, "aliases": ["試験団"],
            "members": [{"kind": "case", "id": self.case_secret},
                        {"kind": "report", "id": self.r_open}]})
        self.assertEqual(r.status, 201, r)
        gid = r.json["id"]
        try:
            g = self.graph(self.a2, node="group:" + gid, depth=1)
            self.assertEqual(g["nodes"][0]["label"], "グラフ試験 確定グループ %d" % PID)
            self.assertEqual(g["nodes"][0]["members"], 2)
            self.assertIsNotNone(self.node(g, "report:" + self.r_open))
            rs = [n for n in g["nodes"] if n.get("restricted")]
            self.assertEqual(len(rs), 1, g["nodes"])
            self.assertEqual(rs[0]["kind"], "case")
            self.assertEqual(rs[0]["unit"]["name"], self.unit1)
            body = json.dumps(g, ensure_ascii=False)
            self.assertNotIn(self.case_secret, body)
            self.assertNotIn("秘匿事案", body)
            # From the report, two hops: report -> group -> restricted case; never further.
            g = self.graph(self.a2, node="report:" + self.r_open, depth=3, limit=1000,
                           kinds="report,case,group")
            self.assertIsNotNone(self.node(g, "group:" + gid))
            body = json.dumps(g, ensure_ascii=False)
            self.assertNotIn(self.case_secret, body)
            self.assertNotIn("graph-secret-%d" % PID, body)
            # The holder sees its case as a member.
            g = self.graph(self.a1, node="group:" + gid, depth=1)
            self.assertIsNotNone(self.node(g, "case:" + self.case_secret))
            # The station officer who filed nothing of it gets no group node from its report.
            g = self.graph(self.st, node="report:" + self.r_st, depth=3, limit=1000)
            self.assertFalse([n for n in g["nodes"] if n["kind"] == "group"])
        finally:
            r = self.a1.patch("/api/v1/groups/" + gid, {"status": "dissolved"})
            self.assertEqual(r.status, 200, r)
        self.graph(self.a2, status=404, node="group:" + gid)

    def test_kind_and_type_filters(self):
        g = self.graph(self.a2, node="case:" + self.case_open, depth=2, types="phone")
        types = {n.get("type") for n in g["nodes"] if n["kind"] in ("observable", "account")}
        self.assertEqual(types, {"phone"})
        g = self.graph(self.a2, node="case:" + self.case_open, depth=3, kinds="case,report")
        self.assertEqual({n["kind"] for n in g["nodes"]}, {"case", "report"})
        # Without values nothing links the case to the station's report.
        self.assertIsNone(self.node(g, "report:" + self.r_st))
        g = self.graph(self.a2, node="case:" + self.case_open, depth=2, kinds="case,report,account")
        self.assertEqual({n["kind"] for n in g["nodes"]} - {"case", "report", "account"}, set())

    def test_suppressed_values_are_never_walked(self):
        # A public DNS resolver is warninglisted: two reports that both mention it are not
        # linked through it. It shows (marked) only when asked for.
        ids = []
        for i in range(2):
            r = self.a2.post("/api/v1/reports", rkserver.report_body(
                0, title="グラフ試験 DNS %d" % i,
                narrative="端末の DNS 設定が 8.8.8.8 に変更されていた（%d-%d）。" % (PID, i)))
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["id"])
        g = self.graph(self.a2, node="report:" + ids[0], depth=2, kinds="report,observable")
        self.assertFalse([n for n in g["nodes"] if n.get("value") == "8.8.8.8"], g["nodes"])
        g = self.graph(self.a2, node="report:" + ids[0], depth=2, kinds="report,observable",
                       suppressed=1)
        dns = [n for n in g["nodes"] if n.get("value") == "8.8.8.8"]
        self.assertEqual(len(dns), 1, g["nodes"])
        self.assertTrue(dns[0]["suppressed"])
        self.assertIn("public-dns-resolvers", dns[0]["suppressed_reason"])
        self.assertIsNone(self.node(g, "report:" + ids[1]))

    def test_time_window(self):
        g = self.graph(self.a2, node="case:" + self.case_open, depth=2)
        phone = self.phone_node(g)
        start = "account:" + phone["id"].split(":", 1)[1]
        both = self.graph(self.a2, node=start, depth=1)
        self.assertIsNotNone(self.node(both, "report:" + self.r_open))
        self.assertIsNotNone(self.node(both, "report:" + self.r_st))
        april = self.graph(self.a2, node=start, depth=1, **{"from": "2026-04-01"})
        self.assertIsNone(self.node(april, "report:" + self.r_open))
        self.assertIsNotNone(self.node(april, "report:" + self.r_st))
        march = self.graph(self.a2, node=start, depth=1, **{"from": "2026-03-01",
                                                            "to": "2026-04-01T00:00:00Z"})
        self.assertIsNotNone(self.node(march, "report:" + self.r_open))
        self.assertIsNone(self.node(march, "report:" + self.r_st))

    def test_truncation(self):
        full = self.graph(self.a2, node="case:" + self.case_open, depth=3, limit=1000)
        self.assertGreater(len(full["nodes"]), 3)
        g = self.graph(self.a2, node="case:" + self.case_open, depth=3, limit=3)
        self.assertTrue(g["truncated"])
        self.assertEqual(len(g["nodes"]), 3)
        self.assertEqual(g["nodes"][0]["id"], "case:" + self.case_open)

    def test_bad_parameters_name_the_parameter(self):
        node = "case:" + self.case_open
        for params, field in (({}, "node"), ({"node": "nokind"}, "node"),
                              ({"node": "planet:1"}, "node"), ({"node": "case:"}, "node"),
                              ({"node": node, "depth": "0"}, "depth"),
                              ({"node": node, "depth": "4"}, "depth"),
                              ({"node": node, "depth": "x"}, "depth"),
                              ({"node": node, "limit": "0"}, "limit"),
                              ({"node": node, "limit": "1001"}, "limit"),
                              ({"node": node, "kinds": "case,planet"}, "kinds"),
                              ({"node": node, "kinds": ","}, "kinds"),
                              ({"node": node, "types": "phone,nosuch"}, "types"),
                              ({"node": node, "from": "yesterday"}, "from"),
                              ({"node": node, "to": "2026-13-40"}, "to"),
                              ({"node": node, "from": "2026-05-01", "to": "2026-04-01"}, "to"),
                              ({"node": node, "suppressed": "maybe"}, "suppressed")):
            with self.subTest(params=params):
                r = self.a2.get("/api/v1/graph/neighbourhood?" + urllib.parse.urlencode(params))
                self.assertEqual(r.status, 422, r)
                self.assertEqual(r.error["field"], field, r)
        self.graph(self.a2, status=404, node="case:00000000-0000-4000-8000-000000000000")
        self.graph(self.a2, status=404, node="group:cand-nosuch")


if __name__ == "__main__":
    unittest.main(verbosity=2)
