"""`renkei lookalike --db FILE --store|--watch` on a real, growing feed file (cli/cli-lookalike-db.c):
--store files matches once per host with a count; --watch follows the file as lines are
appended (a partial last line waits for its newline), survives truncation and rotation, and
after `kill -9` in the middle of a backlog resumes at the saved offset so that every line is
counted exactly once (times_seen adds up to the number of matching lines). SIGTERM stops it
with exit status 0. All hosts are fictional.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

RAK = "rakuten-login-kakunin.xyz"
AMZ = "amazon-co-jp-fuzai.top"


def q(db, sql, *args):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def seen(db):
    return dict(q(db, "SELECT host, times_seen FROM lookalike_matches"))


def wait_for(pred, what, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class WatchTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rk-lkwatch-")
        self.db = os.path.join(self.dir, "renkei.db")
        self.feed = os.path.join(self.dir, "feed.txt")
        rkserver.run("init", "--db", self.db)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def watch(self):
        p = subprocess.Popen([rkserver.BIN, "lookalike", "--db", self.db, "--watch", self.feed,
                              "--interval", "20"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def append(self, text, path=None):
        with open(path or self.feed, "a") as f:
            f.write(text)

    def offset(self):
        r = q(self.db, "SELECT offset FROM lookalike_feeds WHERE feed = ?", self.feed)
        return r[0][0] if r else None

    def test_store_once_per_host(self):
        self.append("%s\nexample.org\n192.0.2.1\n%s\nhttps://%s/signin\n" % (RAK, RAK, AMZ))
        p = rkserver.run("lookalike", "--db", self.db, "--store", self.feed)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2, p.stdout)  # one line per new host
        self.assertIn(RAK, lines[0])
        self.assertIn("1 skipped", p.stderr)
        self.assertEqual(seen(self.db), {RAK: 2, AMZ: 1})
        self.assertEqual(q(self.db, "SELECT DISTINCT source FROM lookalike_matches"),
                         [("feed.txt",)])
        # The URL and both domains are observables.
        self.assertEqual(q(self.db, "SELECT count(*) FROM observables WHERE canonical IN (?, ?)",
                           RAK, AMZ), [(2,)])
        p = rkserver.run("lookalike", "--db", self.db, "--store", self.feed)
        self.assertEqual(p.stdout, "")
        self.assertEqual(seen(self.db), {RAK: 4, AMZ: 2})
        bad = rkserver.run("lookalike", "--db", self.db, "--store", "--watch", self.feed,
                           check=False)
        self.assertEqual(bad.returncode, 2)

    def test_watch_follow_kill_restart(self):
        self.append("%s\nexample.org\n" % RAK)
        p = self.watch()
        wait_for(lambda: seen(self.db).get(RAK) == 1, "the first match")
        # A partial line waits for its newline.
        self.append(AMZ)
        time.sleep(0.5)
        self.assertNotIn(AMZ, seen(self.db))
        self.append("\n")
        wait_for(lambda: AMZ in seen(self.db), "the completed line")
        self.assertIn(AMZ, p.stdout.readline() + p.stdout.readline())

        # A backlog of 20,000 lines, killed with SIGKILL part way through.
        backlog = []
        for i in range(20000):
            backlog.append([RAK, "example-bakery%d.jp" % i, "rakuten-login-kakunin%d.xyz" % (i % 50),
                            AMZ][i % 4])
        self.append("\n".join(backlog) + "\n")
        size = os.path.getsize(self.feed)
        wait_for(lambda: (self.offset() or 0) > 40000, "progress in the backlog")
        p.send_signal(signal.SIGKILL)
        p.wait()
        self.assertLess(self.offset(), size, "killed too late to test a resume")
        # Lines appended while the watcher is down are read after the restart.
        self.append("%s\n" % AMZ)
        size = os.path.getsize(self.feed)
        p = self.watch()
        wait_for(lambda: self.offset() == size, "the restart to catch up")
        want_rak = 1 + backlog.count(RAK)
        want_amz = 1 + backlog.count(AMZ) + 1
        s = seen(self.db)
        self.assertEqual(s[RAK], want_rak)
        self.assertEqual(s[AMZ], want_amz)
        self.assertEqual(sum(v for h, v in s.items() if h.startswith("rakuten-login-kakunin")
                             and h != RAK), 5000)
        # RAK, AMZ and the 25 numbered hosts (i % 4 == 2 makes i % 50 even).
        self.assertEqual(q(self.db, "SELECT count(*) FROM lookalike_matches")[0][0], 27)

        # Truncation: the file starts again from the top.
        with open(self.feed, "w") as f:
            f.write("smbc-card.test\n")
        wait_for(lambda: "smbc-card.test" in seen(self.db), "a line after truncation")
        # Rotation: the old file is renamed and a new one takes its place.
        os.rename(self.feed, self.feed + ".1")
        self.append("mufg-secure.example\n")
        wait_for(lambda: "mufg-secure.example" in seen(self.db), "a line after rotation")
        self.assertEqual(seen(self.db)["smbc-card.test"], 1)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 0)
        err = p.stderr.read()
        self.assertIn("truncated", err)
        self.assertIn("rotated", err)
        # Every write was audited in the chain, which still verifies.
        self.assertGreater(q(self.db, "SELECT count(*) FROM audit WHERE object_type ="
                                      " 'lookalike_match'")[0][0], 10000)
        v = rkserver.run("audit", "verify", "--db", self.db)
        self.assertEqual(v.returncode, 0)


if __name__ == "__main__":
    unittest.main()
