#!/usr/bin/env python3
"""CLI test of `renkei lookalike` and `renkei smishing` (Python 3 standard library only).

Runs the real binary (RENKEI_BIN) on small inputs and checks exit codes, JSON lines, skipped-line
warnings and --help. Registered with ctest by engines/lookalike/CMakeLists.txt.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.environ.get("RENKEI_BIN", "build/renkei")
FAILED = []


def run(args, stdin=""):
    p = subprocess.run([BIN] + args, input=stdin.encode(), capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(name, cond, detail=""):
    if not cond:
        FAILED.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


# Matches: exit 1, one JSON object per match with the documented fields.
rc, out, err = run(["lookalike", "--json"], "rakuten-card-login.top\nwww.rakuten.co.jp\n"
                   "https://amaz0n.co.jp/signin\n\n192.168.0.1\nxn--zz--.com\n\x00\xff junk\n")
check("lookalike exit 1", rc == 1, f"rc={rc} err={err}")
lines = [json.loads(l) for l in out.splitlines()]
check("two matches", len(lines) == 2, out)
for d in lines:
    for k in ("input", "host", "registrable", "brand", "brand_ja", "brand_en", "sector", "score",
              "reasons"):
        check(f"field {k}", k in d, json.dumps(d, ensure_ascii=False))
check("brands", [d["brand"] for d in lines] == ["rakuten", "amazon"], out)
check("skips counted", "3 lines skipped" in err and "IP address literal" in err, err)

# No match: exit 0; a missing file: exit 2; a bad option: exit 2.
rc, out, _ = run(["lookalike"], "www.example.com\n")
check("no match exit 0", rc == 0 and out == "", f"rc={rc} out={out}")
rc, _, err = run(["lookalike", "/nonexistent/feed.txt"])
check("missing file exit 2", rc == 2 and "/nonexistent/feed.txt" in err, f"rc={rc} {err}")
rc, _, _ = run(["lookalike", "--bogus"])
check("bad option exit 2", rc == 2)
rc, _, _ = run(["lookalike", "--min-score", "101"])
check("bad min-score exit 2", rc == 2)

# A bad brand list: exit 2 with file and line.
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "x.brands"), "w") as f:
        f.write("brand x\n  sector: nowhere\n")
    rc, _, err = run(["lookalike", "--brands", d], "a.com\n")
    check("bad brands exit 2", rc == 2 and "x.brands:2" in err, f"rc={rc} {err}")
    # Files as arguments, two of them, and '-'.
    p1 = os.path.join(d, "a.txt")
    with open(p1, "w") as f:
        f.write("mercari-login.top\n")
    rc, out, _ = run(["lookalike", p1, "-"], "smbc-card-kakunin.com")
    check("files and stdin", rc == 1 and out.count("\n") == 2, out)

# --help of both verbs.
for verb in ("lookalike", "smishing"):
    rc, out, _ = run([verb, "--help"])
    check(f"{verb} --help", rc == 0 and "usage: renkei " + verb in out and "Exit status" in out)

# Smishing: plain and JSON lines, exit 1, rules present; a benign text alone: exit 0.
sms = ("お荷物のお届けにあがりましたが不在の為持ち帰りました。 https://sagawa-fuzai.top/x\n"
       '{"text": "【東京電力】電気料金のお支払いが確認できません https://tepco-ryokin.top/"}\n'
       '{"text": 5}\n'
       "明日の会議は10時からです。\n")
rc, out, err = run(["smishing", "--json"], sms)
check("smishing exit 1", rc == 1, f"rc={rc} {err}")
res = [json.loads(l) for l in out.splitlines()]
check("smishing two reported", len(res) == 2, out)
check("parcel rule", res and "parcel-absence" in res[0]["rules"], out)
check("bad json counted", "1 bad JSON" in err, err)
rc, out, _ = run(["smishing"], "明日の会議は10時からです。\n")
check("benign exit 0", rc == 0 and out == "", f"rc={rc} {out}")

print("ok" if not FAILED else f"{len(FAILED)} failed")
sys.exit(1 if FAILED else 0)
