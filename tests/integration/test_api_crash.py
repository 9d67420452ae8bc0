"""Nothing acknowledged is lost: several clients file reports as fast as they can, the server is
killed with SIGKILL in the middle, and after a restart on the same database every report whose
creation was answered with 201 is readable, unchanged.
"""
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


class CrashTest(unittest.TestCase):
    def test_kill9_during_bulk_write(self):
        srv = rkserver.Server()
        try:
            self.run_with(srv)
        finally:
            srv.close()

    def run_with(self, srv):
        # An API key, so the writer threads share one identity without CSRF bookkeeping.
        c = srv.client("station")
        r = c.post("/api/v1/apikeys", {"name": "bulk"})
        self.assertEqual(r.status, 201, r)
        key = r.json["key"]

        acked = []  # (id, title) answered with 201
        lock = threading.Lock()
        stop = threading.Event()

        def writer(n):
            w = srv.client()
            w.bearer = key
            i = 0
            while not stop.is_set():
                title = "一括登録 %d-%d" % (n, i)
                try:
                    r = w.post("/api/v1/reports", rkserver.report_body(n * 100000 + i,
                                                                        title=title),
                               timeout=10)
                except OSError:
                    return  # the server is gone; what was not answered was not acknowledged
                if r.status == 201:
                    with lock:
                        acked.append((r.json["id"], title))
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        # Let the writes run, then kill in the middle of them.
        deadline = time.time() + 20
        while time.time() < deadline:
            with lock:
                if len(acked) >= 150:
                    break
            time.sleep(0.05)
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        self.assertGreater(len(acked), 0, "no write was acknowledged before the kill")

        srv.start()
        reader = srv.client("station")  # the creator: reads its own reports whatever their scope
        missing = []
        for rid, title in acked:
            r = reader.get("/api/v1/reports/" + rid)
            if r.status != 200 or r.json.get("title") != title:
                missing.append((rid, r.status))
        self.assertEqual(missing, [], "%d of %d acknowledged reports lost"
                         % (len(missing), len(acked)))
        print("crash test: %d acknowledged reports, all readable after kill -9" % len(acked))


if __name__ == "__main__":
    rkserver.main()
