"""Exports for sensors over HTTP (server/api-exports.c) and the CLI (`renkei export`): values
planted in cases of every marking show that a partner-audience export holds only what TLP and
scope allow partners (no AMBER, AMBER+STRICT, RED, unit- or prefecture-scope value, no victim
asset), that police get AMBER but never RED or AMBER+STRICT, that case references go only with
cases the audience may see; roles (analysts and supervisors only); bad options named; each
export audited; the RPZ zone passes BIND's named-checkzone and the Suricata rules `suricata -T`
when that binary exists.
"""
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

# (title, tlp, scope, [(value, role)]) — fictional values under example.net / documentation
# address ranges.
CASES = [
    ("共有可能な攻撃基盤", "GREEN", "partners",
     [("partner-ok.example.net", "attacker_infrastructure"), ("198.51.100.7", "attacker_infrastructure"),
      ("https://partner-ok.example.net/kakuu/login", "phishing_site"),
      ("victim-planted.example.net", "victim_asset")]),
    ("公開済み", "CLEAR", "public", [("public-ok.example.net", "phishing_site")]),
    ("警察内のみ", "AMBER", "partners", [("amber-planted.example.net", "attacker_infrastructure")]),
    ("全国警察", "GREEN", "police", [("police-scope-planted.example.net", "attacker_infrastructure")]),
    ("組織内限定", "AMBER+STRICT", "police", [("strict-planted.example.net", "malware")]),
    ("秘匿", "RED", "police", [("red-planted.example.net", "malware"), ("203.0.113.66", "malware")]),
    ("所属限定", "GREEN", "unit", [("unit-planted.example.net", "attacker_infrastructure")]),
    ("県警内", "GREEN", "prefecture", [("pref-planted.example.net", "attacker_infrastructure")]),
]
NEVER_LEAVES = ["strict-planted", "red-planted", "203.0.113.66", "victim-planted"]
NOT_FOR_PARTNERS = NEVER_LEAVES + ["amber-planted", "police-scope-planted", "unit-planted",
                                   "pref-planted"]


class ExportsApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.an = cls.srv.client("analyst", 0)
        cls.refs = {}
        for title, tlp, scope, values in CASES:
            r = cls.an.post("/api/v1/cases", {"title": title, "tlp": tlp, "scope": scope})
            assert r.status == 201, r
            cls.refs[title] = r.json["ref"]
            for v, role in values:
                r2 = cls.an.post("/api/v1/cases/%s/observables" % r.json["id"],
                                 {"value": v, "role": role})
                assert r2.status in (200, 201), r2

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def export(self, fmt, client=None, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        return (client or self.an).get("/api/v1/exports/%s?%s" % (fmt, qs))

    def text(self, fmt, **q):
        r = self.export(fmt, **q)
        self.assertEqual(r.status, 200, r)
        return r.raw.decode("utf-8"), r

    def test_partners_get_only_what_partners_may(self):
        seen = []
        for fmt, q in [("zeek-intel", {}), ("rpz", {}), ("suricata-rules", {}),
                       ("blocklist", {"type": "domain"}), ("blocklist", {"type": "url"}),
                       ("blocklist", {"type": "ipv4"}), ("suricata-datasets", {"type": "domain"}),
                       ("suricata-datasets", {"type": "ipv4"})]:
            body, r = self.text(fmt, audience="partners", **q)
            if fmt == "suricata-datasets" and q["type"] == "domain":
                body = "\n".join(base64.b64decode(l).decode() for l in body.split())
            for planted in NOT_FOR_PARTNERS:
                self.assertNotIn(planted, body, "%s %s" % (fmt, q))
            seen.append(body)
        zeek = seen[0]
        self.assertIn("partner-ok.example.net\tIntel::DOMAIN\trenkei\tTLP:GREEN %s\t-"
                      % self.refs["共有可能な攻撃基盤"], zeek)
        self.assertIn("partner-ok.example.net/kakuu/login\tIntel::URL", zeek)
        self.assertIn("198.51.100.7\tIntel::ADDR", zeek)
        self.assertIn("public-ok.example.net\tIntel::DOMAIN\trenkei\tTLP:CLEAR", zeek)
        self.assertIn("partner-ok.example.net\n", seen[3])
        self.assertIn("partner-ok.example.net\n", seen[6])
        self.assertIn("198.51.100.7\n", seen[7])

    def test_police_and_public(self):
        body, r = self.text("blocklist", audience="police", type="domain")
        for planted in NEVER_LEAVES + ["unit-planted", "pref-planted"]:
            self.assertNotIn(planted, body)
        for ok in ["amber-planted", "police-scope-planted", "partner-ok", "public-ok"]:
            self.assertIn(ok + ".example.net\n", body)
        self.assertEqual(int(r.headers["x-renkei-count"]), len(body.splitlines()))
        self.assertIn('filename="blocklist-domain.txt"', r.headers["content-disposition"])
        body, _ = self.text("blocklist", audience="public", type="domain")
        self.assertIn("public-ok.example.net\n", body)
        self.assertNotIn("partner-ok", body)
        body, _ = self.text("blocklist", audience="police", type="domain", tlp_max="GREEN")
        self.assertNotIn("amber-planted", body)
        self.assertIn("police-scope-planted.example.net\n", body)

    def test_rpz_passes_named_checkzone(self):
        body, _ = self.text("rpz", audience="police")
        self.assertIn("amber-planted.example.net CNAME .", body)
        self.assertIn("*.amber-planted.example.net CNAME .", body)
        self.assertIn("32.7.100.51.198.rpz-ip CNAME .", body)
        checker = shutil.which("named-checkzone")
        if checker is None:
            self.fail("named-checkzone is missing: install bind9-utils "
                      "(scripts/packages.d/50-sweepexport.txt)")
        with tempfile.NamedTemporaryFile("w", suffix=".rpz", delete=False) as f:
            f.write(body)
        try:
            p = subprocess.run([checker, "rpz.renkei.test", f.name], capture_output=True,
                               text=True)
        finally:
            os.unlink(f.name)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_suricata_accepts_the_rules(self):
        suricata = shutil.which("suricata")
        if suricata is None:
            self.skipTest("suricata is not installed: Debian 12 (bookworm) ships no suricata "
                          "package in main, so `suricata -T` cannot run on this machine")
        d = tempfile.mkdtemp()
        try:
            rkserver.run("export", "--db", self.srv.db, "--format", "suricata-datasets",
                         "--audience", "police", "-o", d)
            p = subprocess.run([suricata, "-T", "-S", os.path.join(d, "renkei.rules"), "-l", d],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_roles(self):
        sv = self.srv.client("supervisor", 0)
        self.assertEqual(self.export("zeek-intel", sv, audience="partners").status, 200)
        for role in ["station", "partner", "admin"]:
            c = self.srv.client(role, 0)
            r = self.export("zeek-intel", c, audience="partners")
            self.assertEqual(r.status, 403, (role, r))

    def test_bad_options_are_named(self):
        for fmt, q, status, field in [
                ("zeek-intel", {"audience": "npa"}, 422, "audience"),
                ("zeek-intel", {}, 422, "audience"),
                ("zeek-intel", {"audience": "police", "tlp_max": "amber"}, 422, "tlp_max"),
                ("rpz", {"audience": "police", "type": "url"}, 422, "type"),
                ("blocklist", {"audience": "police"}, 422, "type"),
                ("snort", {"audience": "police"}, 404, "format")]:
            r = self.export(fmt, **q)
            self.assertEqual(r.status, status, (fmt, q, r))
            self.assertEqual(r.error["field"], field, (fmt, q, r))

    def test_exports_are_audited(self):
        self.text("blocklist", audience="partners", type="ipv4")
        sv = self.srv.client("supervisor", 0)
        r = sv.get("/api/v1/audit?limit=200")
        self.assertEqual(r.status, 200, r)
        details = [e.get("detail") for e in r.json["items"] if e.get("action") == "export"]
        self.assertTrue(any(d.startswith("format=blocklist type=ipv4 audience=partners tlp_max=- "
                                         "count=") for d in details), details)

    def test_cli_writes_every_file(self):
        d = tempfile.mkdtemp()
        try:
            p = rkserver.run("export", "--db", self.srv.db, "--format", "blocklist",
                             "--audience", "partners", "-o", d)
            names = sorted(os.listdir(d))
            self.assertIn("blocklist-domain.txt", names)
            self.assertIn("blocklist-sha256.txt", names)
            with open(os.path.join(d, "blocklist-domain.txt")) as f:
                dom = f.read()
            self.assertIn("partner-ok.example.net\n", dom)
            for planted in NOT_FOR_PARTNERS:
                self.assertNotIn(planted, dom)
            self.assertIn("indicators for partners", p.stderr)
            p = rkserver.run("export", "--db", self.srv.db, "--format", "rpz", "--audience",
                             "everyone", check=False)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--audience", p.stderr)
            p = rkserver.run("export", "--db", self.srv.db, "--format", "blocklist",
                             "--audience", "police", check=False)
            self.assertEqual(p.returncode, 2)
            self.assertIn("-o must name an existing directory", p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    rkserver.main()
