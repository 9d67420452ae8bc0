#!/usr/bin/env python3
"""Grows a Renkei demo database to TARGET reports for bench/api, in minutes rather than hours.

`renkei demo --reports N` writes every report through the service (extraction, audit, one
transaction each), about 250 reports/s on the 2-core bench machine: 1,000,000 would take over
an hour. This generator instead clones the demo's own reports with SQL, each copy with a new
UUID, a new reference number (R2025-…, R2024-…: years the demo does not use) and a received
date moved back by one to three years, and copies its observable links. The FTS5 trigram index
is kept by the schema's triggers, so search works over every copy; what the copies lack is
their audit events (they were never "written" by anyone), which the read benchmarks do not
need. Seeded: the same seed and target give the same database. Growing is not crash-safe
(synchronous=OFF, the FTS trigger is dropped meanwhile): bench/api/run grows a temporary file
and renames it only when done.

usage: grow.py DB TARGET [SEED]
"""
import random
import sqlite3
import sys
import time
import uuid

BATCH = 20000


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    path, target = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    db = sqlite3.connect(path, isolation_level=None)
    # Bench data only: a crash while growing just means growing again.
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=OFF")  # back to WAL at the end
    db.execute("PRAGMA cache_size=-200000")
    have = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    base = [r for r in db.execute("SELECT rowid, id, received_at FROM reports ORDER BY rowid")]
    if not base:
        sys.exit("grow.py: %s has no reports to clone (run renkei demo first)" % path)
    cols = [r[1] for r in db.execute("PRAGMA table_info(reports)")]
    moved = {"id": "?1", "ref": "?2", "received_at": "?3", "created_at": "?3",
             "updated_at": "?3"}
    select = ", ".join(moved.get(c, c) for c in cols)
    ins_report = "INSERT INTO reports (%s) SELECT %s FROM reports WHERE rowid = ?4" % (
        ", ".join(cols), select)
    ins_obs = ("INSERT INTO report_observables (report_id, observable_id, value) "
               "SELECT ?1, observable_id, value FROM report_observables WHERE report_id = ?2")
    # The FTS5 index is filled once per batch with one INSERT … SELECT instead of row by row
    # from the insert trigger (about six times faster); the trigger is put back at the end.
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                         "AND name = 'reports_fts_ai'").fetchone()
    fts_cols = "title, narrative, sms_text"
    if trigger is not None:
        db.execute("DROP TRIGGER reports_fts_ai")
    t0 = time.time()
    k = have
    while k < target:
        n = min(BATCH, target - k)
        rows, links = [], []
        for j in range(n):
            rowid, rid, received = base[rng.randrange(len(base))]
            back = 1 + rng.randrange(3)
            new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            seq = k + j
            ref = "R%04d-%06d" % (2025 - seq // 999999, seq % 999999 + 1)
            when = "%04d%s" % (int(received[:4]) - back, received[4:])
            rows.append((new_id, ref, when, rowid))
            links.append((new_id, rid))
        db.execute("BEGIN")
        last = db.execute("SELECT coalesce(max(rowid), 0) FROM reports").fetchone()[0]
        db.executemany(ins_report, rows)
        db.executemany(ins_obs, links)
        if trigger is not None:
            db.execute("INSERT INTO reports_fts (rowid, %s) SELECT rowid, %s FROM reports "
                       "WHERE rowid > ?" % (fts_cols, fts_cols), (last,))
        db.execute("COMMIT")
        k += n
        rate = (k - have) / max(time.time() - t0, 1e-9)
        sys.stderr.write("\rgrow.py: %d/%d reports (%.0f/s)" % (k, target, rate))
        sys.stderr.flush()
    sys.stderr.write("\n")
    if trigger is not None:
        db.execute(trigger[0])
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


if __name__ == "__main__":
    main()
