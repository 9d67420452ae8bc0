#!/usr/bin/env python3
"""Runs `renkei patrol` over the labelled evaluation set (engines/patrol/testdata/eval-*.tsv) and
prints precision and recall per category.

Each line of a .tsv file is "<labels>\t<post text>": labels are "none" for innocent posts or a
comma-separated list of the categories the post belongs to. A finding of category C on a post is
a true positive if C is among its labels, else a false positive; a post labelled C without a
finding of C is a false negative.

With --check the script exits 1 when a figure falls below the floors below (docs/patrol.md
explains them); ctest runs it that way, so a dictionary change that loses recall or precision
on the set fails the build.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "testdata")

# Floors for --check (documented in docs/patrol.md). Per category, and micro-averaged overall.
FLOOR_RECALL = 0.80
FLOOR_PRECISION = 0.80
FLOOR_OVERALL_RECALL = 0.90
FLOOR_OVERALL_PRECISION = 0.90


def load(prefix):
    posts = []
    for name in sorted(os.listdir(DATA)):
        if not (name.startswith(prefix) and name.endswith(".tsv")):
            continue
        with open(os.path.join(DATA, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                labels, _, text = line.partition("\t")
                if not text:
                    raise SystemExit("%s:%d: no tab between labels and text" % (name, n))
                labs = set() if labels == "none" else set(labels.split(","))
                posts.append(("%s:%d" % (name, n), labs, text))
    return posts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--renkei", required=True)
    ap.add_argument("--dict")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--set", default="eval", choices=["eval", "holdout"],
                    help="eval: eval-*.tsv (the dictionary was tuned on it); holdout: holdout.tsv")
    args = ap.parse_args()
    posts = load("eval-" if args.set == "eval" else "holdout")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for pid, _, text in posts:
            f.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
        path = f.name
    cmd = [args.renkei, "patrol", "--json", "--no-progress", path]
    if args.dict:
        cmd[2:2] = ["--dict", args.dict]
    p = subprocess.run(cmd, capture_output=True, text=True)
    os.unlink(path)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr)
        raise SystemExit("renkei patrol failed with exit %d" % p.returncode)
    found = collections.defaultdict(set)
    for line in p.stdout.splitlines():
        j = json.loads(line)
        found[j["id"]].add(j["category"])
    cats = sorted({c for _, labs, _ in posts for c in labs})
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    errors = []
    for pid, labs, text in posts:
        got = found.get(pid, set())
        for c in got:
            if c in labs:
                tp[c] += 1
            else:
                fp[c] += 1
                errors.append("FP %-22s %s  %s" % (c, pid, text))
        for c in labs - got:
            fn[c] += 1
            errors.append("FN %-22s %s  %s" % (c, pid, text))
    n_harm = sum(1 for _, l, _ in posts if l)
    print("%s set: %d posts (%d harmful, %d innocent), %d categories" %
          (args.set, len(posts), n_harm, len(posts) - n_harm, len(cats)))
    print("%-22s %5s %5s %5s %9s %7s" % ("category", "TP", "FP", "FN", "precision", "recall"))
    bad = []
    for c in cats + sorted(set(fp) - set(cats)):
        prec = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 1.0
        rec = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 1.0
        print("%-22s %5d %5d %5d %9.3f %7.3f" % (c, tp[c], fp[c], fn[c], prec, rec))
        if prec < FLOOR_PRECISION or rec < FLOOR_RECALL:
            bad.append(c)
    TP, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
    oprec = TP / (TP + FP) if TP + FP else 1.0
    orec = TP / (TP + FN) if TP + FN else 1.0
    print("%-22s %5d %5d %5d %9.3f %7.3f" % ("overall (micro)", TP, FP, FN, oprec, orec))
    innocent_flagged = sum(1 for pid, l, _ in posts if not l and found.get(pid))
    harmful_missed = sum(1 for pid, l, _ in posts if l and not found.get(pid))
    print("innocent posts flagged: %d of %d; harmful posts with no finding at all: %d of %d" %
          (innocent_flagged, len(posts) - n_harm, harmful_missed, n_harm))
    if args.show_errors:
        print("\n".join(sorted(errors)))
    if args.check:
        if bad or oprec < FLOOR_OVERALL_PRECISION or orec < FLOOR_OVERALL_RECALL:
            print("FAIL: below the floor (per category P>=%.2f R>=%.2f, overall P>=%.2f R>=%.2f): %s"
                  % (FLOOR_PRECISION, FLOOR_RECALL, FLOOR_OVERALL_PRECISION,
                     FLOOR_OVERALL_RECALL, ", ".join(bad) or "overall"))
            return 1
        print("OK: above the floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
