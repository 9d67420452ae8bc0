"""`renkei serve` as a command: --help, usage errors, a missing database, the demo log-ins
printed for a demo database (and not for another), and a graceful exit on SIGTERM and SIGINT.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


class ServeCliTest(unittest.TestCase):
    def test_help_and_usage_errors(self):
        p = rkserver.run("serve", "--help")
        self.assertIn("--listen", p.stdout)
        self.assertIn("--cert", p.stdout)
        for args in (["serve"], ["serve", "--db"], ["serve", "--db", "x", "--threads", "0"],
                     ["serve", "--db", "x", "--threads", "abc"], ["serve", "--db", "x", "--nope", "1"]):
            with self.subTest(args=args):
                p = rkserver.run(*args, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr)

    def test_missing_database_and_bad_listen(self):
        tmp = tempfile.mkdtemp(prefix="rk-serve-")
        self.addCleanup(shutil.rmtree, tmp, True)
        p = rkserver.run("serve", "--db", os.path.join(tmp, "none.db"), check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("renkei init", p.stderr)
        db = os.path.join(tmp, "empty.db")
        rkserver.run("init", "--db", db)
        p = rkserver.run("serve", "--db", db, "--listen", "localhost:80", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("HOST:PORT", p.stderr)

    def test_demo_logins_printed_and_graceful_stop(self):
        srv = rkserver.Server()
        try:
            out = srv.proc.stdout.readline() + srv.proc.stdout.readline()
            self.assertIn("demo", out)
            first = srv.logins[0]
            rest = "".join(srv.proc.stdout.readline() for _ in range(3))
            self.assertIn(first["login"], rest)
            self.assertIn(first["password"], rest)
            self.assertEqual(srv.client("analyst").get("/api/v1/session").status, 200)
            self.assertEqual(srv.stop(), 0)
            srv.start()
            srv.proc.send_signal(signal.SIGINT)
            self.assertEqual(srv.proc.wait(timeout=30), 0)
            srv.proc.stdout.close()
            srv.log.close()
            srv.proc = None
        finally:
            srv.close()

    def test_no_logins_for_other_databases(self):
        tmp = tempfile.mkdtemp(prefix="rk-serve-")
        self.addCleanup(shutil.rmtree, tmp, True)
        db = os.path.join(tmp, "plain.db")
        rkserver.run("init", "--db", db)
        srv = rkserver.Server(db=db)
        try:
            srv.proc.send_signal(signal.SIGTERM)
            rest = srv.proc.stdout.read()
            self.assertEqual(srv.proc.wait(timeout=30), 0)
            self.assertNotIn("renkei-demo", rest)
            srv.proc.stdout.close()
            srv.log.close()
            srv.proc = None
        finally:
            srv.close()


if __name__ == "__main__":
    rkserver.main()
