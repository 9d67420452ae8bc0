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
        group = g["items"][0]
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
        human = rkserver.run("correlate", "--db", self.db, "--" + kind, member["id"]).stdout
        self.assertIn(top["explanation"], human)
        # The tie value finds the group's members.
        tie = group["ties"][0]
        v = json.loads(rkserver.run("correlate", "--db", self.db, "--value", tie["value"],
                                    "--type", tie["type"], "--json").stdout)
        self.assertGreaterEqual(len(v["items"]), 2)
        # A public resolver links nothing and says why.
        p = rkserver.run("correlate", "--db", self.db, "--value", "8.8.8.8").stdout
        self.assertIn("in warninglist 'public-dns-resolvers'", p)


if __name__ == "__main__":
    rkserver.main()
