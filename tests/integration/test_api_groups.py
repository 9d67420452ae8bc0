"""Groups end to end over HTTP (server/api-groups.c, lib/model/group-service.c): an analyst
confirms a candidate group by its members, a new report sharing its phone number is flagged, the
flag is acknowledged by adding the report, members are split off and merged back, an actor is
linked, and the group is dissolved. Need-to-know: a member or flagged report the caller may not
read shows only as restricted; stations, partners and admins are refused.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


def ref(kind, id_):
    return {"kind": kind, "id": id_}


class GroupsApiTest(unittest.TestCase):
    """Reports of one fictional fraud ring share a phone number and a mule bank account."""

    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.a1 = cls.srv.client("analyst", 0)   # サイバー捜査課
        cls.a2 = cls.srv.client("analyst", 1)   # サイバー攻撃対策課
        cls.unit1 = cls.srv.login_of("analyst", 0)["unit"]
        pid = os.getpid() % 1000
        cls.phone = "080-6%03d-7788" % pid
        cls.narr = ("%s から電話があり、架空の未払い料金を請求された。振込先は hxxps://grp-test-%d[.]xyz/pay"
                    " に表示された。" % (cls.phone, pid))
        cls.r1 = cls.file(cls.a1, "捜査課のみ閲覧の通報", scope="unit")
        cls.r2 = cls.file(cls.a2, "架空請求 1")
        cls.r3 = cls.file(cls.a2, "架空請求 2")

    @classmethod
    def file(cls, client, title, **over):
        r = client.post("/api/v1/reports", rkserver.report_body(
            0, title=title, narrative=cls.narr, **over))
        assert r.status == 201, r
        return r.json["id"]

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json

    def member_ids(self, g):
        return {m.get("id") for m in g["members"] if not m.get("restricted")}

    def bad(self, r, field, status=(400, 422)):
        if isinstance(status, int):
            status = (status,)
        self.assertIn(r.status, status, r)
        self.assertEqual(r.error["field"], field, r)

    def confirm(self, name, ids):
        return self.ok(self.a2.post("/api/v1/groups/confirm", {
            "name": name, "members": [ref("report", i) for i in ids]}), 201)

    def test_lifecycle(self):
        # A candidate ties the three reports; a2 reads two of them, a1's is restricted.
        items = self.ok(self.a2.get("/api/v1/groups"))["items"]
        cand = [g for g in items if self.r2 in self.member_ids(g)]
        self.assertEqual(len(cand), 1, items)
        self.assertEqual(cand[0]["status"], "candidate")
        self.assertTrue(cand[0]["id"].startswith("cand-"))
        self.assertEqual(self.member_ids(cand[0]), {self.r2, self.r3})
        self.assertTrue([m for m in cand[0]["members"] if m.get("restricted")])

        # Confirm by members, with a name.
        g = self.confirm("架空請求グループ（試験）", [self.r2, self.r3])
        gid = g["id"]
        self.assertEqual(g["status"], "confirmed")
        self.assertEqual(g["name"], "架空請求グループ（試験）")
        self.assertEqual(self.member_ids(g), {self.r2, self.r3})
        self.assertTrue(all(m["added_how"] == "candidate" for m in g["members"]))
        self.assertIn("phone", {t["type"] for t in g["ties"]}, g["ties"])
        self.assertEqual(g["flags_open"], 0)
        # Listed as confirmed, first; no candidate repeats it.
        items = self.ok(self.a2.get("/api/v1/groups"))["items"]
        self.assertEqual(items[0]["status"], "confirmed")
        mine = [x for x in items if self.r2 in self.member_ids(x)]
        self.assertEqual([x["id"] for x in mine], [gid], mine)

        # A new report sharing the phone number is flagged; the group itself does not change.
        r4 = self.file(self.a2, "後から届いた架空請求")
        fl = self.ok(self.a2.get("/api/v1/groups/%s/flags" % gid))
        self.assertEqual(fl["open"], 1, fl)
        f = fl["items"][0]
        self.assertEqual(f["object"]["id"], r4)
        self.assertEqual(f["status"], "open")
        self.assertEqual(f["group"]["id"], gid)
        # The first of r4's values a member holds: the phone, the URL or its host.
        self.assertIn(f["shared"]["type"], ("phone", "url", "domain"), f)
        self.assertTrue(self.phone.replace("-", "")[1:] in f["shared"]["value"] or
                        "grp-test-" in f["shared"]["value"], f)
        overall = self.ok(self.a2.get("/api/v1/groups/flags"))["items"]
        self.assertIn(f["id"], [x["id"] for x in overall])
        g = self.ok(self.a2.get("/api/v1/groups/" + gid))
        self.assertEqual(self.member_ids(g), {self.r2, self.r3})
        self.assertEqual(g["flags_open"], 1)
        # A second look flags nothing twice.
        self.assertEqual(self.ok(self.a2.get("/api/v1/groups/%s/flags" % gid))["open"], 1)

        # A report a2 may not read is flagged as restricted: no id, no value.
        r5 = self.file(self.a1, "捜査課のみ閲覧の後続通報", scope="unit")
        fl = self.ok(self.a2.get("/api/v1/groups/%s/flags" % gid))["items"]
        rs = [x for x in fl if x["object"].get("restricted")]
        self.assertEqual(len(rs), 1, fl)
        self.assertEqual(set(rs[0]["object"]), {"restricted", "kind", "unit"})
        self.assertEqual(rs[0]["object"]["unit"]["name"], self.unit1)
        self.assertNotIn("shared", rs[0])
        self.assertNotIn(r5, json.dumps(fl))
        # a1 sees it in full.
        fl1 = self.ok(self.a1.get("/api/v1/groups/%s/flags" % gid))["items"]
        self.assertIn(r5, [x["object"].get("id") for x in fl1])
        # ... and may not be added by a2.
        r = self.a2.post("/api/v1/groups/%s/flags/%s" % (gid, rs[0]["id"]), {"action": "add"})
        self.assertEqual(r.status, 403, r)

        # Acknowledge by adding the object: it becomes a member.
        f2 = self.ok(self.a2.post("/api/v1/groups/%s/flags/%s" % (gid, f["id"]),
                                  {"action": "add"}))
        self.assertEqual(f2["status"], "added")
        r = self.a2.post("/api/v1/groups/%s/flags/%s" % (gid, f["id"]), {"action": "acknowledge"})
        self.assertEqual(r.status, 409, r)
        g = self.ok(self.a2.get("/api/v1/groups/" + gid))
        self.assertEqual(self.member_ids(g), {self.r2, self.r3, r4})
        self.assertEqual(g["flags_open"], 1)  # the restricted one stays open
        ack = self.ok(self.a1.post("/api/v1/groups/%s/flags/%s" % (gid, rs[0]["id"]),
                                   {"action": "acknowledge"}))
        self.assertEqual(ack["status"], "acknowledged")
        self.assertEqual(self.ok(self.a2.get("/api/v1/groups/%s/flags" % gid))["open"], 0)

        # a1 adds its own report by hand; a2 sees that member only as restricted.
        g = self.ok(self.a1.post("/api/v1/groups/%s/members" % gid,
                                 {"add": [ref("report", self.r1)]}))
        self.assertIn(self.r1, self.member_ids(g))
        g = self.ok(self.a2.get("/api/v1/groups/" + gid))
        rm = [m for m in g["members"] if m.get("restricted")]
        self.assertEqual(len(rm), 1, g["members"])
        self.assertEqual(set(rm[0]), {"restricted", "kind", "unit"})
        self.assertEqual(rm[0]["unit"]["name"], self.unit1)
        self.assertNotIn(self.r1, json.dumps(g))
        self.assertEqual(g["member_count"], 4)

        # Split r4 off into a new group, then merge it back.
        sp = self.ok(self.a2.post("/api/v1/groups/%s/split" % gid, {
            "name": "分派（試験）", "members": [ref("report", r4)]}), 201)
        self.assertEqual(self.member_ids(sp["to"]), {r4})
        self.assertEqual(sp["to"]["members"][0]["added_how"], "split")
        self.assertNotIn(r4, self.member_ids(sp["from"]))
        other = sp["to"]["id"]
        mg = self.ok(self.a2.post("/api/v1/groups/%s/merge" % gid, {"group_id": other}))
        self.assertIn(r4, self.member_ids(mg))
        self.assertIn("分派（試験）", mg["aliases"])
        gone = self.ok(self.a2.get("/api/v1/groups/" + other))
        self.assertEqual(gone["status"], "dissolved")
        self.assertEqual(gone["merged_into"], gid)
        r = self.a2.post("/api/v1/groups/%s/merge" % gid, {"group_id": other})
        self.assertEqual(r.status, 409, r)

        # Rename, aliases, an actor record linked and unlinked.
        act = self.ok(self.a2.post("/api/v1/actors", {
            "name_ja": "架空請求集団「試験」", "name_en": "Test Billing Ring",
            "aliases": ["TBR"]}), 201)
        g = self.ok(self.a2.patch("/api/v1/groups/" + gid, {
            "name": "架空請求グループ甲", "aliases": ["甲", "Group-A"], "actor_id": act["id"]}))
        self.assertEqual(g["name"], "架空請求グループ甲")
        self.assertEqual(g["aliases"], ["甲", "Group-A"])
        self.assertEqual(g["actor"]["id"], act["id"])
        a = self.ok(self.a2.get("/api/v1/actors/" + act["id"]))
        self.assertEqual([x["id"] for x in a["groups"]], [gid])
        self.assertIn(act["id"], [x["id"] for x in self.ok(self.a2.get("/api/v1/actors"))["items"]])
        a = self.ok(self.a2.patch("/api/v1/actors/" + act["id"], {"notes": "試験用のメモ"}))
        self.assertEqual(a["notes"], "試験用のメモ")
        g = self.ok(self.a2.patch("/api/v1/groups/" + gid, {"actor_id": None}))
        self.assertIsNone(g["actor"])

        # Dissolve: it leaves the list, and a dissolved group takes no more changes.
        g = self.ok(self.a2.patch("/api/v1/groups/" + gid, {"status": "dissolved"}))
        self.assertEqual(g["status"], "dissolved")
        r = self.a2.patch("/api/v1/groups/" + gid, {"name": "x"})
        self.assertEqual(r.status, 409, r)
        items = self.ok(self.a2.get("/api/v1/groups"))["items"]
        self.assertNotIn(gid, [x["id"] for x in items])

    def test_demo_group_and_cli(self):
        # The demo confirms one fictional group, with an actor record; the CLI lists it first.
        items = self.ok(self.a1.get("/api/v1/groups"))["items"]
        demo = [g for g in items if g.get("name") == "架空請求グループ「さくら」（デモ）"]
        self.assertEqual(len(demo), 1, [g.get("name") for g in items])
        self.assertEqual(demo[0]["actor"]["name_ja"], "架空請求集団「さくら」（デモ）")
        self.assertGreaterEqual(demo[0]["member_count"], 2)
        self.assertTrue(demo[0]["ties"])
        self.assertTrue([g for g in items if g["status"] == "candidate"])
        out = rkserver.run("groups", "--db", self.srv.db).stdout
        self.assertIn("架空請求グループ「さくら」（デモ）", out)
        self.assertIn("aliases: さくらペイ, Sakura (demo)", out)
        j = json.loads(rkserver.run("groups", "--db", self.srv.db, "--json").stdout)
        self.assertTrue(j["items"][0]["confirmed"])

    def test_cli_confirm(self):
        tmp = tempfile.mkdtemp(prefix="rk-groups-cli-")
        try:
            db, _ = rkserver.demo_db(tmp)
            j = json.loads(rkserver.run("groups", "--db", db, "--json").stdout)
            cand = [g for g in j["items"] if not g["confirmed"]][-1]
            refs = [m["ref"] for m in cand["members"]]
            p = rkserver.run("groups", "confirm", "--db", db, "--name", "CLI で確定", *refs)
            self.assertIn("CLI で確定", p.stdout)
            self.assertIn("(%d members)" % len(refs), p.stdout)
            out = rkserver.run("groups", "--db", db).stdout
            self.assertIn('"CLI で確定" (confirmed, %d members' % len(refs), out)
            p = rkserver.run("groups", "confirm", "--db", db, "--name", "x", "R2099-000001",
                             check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("no such report: members[0].ref", p.stderr)
            for args in (["confirm", "--db", db, refs[0]], ["confirm", "--db", db, "--name", "x"],
                         ["confirm", "--db", db, "--name", "x", "--nope", refs[0]]):
                p = rkserver.run("groups", *args, check=False)
                self.assertEqual(p.returncode, 2, args)
                self.assertIn("usage", p.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_refusals(self):
        for role in ("station", "partner", "admin"):
            c = self.srv.client(role)
            for method, path, body in (
                    ("GET", "/api/v1/groups", None), ("GET", "/api/v1/groups/flags", None),
                    ("POST", "/api/v1/groups/confirm",
                     {"name": "x", "members": [ref("report", self.r2)]}),
                    ("GET", "/api/v1/actors", None),
                    ("POST", "/api/v1/actors", {"name_ja": "x"})):
                with self.subTest(role=role, path=path):
                    r = c.request(method, path, body=body)
                    self.assertEqual(r.status, 403, r)
                    self.assertEqual(r.error["code"], "forbidden")

    def test_bad_input_names_the_field(self):
        missing = "00000000-0000-4000-8000-000000000000"
        for body, field in (
                ({"members": [ref("report", self.r2)]}, "name"),
                ({"name": "", "members": [ref("report", self.r2)]}, "name"),
                ({"name": "x"}, "members"),
                ({"name": "x", "members": []}, "members"),
                ({"name": "x", "members": [{"kind": "sighting", "id": self.r2}]},
                 "members[0].kind"),
                ({"name": "x", "members": [ref("report", "nope")]}, "members[0].id"),
                ({"name": "x", "members": [ref("report", self.r2), ref("case", missing)]},
                 "members[1].id"),
                ({"name": "x", "members": [ref("report", self.r2)], "colour": "red"}, "colour"),
                ({"name": "x", "members": [ref("report", self.r2)], "aliases": "a"}, "aliases"),
                ({"name": "x", "members": [ref("report", self.r2)], "aliases": ["ok", 3]},
                 "aliases[1]"),
                ({"name": "x", "members": [ref("report", self.r2)], "tlp": "PINK"}, "tlp"),
                ({"name": "x", "members": [ref("report", self.r2)], "actor_id": missing},
                 "actor_id")):
            with self.subTest(body=body):
                self.bad(self.a2.post("/api/v1/groups/confirm", body), field)
        # a2 may not name a report it cannot read.
        r = self.a2.post("/api/v1/groups/confirm", {"name": "x", "members": [ref("report", self.r1)]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error["field"], "members[0].id")
        self.assertEqual(self.a2.get("/api/v1/groups/" + missing).status, 404)
        self.assertEqual(self.a2.get("/api/v1/actors/" + missing).status, 404)
        self.bad(self.a2.get("/api/v1/groups/flags?status=closed"), "status")
        self.bad(self.a2.post("/api/v1/actors", {"name_en": "only English"}), "name_ja")
        # Nothing was written by any of the above.
        names = [g.get("name") for g in self.ok(self.a2.get("/api/v1/groups"))["items"]]
        self.assertNotIn("x", names)

    def test_split_and_members_rules(self):
        extra = self.file(self.a2, "分割規則の試験")
        g = self.confirm("規則試験グループ", [self.r3, extra])
        gid = g["id"]
        self.bad(self.a2.post("/api/v1/groups/%s/split" % gid, {
            "name": "全部", "members": [ref("report", self.r3), ref("report", extra)]}), "members")
        self.bad(self.a2.post("/api/v1/groups/%s/split" % gid, {
            "name": "外", "members": [ref("report", self.r2)]}), "members[0].id")
        self.bad(self.a2.post("/api/v1/groups/%s/members" % gid, {
            "remove": [ref("report", self.r3), ref("report", extra)]}), "remove")
        self.bad(self.a2.post("/api/v1/groups/%s/members" % gid, {}), "add")
        self.bad(self.a2.post("/api/v1/groups/%s/merge" % gid, {"group_id": gid}), "group_id")
        g = self.ok(self.a2.post("/api/v1/groups/%s/members" % gid,
                                 {"remove": [ref("report", extra)]}))
        self.assertEqual(self.member_ids(g), {self.r3})
        self.ok(self.a2.patch("/api/v1/groups/" + gid, {"status": "dissolved"}))


if __name__ == "__main__":
    rkserver.main()
