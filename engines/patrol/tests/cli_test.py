#!/usr/bin/env python3
"""End-to-end tests of `renkei patrol` (RENKEI_BIN): exit codes, JSON findings whose spans are the
original bytes, HTML and JSON-lines input, bad input (invalid UTF-8, malformed dictionary rule,
bad JSON line) and a 100 MB single line scanned in bounded memory."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("RENKEI_BIN", "build/renkei")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, data=None):
    p = subprocess.run([BIN, "patrol", "--no-progress"] + args, input=data, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def findings(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


tmp = tempfile.mkdtemp(prefix="patrol-cli-")


def write(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# Exit codes: 0 nothing, 1 findings, 2 usage / input errors.
rc, out, _ = run(["--json"], "今日の野菜は新鮮です\n".encode())
check(rc == 0 and out == "", "innocent text exits 0 with no output")
rc, out, _ = run(["--json"], "闇バイト募集 日給5万\n".encode())
check(rc == 1 and len(findings(out)) == 1, "a finding exits 1")
rc, _, err = run(["--bogus"])
check(rc == 2 and "unknown option" in err, "unknown option exits 2")
rc, _, err = run([os.path.join(tmp, "missing.txt")])
check(rc == 2 and "missing.txt" in err, "missing file exits 2 and names it")
rc, out, _ = run(["--help"])
check(rc == 0 and "usage: renkei patrol" in out, "--help")

# Spans point at the original bytes of a text file, whatever the evasion.
text = "前の行\n連絡は@abc_defで ﾔﾐ ﾊﾞｲﾄじゃない 闇　バ.イ.ト 受け子募集\n".encode()
path = write("a.txt", text)
rc, out, _ = run(["--json", path])
fs = findings(out)
check(rc == 1 and len(fs) == 1, "text file: one finding")
if fs:
    f = fs[0]
    check(f["line"] == 2 and f["offset"] == len("前の行\n".encode()), "text file: line and offset")
    check(f["category"] == "recruit.crime", "text file: category")
    for s in f["spans"]:
        check(text[s["start"]:s["end"]].decode() == s["text"], "span %r is the original" % s)
    check(any(s["text"] == "闇　バ.イ.ト" for s in f["spans"]), "evasion span kept as written")

# Same output with one or two workers.
many = ("普通の投稿です\n" * 3000 + "シャブ売ります 手押し\n" + "こんにちは\n" * 3000) * 3
p1 = run(["--json", "--threads", "1"], many.encode())
p2 = run(["--json", "--threads", "2"], many.encode())
check(p1[1] == p2[1] and len(findings(p1[1])) == 3, "output independent of --threads")

# HTML: tags and scripts dropped, entities decoded, offsets in the page.
html = ("<html><head><script>var s='闇バイト';</script><style>p{}</style></head><body>"
        "<p>高収入！</p><div>&#38343;&#x30D0;イト 募集中</div></body></html>").encode()
path = write("page.html", html)
rc, out, _ = run(["--json", path])
fs = findings(out)
check(rc == 1 and len(fs) == 1, "html: one finding (script text ignored)")
if fs:
    s = fs[0]["spans"][0]
    check(html[s["start"]:s["end"]].startswith(b"&#38343;"), "html: span offsets are in the page")

# JSON lines: a bad line is an error with its line number; the others are still scanned.
jl = (json.dumps({"id": "p1", "url": "https://x.example/1", "text": "口座買取 即日"},
                 ensure_ascii=False) + "\n{bad json\n" +
      json.dumps({"id": 7, "text": "野菜です"}, ensure_ascii=False) + "\n").encode()
path = write("posts.jsonl", jl)
rc, out, err = run(["--json", path])
fs = findings(out)
check(rc == 2 and "posts.jsonl:2: bad JSON" in err, "jsonl: bad line reported, exit 2")
check(len(fs) == 1 and fs[0]["id"] == "p1" and fs[0]["url"] == "https://x.example/1",
      "jsonl: good line scanned, id and url kept")

# Invalid UTF-8 is replaced and reported with its offset.
path = write("bad.txt", b"abc\xff\xfe\n")
rc, out, err = run(["--json", path])
check(rc == 0 and "invalid UTF-8 at offset 3" in err, "invalid UTF-8 reported with offset")

# A malformed dictionary rule is rejected at load with its file and line.
d = os.path.join(tmp, "dict")
os.mkdir(d)
with open(os.path.join(d, "a.rules"), "w") as f:
    f.write("category c 1.0 テスト\nrule r1 c 1 lit:闇バイト\nrule r2 c one lit:x\n")
rc, _, err = run(["--dict", d], "x\n".encode())
check(rc == 2 and "a.rules:3: weight must be" in err, "malformed rule names file and line")

# A 100 MB single line: scanned in overlapping chunks, in bounded memory, each phrase once.
chunk = 256 * 1024
word = "闇バイト".encode()
filler = "あいうえおかきくけこ".encode()
total = len(filler) * (100 * 1000 * 1000 // len(filler))
places = [p - p % 3 for p in (30, chunk - 6, chunk * 200 + 1, total - 60)]
# Written piece by piece: a forked child's peak memory includes its parent's, so this process
# must stay small for the measurement below to be the scanner's own.
path = os.path.join(tmp, "long.txt")
with open(path, "wb") as f:
    block = filler * 1000
    pos = 0
    for p in places + [total]:
        while pos < p:
            n = min(len(block), p - pos)
            f.write(block[:n])
            pos += n
        if p < total:
            f.write(word)
            pos += len(word)
    f.write(b"\n")
# os.wait4 gives this child's own peak memory (RUSAGE_CHILDREN would be the largest of all runs).
outf = open(os.path.join(tmp, "long.out"), "w+b")
errf = open(os.path.join(tmp, "long.err"), "w+b")
proc = subprocess.Popen([BIN, "patrol", "--no-progress", "--json", path], stdout=outf, stderr=errf)
_, status, usage = os.wait4(proc.pid, 0)
rc = os.waitstatus_to_exitcode(status)
rss_mb = usage.ru_maxrss / 1024
outf.seek(0)
errf.seek(0)
out, err = outf.read().decode(), errf.read().decode("utf-8", "replace")
fs = findings(out)
starts = sorted(s["start"] for f in fs for s in f["spans"])
want = places
check(rc == 1, "100 MB line: exit 1 (%d: %s)" % (rc, err[:200]))
check(starts == want, "100 MB line: every phrase found once at its offset (%s vs %s)" %
      (starts, want))
# Sanitizer builds keep shadow memory and a quarantine of freed blocks: no bound to check there.
if not os.environ.get("RK_SANITIZE"):
    check(rss_mb < 200, "100 MB line: peak memory %.0f MB < 200 MB" % rss_mb)
print("100 MB line: %d findings, peak RSS %.0f MB" % (len(fs), rss_mb))

shutil.rmtree(tmp)
if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("all patrol CLI checks passed")
