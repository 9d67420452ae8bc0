#!/usr/bin/env python3
"""bench/correlate/http_related.py: the related-objects query over HTTP, on the store that
`bench_correlate --store FILE` made (its user bench-analyst, an analyst of the bench unit).

Starts `renkei serve` on 127.0.0.1 with that database, logs in, and measures, one request at a
time (the latency a user sees, not throughput):
  1. the first GET /api/v1/reports/{id}/related after the start (it loads the corr_* tables);
  2. GET /api/v1/reports/{id}/related for N seeded random reports: p50, p99, max;
  3. POST a report with 100 observables in its narrative, then GET its related list: the
     correlation of a new report as the analyst sees it (p50, p99 of the GET).
Printed, never asserted.
  bench/correlate/http_related.py [--db bench/out/correlate-store.db] [--queries 300] [--new 30]
Environment: RENKEI_BIN (default build/renkei).
"""
import argparse
import http.client
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = self.csrf = None

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = "renkei_session=" + self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        raw = r.read()
        return r.status, r.getheader("set-cookie", ""), json.loads(raw) if raw else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.path.join(ROOT, "bench", "out", "correlate-store.db"))
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--new", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20261121)
    a = ap.parse_args()
    binary = os.environ.get("RENKEI_BIN", os.path.join(ROOT, "build", "renkei"))
    if not os.path.exists(a.db):
        sys.exit("bench/correlate/http_related.py: %s missing (run bench_correlate --store)" % a.db)
    with sqlite3.connect(a.db) as c:
        ids = [r[0] for r in c.execute("SELECT id FROM reports ORDER BY rowid")]
        values = [r[0] for r in c.execute(
            "SELECT canonical FROM observables WHERE type IN ('ipv4', 'domain', 'url', 'email')"
            " ORDER BY rowid LIMIT 200000")]
    rnd = random.Random(a.seed)
    log = open(os.path.join(ROOT, "bench", "out", "correlate-http.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--db", a.db, "--listen", "127.0.0.1:0",
                             "--threads", "4"], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        port = None
        for line in proc.stdout:
            m = re.search(r"https?://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            sys.exit("renkei serve did not start (bench/out/correlate-http.log)")
        cl = Client(port)
        st, cookie, body = cl.request("POST", "/api/v1/session",
                                      {"login": "bench-analyst", "password": "bench-password-123"})
        if st != 200:
            sys.exit("log-in failed: %s %s" % (st, body))
        cl.cookie = re.match(r"renkei_session=([^;]*)", cookie).group(1)
        cl.csrf = body["csrf"]

        t0 = time.monotonic()
        st, _, body = cl.request("GET", "/api/v1/reports/%s/related" % ids[0])
        print("http first       GET related after the start: %.2f s (status %d; loads the "
              "tables)" % (time.monotonic() - t0, st))
        # The same requests' fixed cost, for comparison: the report itself (session check,
        # access check, one audited read), no correlation.
        base = []
        for _ in range(a.queries // 3):
            t0 = time.monotonic()
            st, _, body = cl.request("GET", "/api/v1/reports/%s" % rnd.choice(ids))
            base.append(time.monotonic() - t0)
        print("http baseline    GET /api/v1/reports/{id} p50 %.1f ms, p99 %.1f ms over %d "
              "requests" % (pct(base, 0.5) * 1e3, pct(base, 0.99) * 1e3, len(base)))
        lat, items = [], 0
        for _ in range(a.queries):
            rid = rnd.choice(ids)
            t0 = time.monotonic()
            st, _, body = cl.request("GET", "/api/v1/reports/%s/related" % rid)
            lat.append(time.monotonic() - t0)
            if st != 200:
                sys.exit("GET related: %d %s" % (st, body))
            items += len(body["items"])
        print("http related     p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests, %.1f "
              "items each (aim p99 <= 50 ms)" % (pct(lat, 0.5) * 1e3, pct(lat, 0.99) * 1e3,
                                                 max(lat) * 1e3, a.queries, items / a.queries))
        lat, post = [], []
        for i in range(a.new):
            vals = rnd.sample(values, 60) + ["198.51.%d.%d" % (i % 250, k) for k in range(40)]
            narrative = "新しい通報 %d。\n" % i + "\n".join(
                v.replace(".", "[.]") for v in vals)
            t0 = time.monotonic()
            st, _, body = cl.request("POST", "/api/v1/reports", {
                "intake_type": "sodan", "channel": "denwa", "category": "phishing",
                "title": "ベンチ新規通報 %d" % i, "narrative": narrative})
            post.append(time.monotonic() - t0)
            if st != 201:
                sys.exit("POST report: %d %s" % (st, body))
            t0 = time.monotonic()
            st, _, body = cl.request("GET", "/api/v1/reports/%s/related" % body["id"])
            lat.append(time.monotonic() - t0)
        print("http new report  POST of 100 observables p50 %.1f ms; its GET related p50 %.1f "
              "ms, p99 %.1f ms over %d reports (aim <= 20 ms)"
              % (pct(post, 0.5) * 1e3, pct(lat, 0.5) * 1e3, pct(lat, 0.99) * 1e3, a.new))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main()
