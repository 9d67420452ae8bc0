#!/usr/bin/env python3
"""Runs the sweep case corpus through the real `renkei` binary.

Each folder of CASES holds a sample (sample.log or sample.log.gz), an indicator file
(indicators.*: plain, CSV, STIX or MISP) and expected.json: the list of hits, in order, that
`renkei sweep --indicators INDICATORS --json SAMPLE` must print (run inside the folder), with
exit status 1 when the list is not empty and 0 when it is. An index compiled with
`renkei sweep compile` must give the same hits.

usage: run-cases.py RENKEI CASES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile


def run(renkei, case_dir, src_args):
    samples = sorted(f for f in os.listdir(case_dir) if f.startswith("sample."))
    p = subprocess.run([renkei, "sweep"] + src_args + ["--json", "--no-progress"] + samples,
                       cwd=case_dir, capture_output=True, text=True, timeout=60)
    hits = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, hits, p.stderr


def main():
    renkei, cases = os.path.abspath(sys.argv[1]), sys.argv[2]
    failed = 0
    names = sorted(d for d in os.listdir(cases) if os.path.isdir(os.path.join(cases, d)))
    for name in names:
        d = os.path.join(cases, name)
        ind = [f for f in os.listdir(d) if f.startswith("indicators.")]
        with open(os.path.join(d, "expected.json")) as f:
            expected = json.load(f)
        want_rc = 1 if expected else 0
        rc, hits, err = run(renkei, d, ["--indicators", ind[0]])
        problems = []
        if rc != want_rc:
            problems.append("exit %d, want %d: %s" % (rc, want_rc, err.strip()))
        if hits != expected:
            problems.append("hits differ:\n  got:  %s\n  want: %s" % (hits, expected))
        with tempfile.TemporaryDirectory() as t:
            idx = os.path.join(t, "case.idx")
            c = subprocess.run([renkei, "sweep", "compile", "-o", idx, ind[0]], cwd=d,
                               capture_output=True, text=True, timeout=60)
            if c.returncode != 0:
                problems.append("compile failed: " + c.stderr.strip())
            else:
                rc2, hits2, err2 = run(renkei, d, ["--index", idx])
                if rc2 != want_rc or hits2 != expected:
                    problems.append("compiled index gives other hits: %s" % hits2)
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
        else:
            print("ok   %s (%d hits)" % (name, len(expected)))
    print("%d cases, %d failed" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
