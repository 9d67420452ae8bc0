#!/usr/bin/env python3
"""Seeded generator of a fictional candidate-domain feed for bench/lookalike-review/run: one name
a line, about half of them lookalikes of shipped brands (combosquats, TLD swaps, homoglyphs)
from a pool of HOSTS distinct hosts, so that hosts repeat as they do in a daily feed; the rest
are ordinary fictional names that match nothing. Python 3 standard library only.

usage: gen.py OUT LINES [HOSTS] [SEED]
"""
import random
import sys

BRANDS = ["rakuten", "amazon-co-jp", "smbc-card", "mufg", "yamato", "sagawa", "japanpost",
          "mercari", "aeon-card", "au-pay", "docomo", "jcb", "saisoncard", "sbi-sec", "paypay"]
WORDS = ["login", "secure", "kakunin", "fuzai", "verify", "account", "support", "update",
         "shiharai", "riyou", "teishi", "card", "pay"]
TLDS = ["top", "xyz", "shop", "icu", "cn", "com", "net", "info"]
PLAIN = ["bakery", "garden", "studio", "clinic", "travel", "books", "coffee", "design"]


def main():
    out, lines = sys.argv[1], int(sys.argv[2])
    hosts = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261122)
    pool = []
    for i in range(hosts):
        b, w = rnd.choice(BRANDS), rnd.choice(WORDS)
        pool.append("%s-%s%d.%s" % (b, w, i, rnd.choice(TLDS)))
    with open(out, "w") as f:
        for i in range(lines):
            if rnd.random() < 0.5:
                h = pool[min(int(rnd.paretovariate(1.2)) - 1, hosts - 1) if rnd.random() < 0.5
                         else rnd.randrange(hosts)]
                f.write(("https://%s/login\n" % h) if rnd.random() < 0.2 else h + "\n")
            else:
                f.write("%s-%s%d.example.jp\n" % (rnd.choice(PLAIN), rnd.choice(PLAIN), i))


if __name__ == "__main__":
    main()
