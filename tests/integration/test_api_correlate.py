"""Correlation end to end: `renkei correlate` / `renkei groups` on a demo database, and the HTTP
routes of server/api-correlate.c with the need-to-know rule on every path that reveals a link
(a station officer and an analyst of another unit see only "restricted, held by X").
"""
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


class CorrelateCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="rk-corr-cli-")
        cls.db, _ = rkserver.demo_db(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_help_and_usage(self):
        for verb in ("correlate", "groups"):
            p = rkserver.run(verb, "--help")
            self.assertIn("usage: renkei " + verb, p.stdout)
        for args in (["correlate"], ["correlate", "--db", self.db],
                     ["correlate", "--db", self.db, "--report", "a", "--case", "b"],
                     ["correlate", "--db", self.db, "--rebuild", "--value", "8.8.8.8"],
                     ["correlate", "--db", self.db, "--type", "ipv4"],
                     ["correlate", "--db", self.db, "--nope"], ["groups"],
                     ["groups", "--db", self.db, "--nope"]):
            with self.subTest(args=args):
                p = rkserver.run(*args, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("usage", p.stderr)

    def test_bad_input_names_what_was_wrong(self):
        for args, word in ((["--value", "not a value"], "value"),
                           (["--value", "8.8.8.8", "--type", "nosuch"], "type"),
                           (["--report", "00000000-0000-4000-8000-000000000000"], "no such report"),
                           (["--case", "x"], "no such case")):
            with self.subTest(args=args):
                p = rkserver.run("correlate", "--db", self.db, *args, check=False)
                self.assertEqual(p.returncode, 1)
                self.assertIn(word, p.stderr)

    def test_rebuild_is_idempotent_with_progress(self):
        a = rkserver.run("correlate", "--db", self.db, "--rebuild")
        self.assertIn("indexing:", a.stderr)
        j1 = json.loads(rkserver.run("correlate", "--db", self.db, "--rebuild", "--json").stdout)
        j2 = json.loads(rkserver.run("correlate", "--db", self.db, "--rebuild", "--json").stdout)
        self.assertEqual(j1, j2)
        self.assertGreater(j1["objects"], 100)
        self.assertGreater(j1["warninglists"], 0)

    def test_report_value_and_groups(self):
        g = json.loads(rkserver.run("groups", "--db", self.db, "--json").stdout)
        self.assertTrue(g["items"])
        # Confirmed groups come first (the demo confirms one); take the first candidate.
        group = [x for x in g["items"] if not x["confirmed"]][0]
        self.assertEqual(group["status"], "candidate")
        self.assertTrue(group["ties"])
        member = group["members"][0]
        kind = member["kind"]
        r = json.loads(rkserver.run("correlate", "--db", self.db, "--" + kind, member["id"],
                                    "--json").stdout)
        self.assertEqual(r["of"], {"kind": kind, "id": member["id"]})
        self.assertTrue(r["items"])
        top = r["items"][0]
        self.assertGreater(top["score"], 0)
        self.assertTrue(top["explanation"])
        self.assertTrue(top["shared"])
        human = rkserver.run("correlate", "--db", self.db, "--" + kind, member["ref"]).stdout
        self.assertIn(top["explanation"], human)
        # The tie value finds the group's members.
        tie = group["ties"][0]
        v = json.loads(rkserver.run("correlate", "--db", self.db, "--value", tie["value"],
                                    "--type", tie["type"], "--json").stdout)
        self.assertGreaterEqual(len(v["items"]), 2)
        # A public resolver links nothing and says why.
        p = rkserver.run("correlate", "--db", self.db, "--value", "8.8.8.8").stdout
        self.assertIn("in warninglist 'public-dns-resolvers'", p)


def restricted_only(test, item, unit_name):
    """A restricted item says only that it exists, its kind and who holds it."""
    test.assertTrue(item.get("restricted"), item)
    test.assertEqual(set(item), {"restricted", "kind", "unit", "count"}, item)
    test.assertEqual(item["unit"]["name"], unit_name, item)


class CorrelateApiTest(unittest.TestCase):
    """Three reports share a phone number and a URL: one by an analyst of サイバー捜査課 with
    scope "unit" (only that unit may read it), one by an analyst of サイバー攻撃対策課, one by
    東浜警察署. Each caller sees what it may read in full and the rest only as restricted."""

    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.a1 = cls.srv.client("analyst", 0)   # sousa1, サイバー捜査課
        cls.a2 = cls.srv.client("analyst", 1)   # sousa2, サイバー攻撃対策課
        cls.st = cls.srv.client("station", 0)   # higashihama, 東浜警察署
        cls.unit1 = cls.srv.login_of("analyst", 0)["unit"]
        cls.unit2 = cls.srv.login_of("analyst", 1)["unit"]
        cls.unit_st = cls.srv.login_of("station", 0)["unit"]
        cls.phone = "090-7%03d-4321" % (os.getpid() % 1000)
        narrative = ("SMS で %s から連絡、hxxps://corr-test-%d[.]xyz/login に誘導された。"
                     % (cls.phone, os.getpid()))

        def file(client, title, **over):
            r = client.post("/api/v1/reports", rkserver.report_body(
                0, title=title, narrative=narrative, **over))
            assert r.status == 201, r
            return r.json["id"]

        cls.r1 = file(cls.a1, "捜査課のみ閲覧の通報", scope="unit")
        cls.r2 = file(cls.a2, "攻撃対策課の通報")
        cls.r3 = file(cls.st, "東浜署の通報")
        r = cls.a2.post("/api/v1/cases", {"title": "相関テスト事案", "report_ids": [cls.r2]})
        assert r.status == 201, r
        cls.case = r.json["id"]

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def items(self, client, path, status=200):
        r = client.get(path)
        self.assertEqual(r.status, status, r)
        return r.json.get("items") if status == 200 else r

    def by_id(self, items, id_):
        return [i for i in items if i.get("id") == id_]

    def restricted(self, items, unit):
        return [i for i in items if i.get("restricted") and i["unit"]["name"] == unit]

    def test_report_related_need_to_know(self):
        # The analyst of サイバー攻撃対策課: 東浜's report in full (prefecture scope), the
        # unit-scoped report of サイバー捜査課 only as restricted.
        items = self.items(self.a2, "/api/v1/reports/%s/related" % self.r2)
        hit = self.by_id(items, self.r3)
        self.assertEqual(len(hit), 1, items)
        self.assertIn(self.phone.replace("-", "")[1:], hit[0]["explanation"].replace("-", ""))
        self.assertTrue(hit[0]["shared"])
        self.assertFalse(self.by_id(items, self.r1))
        rs = self.restricted(items, self.unit1)
        self.assertEqual(len(rs), 1, items)
        restricted_only(self, rs[0], self.unit1)
        # The station: its own report's links to both analysts' reports are restricted.
        items = self.items(self.st, "/api/v1/reports/%s/related" % self.r3)
        self.assertFalse(self.by_id(items, self.r1) + self.by_id(items, self.r2))
        for unit in (self.unit1, self.unit2):
            rs = self.restricted(items, unit)
            self.assertTrue(rs, (unit, items))
            for i in rs:
                restricted_only(self, i, unit)
        body = json.dumps(items, ensure_ascii=False)
        self.assertNotIn("捜査課のみ閲覧", body)
        self.assertNotIn("攻撃対策課の通報", body)
        # The holder sees everything it may read.
        items = self.items(self.a1, "/api/v1/reports/%s/related" % self.r1)
        self.assertTrue(self.by_id(items, self.r2) and self.by_id(items, self.r3), items)

    def test_case_related_need_to_know(self):
        items = self.items(self.a2, "/api/v1/cases/%s/related" % self.case)
        self.assertTrue(self.by_id(items, self.r3), items)
        self.assertFalse(self.by_id(items, self.r1))
        restricted_only(self, self.restricted(items, self.unit1)[0], self.unit1)
        # The station may not read the case at all.
        r = self.st.get("/api/v1/cases/%s/related" % self.case)
        self.assertEqual(r.status, 403, r)

    def test_value_and_observable_related_need_to_know(self):
        q = urllib.parse.quote(self.phone)
        r = self.a2.get("/api/v1/observables/related?value=" + q)
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertTrue(self.by_id(items, self.r2) and self.by_id(items, self.r3), items)
        restricted_only(self, self.restricted(items, self.unit1)[0], self.unit1)
        oid = r.json["value"]["observable_id"]
        self.assertTrue(oid)
        for client, mine, others in ((self.a2, [self.r2, self.r3], [self.unit1]),
                                     (self.st, [self.r3], [self.unit1, self.unit2])):
            items = self.items(client, "/api/v1/observables/%s/related" % oid)
            for m in mine:
                self.assertTrue(self.by_id(items, m), items)
            for unit in others:
                restricted_only(self, self.restricted(items, unit)[0], unit)
        # A station asking about a value only others hold: forbidden, like the observable.
        other = self.a2.post("/api/v1/reports", rkserver.report_body(
            1, narrative="連絡先 hxxps://only-taisaku-%d[.]xyz/a" % os.getpid()))
        self.assertEqual(other.status, 201, other)
        r = self.st.get("/api/v1/observables/related?value=" +
                        urllib.parse.quote("https://only-taisaku-%d.xyz/a" % os.getpid()))
        self.assertEqual(r.status, 403, r)
        # Warninglisted values say why.
        r = self.a2.get("/api/v1/observables/related?value=8.8.8.8")
        self.assertEqual(r.status, 200, r)
        self.assertIn("public-dns-resolvers", r.json["suppressed"][0]["reason"])

    def test_groups_need_to_know(self):
        r = self.a2.get("/api/v1/groups")
        self.assertEqual(r.status, 200, r)
        mine = [g for g in r.json["items"] if self.by_id(g["members"], self.r2)]
        self.assertEqual(len(mine), 1)
        g = mine[0]
        self.assertTrue(self.by_id(g["members"], self.r3))
        self.assertFalse(self.by_id(g["members"], self.r1))
        rs = [m for m in g["members"] if m.get("restricted")]
        self.assertTrue(rs)
        for m in rs:
            self.assertEqual(set(m), {"restricted", "kind", "unit"}, m)
        for role in ("station", "partner", "admin"):
            r = self.srv.client(role).get("/api/v1/groups")
            self.assertEqual(r.status, 403, (role, r))

    def test_refusals_and_bad_input(self):
        partner = self.srv.client("partner")
        admin = self.srv.client("admin")
        oid = self.a2.get("/api/v1/observables/related?value=" +
                          urllib.parse.quote(self.phone)).json["value"]["observable_id"]
        paths = ["/api/v1/reports/%s/related" % self.r2, "/api/v1/cases/%s/related" % self.case,
                 "/api/v1/observables/%s/related" % oid,
                 "/api/v1/observables/related?value=8.8.8.8"]
        for client in (partner, admin):
            for p in paths:
                with self.subTest(path=p):
                    r = client.get(p)
                    self.assertEqual(r.status, 403, r)
                    self.assertEqual(r.error["code"], "forbidden")
        # Another station may not read 東浜's report, so not its links either.
        r = self.srv.client("station", 1).get("/api/v1/reports/%s/related" % self.r3)
        self.assertEqual(r.status, 403, r)
        missing = "00000000-0000-4000-8000-000000000000"
        for p in ("/api/v1/reports/%s/related", "/api/v1/cases/%s/related",
                  "/api/v1/observables/%s/related"):
            r = self.a2.get(p % missing)
            self.assertEqual(r.status, 404, r)
        for q, field in (("", "value"), ("?value=nope", "value"),
                         ("?value=8.8.8.8&type=nosuch", "type")):
            r = self.a2.get("/api/v1/observables/related" + q)
            self.assertIn(r.status, (400, 422), r)
            self.assertEqual(r.error["field"], field, r)

    def test_index_follows_writes(self):
        before = self.items(self.a2, "/api/v1/reports/%s/related" % self.r2)
        r = self.a2.post("/api/v1/reports", rkserver.report_body(
            2, title="後から来た通報", narrative="また %s から電話。" % self.phone))
        self.assertEqual(r.status, 201, r)
        after = self.items(self.a2, "/api/v1/reports/%s/related" % self.r2)
        self.assertFalse(self.by_id(before, r.json["id"]))
        self.assertTrue(self.by_id(after, r.json["id"]), after)


if __name__ == "__main__":
    rkserver.main()
