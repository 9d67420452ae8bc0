"""Connections: a burst of hundreds of keep-alive connections that the clients then close must
leave the server able to take the next burst at once (no slot held by a half-closed
connection until its idle timeout), and slow or silent clients are dropped after
RK_MAX_HTTP_IDLE_SECONDS without blocking anyone else.
"""
import os
import socket
import struct
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import rkserver  # noqa: E402

BURST = 600


class ConnectionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = rkserver.Server()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def burst(self):
        """Opens BURST keep-alive connections, gets the UI's index on each, closes them all.
        Returns the seconds it took."""
        t0 = time.time()
        socks = []
        for _ in range(BURST):
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=20)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            socks.append(s)
        # Half read their answer, half hang up without reading it (as a load generator does
        # when it stops in the middle of its requests).
        for s in socks[::2]:
            data = s.recv(65536)
            self.assertTrue(data.startswith(b"HTTP/1.1 "), data[:100])
        for s in socks[1::2]:
            # An abortive close (RST), as wrk and browsers do with unread data.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        for s in socks:
            s.close()
        return time.time() - t0

    def server_sockets(self):
        """Sockets the server process holds open (Linux /proc), the listening one included."""
        fd_dir = "/proc/%d/fd" % self.srv.proc.pid
        n = 0
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)).startswith("socket:"):
                    n += 1
            except OSError:
                pass
        return n

    def test_bursts_of_connections(self):
        for i in range(6):
            with self.subTest(burst=i):
                took = self.burst()
                self.assertLess(took, 15, "burst %d took %.1f s" % (i, took))
        # Every connection of the bursts is released (not held until its idle timeout).
        deadline = time.time() + 5
        while self.server_sockets() > 10 and time.time() < deadline:
            time.sleep(0.2)
        self.assertLessEqual(self.server_sockets(), 10)
        # And the API still answers normally afterwards.
        self.assertEqual(self.srv.client("analyst").get("/api/v1/session").status, 200)

    def test_silent_clients_do_not_block_others(self):
        idle = [socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
                for _ in range(50)]
        idle[0].sendall(b"GET /api/v1/ref HTTP/1.1\r\nHost: x\r\n")  # never finished
        t0 = time.time()
        self.assertEqual(self.srv.client("analyst").get("/api/v1/ref").status, 200)
        self.assertLess(time.time() - t0, 5)
        for s in idle:
            s.close()


if __name__ == "__main__":
    rkserver.main()
