"""The correlation index kept in the store (tables corr_*, migration 0011), end to end:
`renkei correlate --rebuild` killed with SIGKILL half-way resumes to exactly the tables and
answers of an uninterrupted rebuild; `renkei serve` loads the tables at its first correlation
query instead of rebuilding them, writes new reports into them, and after a kill -9 and a
restart answers the same without a rebuild.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

# The tables without their row numbers: per object its unit, narrative signature and sorted
# "type=value/relation" list. Equal dumps mean equal indexes.
DUMP_SQL = """
SELECT o.kind, o.object_id, o.unit_id, hex(o.sig),
       (SELECT group_concat(x, ',') FROM (
          SELECT v.type || '=' || v.value || '/' || p.rel AS x
          FROM corr_posting p JOIN corr_value v USING (value_id)
          WHERE p.obj = o.obj ORDER BY x))
FROM corr_object o ORDER BY o.kind, o.object_id
"""


def dump(db):
    with sqlite3.connect(db) as c:
        return c.execute(DUMP_SQL).fetchall()


def state(db):
    with sqlite3.connect(db) as c:
        return dict(c.execute("SELECT name, value FROM corr_state"))


def scalar(db, sql, *args):
    with sqlite3.connect(db) as c:
        return c.execute(sql, args).fetchone()[0]


class StoreIndexTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="rk-corrstore-")
        cls.db = os.path.join(cls.tmp, "renkei.db")
        # Enough reports for several committed batches of 512 objects.
        out = rkserver.run("demo", "--db", cls.db, "--reports", "3000", "--json").stdout
        cls.logins = rkserver.parse_logins(out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_1_kill9_mid_rebuild_resumes_to_a_clean_rebuild(self):
        p = subprocess.Popen([rkserver.BIN, "correlate", "--db", self.db, "--rebuild"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        done = total = 0
        for line in p.stderr:
            m = re.search(r"indexing: (\d+) of (\d+) reports and cases, \d+/s", line)
            if m and 0 < int(m.group(1)) < int(m.group(2)):
                done, total = int(m.group(1)), int(m.group(2))
                p.send_signal(signal.SIGKILL)
                break
        p.wait()
        p.stdout.close()
        p.stderr.close()
        self.assertEqual(p.returncode, -signal.SIGKILL, "the rebuild ended before the kill")
        st = state(self.db)
        self.assertEqual((st["rebuilding"], st["complete"]), (1, 0))
        committed = scalar(self.db, "SELECT count(*) FROM corr_object")
        self.assertGreaterEqual(committed, done)
        self.assertLess(committed, total)

        r = rkserver.run("correlate", "--db", self.db, "--rebuild")
        self.assertIn("resuming an interrupted rebuild after %d objects" % committed, r.stderr)
        self.assertRegex(r.stdout, r"index: %d reports and cases" % total)
        resumed = dump(self.db)
        ref = scalar(self.db, "SELECT ref FROM reports ORDER BY rowid LIMIT 1 OFFSET 1500")
        a1 = json.loads(rkserver.run("correlate", "--db", self.db, "--report", ref,
                                     "--json").stdout)
        self.assertTrue(a1["items"])

        j = json.loads(rkserver.run("correlate", "--db", self.db, "--rebuild", "--json").stdout)
        self.assertEqual(j["resumed"], 0)
        self.assertEqual(j["objects"], total)
        clean = dump(self.db)
        self.assertEqual(len(clean), total)
        self.assertEqual(resumed, clean)
        a2 = json.loads(rkserver.run("correlate", "--db", self.db, "--report", ref,
                                     "--json").stdout)
        self.assertEqual(a1["items"], a2["items"])
        st = state(self.db)
        self.assertEqual((st["rebuilding"], st["complete"]), (0, 1))

    def test_2_server_loads_the_tables_and_keeps_them(self):
        gen = state(self.db)["generation"]
        self.assertGreater(gen, 0)
        objects = scalar(self.db, "SELECT count(*) FROM corr_object")
        srv = rkserver.Server(db=self.db)
        srv.logins = self.logins
        try:
            a = srv.client("analyst", 0)
            phone = "090-6%03d-8765" % (os.getpid() % 1000)
            ids = []
            for i in range(2):
                r = a.post("/api/v1/reports", rkserver.report_body(
                    i, title="保存索引テスト %d" % i,
                    narrative="SMS で %s から連絡があった。" % phone))
                self.assertEqual(r.status, 201, r)
                ids.append(r.json["id"])
            r = a.get("/api/v1/reports/%s/related" % ids[0])
            self.assertEqual(r.status, 200, r)
            self.assertIn(ids[1], [i.get("id") for i in r.json["items"]])
            # Loaded, not rebuilt (a rebuild bumps the generation); the new reports are rows.
            st = state(self.db)
            self.assertEqual(st["generation"], gen)
            self.assertEqual(st["complete"], 1)
            self.assertEqual(scalar(self.db, "SELECT count(*) FROM corr_object"), objects + 2)
            self.assertEqual(scalar(
                self.db, "SELECT count(*) FROM corr_posting JOIN corr_value USING (value_id)"
                " WHERE type = 'phone' AND value = ?", "+81" + phone.replace("-", "")[1:]), 2)
            self.assertGreaterEqual(st["audit_seq"], scalar(
                self.db, "SELECT max(seq) FROM audit WHERE object_id = ? AND action <> 'read'",
                ids[1]))

            srv.kill9()
            srv.start()
            a = srv.client("analyst", 0)
            r = a.get("/api/v1/reports/%s/related" % ids[0])
            self.assertEqual(r.status, 200, r)
            self.assertIn(ids[1], [i.get("id") for i in r.json["items"]])
            self.assertEqual(state(self.db)["generation"], gen)
        finally:
            srv.close()


if __name__ == "__main__":
    rkserver.main()
