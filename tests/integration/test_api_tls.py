"""Optional TLS: `renkei serve --cert F --key F` serves HTTPS (a self-signed certificate made
with the openssl command here), the session cookie gets the Secure flag, and plain HTTP on
the same port is refused. Mismatched options are usage errors.
"""
import sys
import http.client
import os
import shutil
import ssl
import subprocess
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402


@unittest.skipIf(shutil.which("openssl") is None, "openssl command not installed")
class TlsTest(unittest.TestCase):
    def test_https_with_secure_cookie(self):
        tmp = rkserver.tempfile.mkdtemp(prefix="rk-tls-")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        srv = rkserver.Server(extra_args=["--cert", cert, "--key", key])
        try:
            self.assertEqual(srv.scheme, "https")
            ctx = ssl.create_default_context(cafile=cert)
            ctx.check_hostname = False
            l = srv.login_of("analyst")
            c = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=30)
            c.request("POST", "/api/v1/session",
                      body=('{"login":"%s","password":"%s"}' % (l["login"], l["password"]))
                      .encode(), headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            cookie = r.getheader("Set-Cookie")
            for flag in ("HttpOnly", "SameSite=Strict", "Secure"):
                self.assertIn(flag, cookie)
            c.close()
            plain = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            with self.assertRaises((OSError, http.client.HTTPException)):
                plain.request("GET", "/api/v1/ref")
                plain.getresponse().read()
            plain.close()
        finally:
            srv.close()
            shutil.rmtree(tmp, ignore_errors=True)

    def test_cert_without_key_is_a_usage_error(self):
        p = rkserver.run("serve", "--db", "x.db", "--cert", "c.pem", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--key", p.stderr)


if __name__ == "__main__":
    rkserver.main()
