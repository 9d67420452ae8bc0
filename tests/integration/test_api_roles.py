"""The role matrix: each role × each kind of object × read/write → allowed or 403, driven from
one table, plus the object-level need-to-know rules (own station only; TLP RED only for the
people named on the object; partners see no report or case data). The expectations are the
rules of issue 2 part 4 and docs/access.md: station officers file and read their own station's
reports; analysts and supervisors read what TLP and scope allow and open cases; supervisors
approve (決裁) and read the audit log; admins manage users and units and see no case data;
partners see no report or case data.
"""
import sys
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

ROLES = ["station", "analyst", "supervisor", "admin", "partner"]
ID = "00000000-0000-4000-8000-000000000000"

# kind, operation, request builder, roles allowed. A refused request must answer 403; an
# allowed one must not (it may still be 404 for a made-up id: the role gate was passed).
MATRIX = [
    ("report", "read", lambda t: ("GET", "/api/v1/reports?limit=5", None),
     {"station", "analyst", "supervisor"}),
    ("report", "write", lambda t: ("POST", "/api/v1/reports",
                                   rkserver.report_body(1, title="権限表 %s" % t.role)),
     {"station", "analyst", "supervisor"}),
    ("case", "read", lambda t: ("GET", "/api/v1/cases?limit=5", None),
     {"station", "analyst", "supervisor"}),
    ("case", "write", lambda t: ("POST", "/api/v1/cases",
                                 {"title": "権限表の事案 %s" % t.role,
                                  "report_ids": [t.report_id]}),
     {"analyst", "supervisor"}),
    ("observable", "read", lambda t: ("GET", "/api/v1/observables?limit=5", None),
     {"station", "analyst", "supervisor"}),
    ("user", "read", lambda t: ("GET", "/api/v1/users", None),
     {"analyst", "supervisor", "admin"}),
    ("user", "write", lambda t: ("POST", "/api/v1/users",
                                 {"login": "matrix-%s" % t.role, "password": "Passw0rd-長い-1",
                                  "name": "権限表 利用者", "role": "station",
                                  "unit_id": t.unit_id}),
     {"admin"}),
    ("unit", "read", lambda t: ("GET", "/api/v1/units", None), set(ROLES)),
    ("unit", "write", lambda t: ("POST", "/api/v1/units",
                                 {"name": "権限表署 %s" % t.role, "name_en": "Matrix %s" % t.role,
                                  "kind": "station", "parent_id": None}),
     {"admin"}),
    ("user", "read own record", lambda t: ("GET", "/api/v1/users/" + t.self_id, None),
     set(ROLES)),
    ("approval", "read", lambda t: ("GET", "/api/v1/approvals", None),
     {"station", "analyst", "supervisor"}),
    ("approval", "write", lambda t: ("POST", "/api/v1/approvals/" + ID,
                                     {"decision": "approve"}),
     {"supervisor"}),
    ("audit", "read", lambda t: ("GET", "/api/v1/audit?limit=5", None),
     {"supervisor", "admin"}),
    ("audit", "verify", lambda t: ("GET", "/api/v1/audit/verify", None),
     {"supervisor", "admin"}),
    ("ref", "read", lambda t: ("GET", "/api/v1/ref", None), set(ROLES)),
]


class Ctx:
    pass


class RoleMatrixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.clients = {role: cls.srv.client(role) for role in ROLES}
        st = cls.clients["station"]
        r = st.post("/api/v1/reports", rkserver.report_body(0, title="権限表の元の通報"))
        assert r.status == 201, r
        cls.report = r.json
        cls.unit_id = st.user["unit"]["id"]

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_matrix(self):
        for kind, op, build, allowed in MATRIX:
            for role in ROLES:
                with self.subTest(kind=kind, op=op, role=role):
                    t = Ctx()
                    t.role, t.report_id, t.unit_id = role, self.report["id"], self.unit_id
                    t.self_id = self.clients[role].user["id"]
                    method, path, body = build(t)
                    r = self.clients[role].request(method, path, body=body)
                    if role in allowed:
                        self.assertNotIn(r.status, (401, 403), r)
                        self.assertLess(r.status, 500, r)
                        if not path.startswith("/api/v1/approvals/"):
                            self.assertIn(r.status, (200, 201), r)
                    else:
                        self.assertEqual(r.status, 403, r)
                        self.assertEqual(r.error.get("code"), "forbidden", r)

    def other_station(self):
        """A station user of another station than the first one."""
        for l in self.srv.logins:
            if l["role"] != "station":
                continue
            c = self.srv.client()
            c.login(l["login"], l["password"])
            if c.user["unit"]["id"] != self.unit_id:
                return c
        self.skipTest("the demo data has one station only")

    def test_station_sees_only_its_own_station(self):
        other = self.other_station()
        r = other.get("/api/v1/reports/" + self.report["id"])
        self.assertIn(r.status, (403, 404), r)
        lst = other.get("/api/v1/reports?limit=500").json
        self.assertNotIn(self.report["id"], [i["id"] for i in lst["items"]])
        for item in self.clients["station"].get("/api/v1/reports?limit=500").json["items"]:
            self.assertEqual(item["unit"]["id"], self.unit_id, item)
        # Nor an observable that occurs only in that report.
        obs = [o for o in self.report["observables"]
               if o["canonical"] == "support0@phish.example.com"]
        self.assertEqual(len(obs), 1, self.report["observables"])
        self.assertEqual(self.clients["station"].get("/api/v1/observables/" + obs[0]["id"])
                         .status, 200)
        r = other.get("/api/v1/observables/" + obs[0]["id"])
        self.assertIn(r.status, (403, 404), r)
        r = other.get("/api/v1/observables?q=support0@phish")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(obs[0]["id"], [o["id"] for o in r.json["items"]])
        # Nor may it change the report.
        r = other.patch("/api/v1/reports/" + self.report["id"], {"title": "改ざん"})
        self.assertIn(r.status, (403, 404), r)

    def test_red_only_for_named_people(self):
        st = self.clients["station"]
        r = st.post("/api/v1/reports", rkserver.report_body(5, title="TLP:RED の通報",
                                                             tlp="RED"))
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertEqual(st.get("/api/v1/reports/" + rid).status, 200)  # the creator
        for role in ("analyst", "supervisor", "admin", "partner"):
            with self.subTest(role=role):
                r = self.clients[role].get("/api/v1/reports/" + rid)
                self.assertIn(r.status, (403, 404), r)

    def test_partner_and_admin_see_no_report_or_case_data(self):
        for role in ("partner", "admin"):
            c = self.clients[role]
            for path in ("/api/v1/reports/" + self.report["id"], "/api/v1/reports?q=権限表",
                         "/api/v1/cases?limit=5"):
                with self.subTest(role=role, path=path):
                    r = c.get(path)
                    self.assertEqual(r.status, 403, r)
                    self.assertNotIn("権限表", r.raw.decode("utf-8", "replace"))


if __name__ == "__main__":
    rkserver.main()
