"""Sweep jobs on a case over HTTP (server/api-sweep.c, server/http-upload.c): log files and an
indicator file are uploaded (streamed to disk), the job is started and polled to done, and the
case's sightings are exactly the planted hits, by indicator, host and time; a truncated gzip is
counted as damaged, not fatal; a station user without the case is refused; bad input names the
field; a job cut off by kill -9 is marked failed ("interrupted") when the server starts again.
"""
import gzip
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

IOCS = b"# fictional indicators\n198.51.100.7\nevil.example.com\nhttp://c2.test/gate.php\n"

# Fictional proxy log (Apache combined): every 50th line is a planted hit.
def access_log(lines):
    out, planted = [], []
    for i in range(lines):
        host = "192.0.2.%d" % (10 + i % 5)
        t = "21/Nov/2026:10:%02d:%02d +0900" % (i // 60 % 60, i % 60)
        if i % 50 == 7:
            url = "http://cdn.evil.example.com/p%d" % i
            planted.append((i + 1, host, "evil.example.com", "cdn.evil.example.com"))
        elif i % 50 == 31:
            url = "http://c2.test/gate.php"
            planted.append((i + 1, host, "http://c2.test/gate.php", "http://c2.test/gate.php"))
        else:
            url = "http://www.example.com/ok%d" % i
        out.append('%s - - [%s] "GET %s HTTP/1.1" 200 %d\n' % (host, t, url, i))
    return "".join(out).encode(), planted


class SweepApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()
        cls.an = cls.srv.client("analyst", 0)
        cls.st = cls.srv.client("station", 0)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json

    def new_case(self):
        return self.ok(self.an.post("/api/v1/cases", {
            "title": "不正アクセス ログ照合 試験", "tlp": "AMBER", "scope": "unit"}), 201)

    def new_job(self, case_id, client=None):
        return self.ok((client or self.an).post("/api/v1/cases/%s/sweep-jobs" % case_id, {}), 201)

    def put(self, job_id, kind, name, data, client=None):
        return (client or self.an).request(
            "PUT", "/api/v1/sweep-jobs/%s/files?kind=%s&name=%s" % (job_id, kind, name),
            raw=data, headers={"Content-Type": "application/octet-stream"})

    def wait(self, job_id, until=("done", "failed", "cancelled"), timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            j = self.ok(self.an.get("/api/v1/sweep-jobs/" + job_id))
            if j["status"] in until:
                return j
            time.sleep(0.1)
        self.fail("job %s did not reach %s: %r" % (job_id, until, j))

    def test_upload_poll_and_sightings(self):
        case = self.new_case()
        job = self.new_job(case["id"])
        self.assertEqual(job["status"], "uploading")
        log, planted = access_log(2000)
        gz = gzip.compress(log)
        self.ok(self.put(job["id"], "indicators", "iocs.txt", IOCS), 201)
        j = self.ok(self.put(job["id"], "log", "access.log.gz", gz), 201)
        self.assertEqual(j["inputs"][1]["bytes"], len(gz))
        import hashlib
        self.assertEqual(j["inputs"][1]["sha256"], hashlib.sha256(gz).hexdigest())
        # A gzip cut short, holding no planted hit: counted as damaged, the job still runs.
        benign = "".join("192.0.2.99 - - [21/Nov/2026:11:00:00 +0900] \"GET /x%d\" 200 1\n" % i
                         for i in range(5000)).encode()
        cut = gzip.compress(benign)
        self.ok(self.put(job["id"], "log", "cut.log.gz", cut[:len(cut) // 2]), 201)
        j = self.ok(self.an.post("/api/v1/sweep-jobs/%s/start" % job["id"]), 202)
        self.assertIn(j["status"], ("queued", "running", "done"))
        self.assertEqual(j["bytes_total"], len(gz) + len(cut) // 2)
        j = self.wait(job["id"])
        self.assertEqual(j["status"], "done", j)
        self.assertEqual(j["hits"], len(planted))
        self.assertEqual(j["files"], 2)
        self.assertEqual(j["files_damaged"], 1)
        self.assertEqual(j["skipped"][0]["file"], "cut.log.gz")
        self.assertEqual(j["bytes_done"], j["bytes_total"])
        self.assertGreaterEqual(j["mb_per_s"], 0)

        r = self.ok(self.an.get("/api/v1/cases/%s/sightings?group=time&limit=500" % case["id"]))
        self.assertEqual(r["total"], len(planted))
        got = [(s["line"], s["host"], s["observable"]["value"], s["token"], s["file"])
               for s in r["items"]]
        want = [(ln, h, ind, tok, "access.log.gz") for ln, h, ind, tok in planted]
        self.assertEqual(got, want)
        self.assertEqual(r["items"][0]["event_time"], "2026-11-21T01:00:07Z")

        r = self.ok(self.an.get("/api/v1/cases/%s/sightings?group=indicator" % case["id"]))
        counts = {i["observable"]["value"]: i["count"] for i in r["items"]}
        self.assertEqual(counts, {
            "evil.example.com": sum(1 for p in planted if p[2] == "evil.example.com"),
            "http://c2.test/gate.php": sum(1 for p in planted if p[2].startswith("http"))})
        r = self.ok(self.an.get("/api/v1/cases/%s/sightings?group=host" % case["id"]))
        self.assertEqual(sum(i["count"] for i in r["items"]), len(planted))
        self.assertEqual({i["host"] for i in r["items"]}, {p[1] for p in planted})
        # The hits' observables are on the case now.
        got = self.ok(self.an.get("/api/v1/cases/" + case["id"]))
        values = {o.get("value") or o.get("canonical") for o in got["observables"]}
        self.assertIn("evil.example.com", values)

        # A station user of another unit sees nothing of it.
        for method, path in (("GET", "/api/v1/sweep-jobs/" + job["id"]),
                             ("GET", "/api/v1/cases/%s/sightings" % case["id"]),
                             ("GET", "/api/v1/cases/%s/sweep-jobs" % case["id"]),
                             ("POST", "/api/v1/cases/%s/sweep-jobs" % case["id"]),
                             ("POST", "/api/v1/sweep-jobs/%s/cancel" % job["id"])):
            with self.subTest(method=method, path=path):
                r = self.st.request(method, path, body={} if method == "POST" else None)
                self.assertIn(r.status, (403, 404), r)
        r = self.put(job["id"], "log", "x.log", b"1.2.3.4\n", client=self.st)
        self.assertIn(r.status, (403, 404), r)

    def test_store_indicators(self):
        """Without an indicator file the job sweeps against the store's own indicators: the
        case's attacker infrastructure hits, its victim asset never does."""
        case = self.new_case()
        self.ok(self.an.post("/api/v1/cases/%s/observables" % case["id"], {
            "value": "hxxp://c2-store[.]example[.]net/gate", "role": "phishing_site"}), 201)
        self.ok(self.an.post("/api/v1/cases/%s/observables" % case["id"], {
            "value": "192.0.2.77", "role": "victim_asset"}), 201)
        job = self.new_job(case["id"])
        log = (b'192.0.2.77 - - [21/Nov/2026:10:00:00 +0900] "GET http://c2-store.example.net/gate'
               b' HTTP/1.1" 200 1\n192.0.2.77 - - [21/Nov/2026:10:00:01 +0900] "GET / HTTP/1.1" 200 1\n')
        self.ok(self.put(job["id"], "log", "web.log", log), 201)
        j = self.ok(self.an.post("/api/v1/sweep-jobs/%s/start" % job["id"]), 202)
        self.assertEqual(j["source"], "store")
        j = self.wait(job["id"])
        self.assertEqual((j["status"], j["hits"]), ("done", 1), j)
        r = self.ok(self.an.get("/api/v1/cases/%s/sightings?group=time" % case["id"]))
        self.assertEqual([(s["line"], s["host"], s["observable"]["value"]) for s in r["items"]],
                         [(1, "192.0.2.77", "http://c2-store.example.net/gate")])

    def test_bad_input_and_cancel(self):
        case = self.new_case()
        job = self.new_job(case["id"])
        r = self.put(job["id"], "exe", "a.log", b"x")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "kind")
        r = self.put(job["id"], "log", "..", b"x")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "name")
        r = self.an.post("/api/v1/sweep-jobs/%s/start" % job["id"])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "files")
        r = self.an.post("/api/v1/cases/%s/sweep-jobs" % case["id"], {"source": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "source")
        r = self.an.get("/api/v1/cases/%s/sightings?group=day" % case["id"])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["field"], "group")
        # Without an upload the CSRF token is still required.
        r = self.an.request("PUT", "/api/v1/sweep-jobs/%s/files?kind=log&name=a.log" % job["id"],
                            raw=b"x", csrf=False)
        self.assertEqual(r.status, 403, r)
        j = self.ok(self.an.post("/api/v1/sweep-jobs/%s/cancel" % job["id"]))
        self.assertEqual(j["status"], "cancelled")
        r = self.put(job["id"], "log", "a.log", b"1.2.3.4\n")
        self.assertEqual(r.status, 409, r)
        jobs = self.ok(self.an.get("/api/v1/cases/%s/sweep-jobs" % case["id"]))
        self.assertEqual([x["id"] for x in jobs["items"]], [job["id"]])
        # The JSON routes keep their own body cap (refused from the declared length).
        r = self.an.request("POST", "/api/v1/cases/%s/sweep-jobs" % case["id"], raw=b"{}",
                            headers={"Content-Length": str(1024 * 1024 + 10)})
        self.assertEqual(r.status, 413, r)

    def big_running_job(self, case_id):
        """A job sweeping a log where every line is a hit (recording the sightings keeps it
        running for a while), polled until it runs; None when it ended first."""
        job = self.new_job(case_id)
        lines = "".join("192.0.2.%d - - [21/Nov/2026:10:00:00 +0900] \"GET http://h%d.evil.example.com/"
                        "\" 200 1\n" % (i % 250, i) for i in range(400000)).encode()
        self.ok(self.put(job["id"], "indicators", "iocs.txt", IOCS), 201)
        self.ok(self.put(job["id"], "log", "big.log.gz", gzip.compress(lines, 1)), 201)
        self.ok(self.an.post("/api/v1/sweep-jobs/%s/start" % job["id"]), 202)
        deadline = time.time() + 60
        while time.time() < deadline:
            j = self.ok(self.an.get("/api/v1/sweep-jobs/" + job["id"]))
            if j["status"] != "queued":
                break
            time.sleep(0.05)
        return job if j["status"] == "running" else None

    def test_cancel_running_job(self):
        case = self.new_case()
        job = self.big_running_job(case["id"])
        if job is None:
            self.skipTest("the job ended before it could be cancelled")
        j = self.ok(self.an.post("/api/v1/sweep-jobs/%s/cancel" % job["id"]))
        self.assertTrue(j["cancel_requested"])
        j = self.wait(job["id"])
        self.assertEqual(j["status"], "cancelled", j)
        self.assertLess(j["hits"], 400000)
        # What was recorded before the stop stays, and matches the job's count.
        r = self.ok(self.an.get("/api/v1/cases/%s/sightings?group=host&limit=500" % case["id"]))
        self.assertEqual(sum(i["count"] for i in r["items"]), j["hits"])

    def test_kill9_marks_running_job_interrupted(self):
        case = self.new_case()
        job = self.big_running_job(case["id"])
        if job is None:
            self.skipTest("the job ended before it could be killed")
        self.srv.kill9()
        self.srv.start()
        self.an.login(self.srv.login_of("analyst")["login"], self.srv.login_of("analyst")["password"])
        j = self.ok(self.an.get("/api/v1/sweep-jobs/" + job["id"]))
        self.assertEqual(j["status"], "failed", j)
        self.assertEqual(j["error"], "interrupted")


if __name__ == "__main__":
    unittest.main()
