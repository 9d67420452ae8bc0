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
    failed += cli_checks(renkei, cases)
    print("%d cases, %d failed" % (len(names), failed))
    return 1 if failed else 0


def cli_checks(renkei, cases):
    """Exit codes and messages of the error paths of the verb."""
    failed = 0
    with tempfile.TemporaryDirectory() as t:
        ind = os.path.join(t, "ind.txt")
        with open(ind, "w") as f:
            f.write("evil.example\n")
        junk = os.path.join(t, "junk.idx")
        with open(junk, "wb") as f:
            f.write(b"PK\x03\x04 this is a zip file, not an index" * 100)
        empty_feed = os.path.join(t, "empty.txt")
        with open(empty_feed, "w") as f:
            f.write("# nothing here\nnot an indicator!\n")
        checks = [
            ("unreadable input only", ["sweep", "--indicators", ind, os.path.join(t, "nope")],
             2, "no input could be read"),
            ("foreign index", ["sweep", "--index", junk, ind], 2, "bad magic"),
            ("compile without indicators", ["sweep", "compile", "-o", os.path.join(t, "x.idx"),
                                            empty_feed], 2, "no indicators found"),
            ("no paths", ["sweep", "--indicators", ind], 2, "usage"),
            ("help", ["sweep", "--help"], 0, ""),
        ]
        # A hit's JSON line, byte for byte, for a file name that needs every kind of escape
        # (quote, backslash, controls, DEL, a byte that is not UTF-8) and plain runs longer
        # than 16 bytes around them.
        long_ = b"0123456789abcdef0123456789abcdef"
        raw = (b'a"b\\c\td\x01e\xff\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f' + long_ +
               b'"' + long_ + b".log")
        want_name = (b'a\\"b\\\\c\\u0009d\\u0001e\\ufffd\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'
                     b"\\u007f" + long_ + b'\\"' + long_ + b".log")
        path = os.path.join(os.fsencode(t), raw)
        with open(path, "wb") as f:
            f.write(b"x evil.example y\n")
        p = subprocess.run([os.fsencode(renkei), b"sweep", b"--indicators", os.fsencode(ind),
                            b"--json", b"--no-progress", path], capture_output=True, timeout=60)
        want = (b'{"file":"' + os.fsencode(t) + b"/" + want_name + b'","line":1,"offset":2,'
                b'"token":"evil.example","indicator":"evil.example","type":"domain"}\n')
        if p.returncode != 1 or p.stdout != want:
            failed += 1
            print("FAIL cli json escapes: exit %d\n  got:  %r\n  want: %r" %
                  (p.returncode, p.stdout, want))
        else:
            print("ok   cli json escapes")
        failed += replace_check(renkei, t)
        for name, args, want_rc, msg in checks:
            p = subprocess.run([renkei] + args, capture_output=True, text=True, timeout=60)
            if p.returncode != want_rc or msg not in p.stderr + p.stdout:
                failed += 1
                print("FAIL cli %s: exit %d, stderr %s" % (name, p.returncode, p.stderr.strip()))
            else:
                print("ok   cli %s" % name)
    return failed


def replace_check(renkei, t):
    """An index compiled over an existing one (large enough that its old file is held open
    through the rename and let go by a child process) is replaced whole: the new file's
    hits, none of the old one's, no file left behind, and the command's output pipes end
    with it."""
    idx = os.path.join(t, "replace.idx")
    log = os.path.join(t, "replace.log")
    with open(log, "w") as f:
        f.write("first old-1.example\nsecond new-1.example\n")
    for gen in ("old", "new"):
        feed = os.path.join(t, gen + ".txt")
        with open(feed, "w") as f:
            for i in range(40000):
                f.write("%s-%d.example\n" % (gen, i))
        p = subprocess.run([renkei, "sweep", "compile", "-o", idx, feed], capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            print("FAIL cli compile over an index: %s" % p.stderr.strip())
            return 1
    size = os.path.getsize(idx)
    p = subprocess.run([renkei, "sweep", "--index", idx, "--no-progress", log],
                       capture_output=True, text=True, timeout=60)
    left = [f for f in os.listdir(t) if f.startswith("replace.idx.")]
    if p.returncode != 1 or "new-1.example" not in p.stdout or "old-1.example" in p.stdout \
            or left or size < (1 << 20):
        print("FAIL cli compile over an index: exit %d, size %d, left %s, hits %r" %
              (p.returncode, size, left, p.stdout))
        return 1
    print("ok   cli compile over an index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
