#!/usr/bin/env python3
"""Seeded generator of a domain feed for bench/lookalike (Python 3 standard library only).

Writes N lines shaped like a certificate-transparency / new-registration feed: random names of
realistic length built from Japanese and English syllables, a realistic mix of TLDs and public
suffixes, subdomains, wildcard names, URLs, punycode IDNs, some junk lines, and a planted share
of lookalikes of the brand list (typos, homoglyphs, combosquats, TLD swaps, brand domains used
as subdomains, IDN homographs). The planted lines are also written to a side file so the
benchmark can report how many of them the detector finds.

usage: gen.py BRANDS_FILE N SEED OUT_STREAM OUT_PLANTED
"""
import random
import sys

SYL = ("ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu "
       "me mo ya yu yo ra ri ru re ro wa n ga gi gu ge go za ji zu ze zo da de do ba bi bu be bo "
       "pa pi pu pe po kyo sho cho ryo").split()
EN = ("best shop blog tech data cloud net web smart home life food travel style news media "
      "design studio lab works market store club plus one go my app dev code info world city "
      "green blue star sun moon art photo music game play health care beauty hair auto car "
      "bike fit yoga tea cafe wine book kids pet baby house land farm fish wood stone").split()
TLDS = [("com", 38), ("net", 5), ("org", 4), ("jp", 7), ("co.jp", 6), ("ne.jp", 1),
        ("or.jp", 1), ("top", 6), ("xyz", 4), ("cn", 4), ("shop", 3), ("info", 2), ("io", 2),
        ("de", 2), ("co.uk", 2), ("fr", 1), ("ru", 2), ("br", 1), ("com.br", 1), ("in", 1),
        ("online", 1), ("site", 1), ("app", 1), ("dev", 1), ("icu", 1), ("vip", 1),
        ("github.io", 1), ("herokuapp.com", 1), ("tokyo", 1), ("co", 1)]
SUBS = ["www", "mail", "shop", "api", "cdn", "m", "blog", "login", "secure", "dev", "static",
        "img", "app", "test", "portal"]
WORDS = ["login", "secure", "account", "verify", "jp", "card", "pay", "support", "fuzai",
         "haisou", "kakunin", "update", "info", "center", "member", "point", "service"]
KANA = [chr(c) for c in range(0x3042, 0x3094)] + [chr(c) for c in range(0x30A2, 0x30F4)]
KANJI = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
HOMO = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і", "y": "у", "x": "х"}


def weighted(rng, items):
    total = sum(w for _, w in items)
    r = rng.random() * total
    for v, w in items:
        r -= w
        if r < 0:
            return v
    return items[-1][0]


def word(rng):
    if rng.random() < 0.6:
        w = "".join(rng.choice(SYL) for _ in range(rng.randint(2, 5)))
    else:
        w = "".join(rng.choice(EN) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.15:
        w += "-" + rng.choice(EN)
    if rng.random() < 0.1:
        w += str(rng.randint(1, 999))
    return w


def idn(rng):
    chars = KANA if rng.random() < 0.6 else KANJI
    s = "".join(rng.choice(chars) for _ in range(rng.randint(2, 6)))
    return "xn--" + s.encode("punycode").decode("ascii")


def labels_of(brands_file):
    out = []
    for line in open(brands_file, encoding="utf-8"):
        line = line.strip()
        if line.startswith("labels:"):
            out += [t for t in line[7:].split() if len(t) >= 4 and t.isascii()]
    return out


def mutate(rng, lab):
    i = rng.randrange(len(lab))
    k = rng.randrange(4)
    if k == 0:
        return lab[:i] + lab[i + 1:] if len(lab) > 5 else lab + lab[-1]
    if k == 1:
        return lab[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + lab[i:]
    if k == 2 and i + 1 < len(lab):
        return lab[:i] + lab[i + 1] + lab[i] + lab[i + 2:]
    return lab[:i] + rng.choice("aeiou") + lab[i + 1:]


def planted(rng, labs):
    lab = rng.choice(labs)
    k = rng.randrange(6)
    tld = weighted(rng, [("top", 4), ("com", 3), ("cn", 2), ("xyz", 2), ("jp", 1), ("net", 1)])
    if k == 0:
        return mutate(rng, lab) + "." + tld
    if k == 1:
        return lab.replace("o", "0", 1).replace("l", "1", 1) + "-" + rng.choice(WORDS) + "." + tld
    if k == 2:
        w = rng.sample(WORDS, 2)
        return "-".join([lab] + w) + "." + tld
    if k == 3:
        return lab + "." + rng.choice(["top", "xyz", "cn", "shop", "icu", "vip"])
    if k == 4:
        return lab + ".co.jp." + word(rng) + "." + tld
    pos = [j for j, c in enumerate(lab) if c in HOMO]
    if not pos:
        return lab + "-" + rng.choice(WORDS) + "." + tld
    j = rng.choice(pos)
    s = lab[:j] + HOMO[lab[j]] + lab[j + 1:]
    return "xn--" + s.encode("punycode").decode("ascii") + "." + tld


def main():
    brands, n, seed, out, side = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    rng = random.Random(seed)
    labs = labels_of(brands)
    with open(out, "w", encoding="ascii", newline="\n") as f, open(side, "w") as g:
        buf = []
        for _ in range(n):
            r = rng.random()
            if r < 0.001:
                d = planted(rng, labs)
                g.write(d + "\n")
            elif r < 0.05:
                d = idn(rng) + "." + weighted(rng, TLDS)
            elif r < 0.052:
                d = rng.choice(["", "192.168.%d.%d" % (rng.randrange(256), rng.randrange(256)),
                                "xn--" + "z" * rng.randint(1, 5) + "9999.com", "a" * 70 + ".com",
                                "-bad-.-.com"])
            else:
                d = word(rng) + "." + weighted(rng, TLDS)
                if rng.random() < 0.3:
                    d = rng.choice(SUBS) + "." + d
                if rng.random() < 0.05:
                    d = "*." + d
                elif rng.random() < 0.05:
                    d = "https://" + d + "/" + word(rng)
            buf.append(d)
            if len(buf) >= 100000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
