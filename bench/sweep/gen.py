#!/usr/bin/env python3
"""Seeded generator of the sweep benchmark: mixed realistic logs and indicator sets.

Writes under OUT:
  ind-<N>.txt     N indicators (IPv4, CIDR, domains, URLs, hashes, e-mail), one a line
  <log>.log       mixed log lines (squid, Apache combined, Zeek conn TSV, Zeek dns JSON,
                  Windows DNS debug, Sysmon JSON, CSV firewall, postfix)
  <log>.truth     the 1-based numbers of the lines that hold a planted hit, one a line

Name spaces keep the background from matching by accident: indicator IPs have first octet
11..99 (CIDRs 100..109), background public IPs 150..223 and private ranges; indicator domain
labels start with a digit, background labels never do (both use .com, .net, .jp). Every planted
indicator is in every set. Trap lines hold near misses that substring tools report and exact
matching must not: xevil.example for evil.example, 1.2.3.45 for 1.2.3.4, a URL with a longer
path, a 65-digit hex run, a longer e-mail local part.

Python 3 standard library only; the same seed gives the same bytes.
"""
import argparse
import os
import random
import sys

PLANTED = 2000  # indicators planted in the logs (and present in every set)
# Indicator domains share the common TLDs with the background (so the index's last-label filter
# does not skip the background's host lookups); their labels start with a digit, which no
# background label does, so no background host matches by accident.
TLD_BAD = ["com", "net", "jp", "xyz", "top", "test"]
TLD_OK = ["com", "jp", "net", "org", "co.jp", "ne.jp"]
WORDS = ("shop news mail cdn img api static portal bank city hospital kaisha tokyo osaka "
         "cloud login update data service video blog travel school office").split()
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
DIGITS = "0123456789"


def label(r, n=None):
    n = n or r.randint(5, 10)
    return "".join(r.choices(ALNUM, k=n))


def bad_label(r):
    return "".join(r.choices(DIGITS, k=1) + r.choices(ALNUM, k=r.randint(4, 9)))


def bad_domain(r):
    parts = [bad_label(r) for _ in range(r.choice((1, 1, 2)))]
    return ".".join(parts) + "." + r.choice(TLD_BAD)


def ind_ip(r):
    return "%d.%d.%d.%d" % (r.randint(11, 99), r.randint(0, 255), r.randint(0, 255),
                            r.randint(1, 254))


CIDR_LENS = (22, 24, 26, 28)


def ind_cidr(r):
    p = r.choice(CIDR_LENS)
    a = (r.randint(100, 109) << 24) | r.getrandbits(24)
    a &= ~((1 << (32 - p)) - 1) & 0xffffffff
    return "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, p), a, p


def ind_url(r):
    return "http://%s/%s/%s.php?id=%d" % (bad_domain(r), label(r), label(r), r.randint(1, 9999))


def ind_hash(r):
    n = r.choice((32, 40, 64))
    return "%0*x" % (n, r.getrandbits(4 * n))


def ind_email(r):
    return "%s@%s" % (label(r), bad_domain(r))


KINDS = [("ip", 30), ("cidr", 5), ("domain", 30), ("url", 15), ("hash", 15), ("email", 5)]


def gen_indicator(r, kind):
    if kind == "ip":
        return ind_ip(r)
    if kind == "cidr":
        return ind_cidr(r)[0]
    if kind == "domain":
        return bad_domain(r)
    if kind == "url":
        return ind_url(r)
    if kind == "hash":
        return ind_hash(r)
    return ind_email(r)


def pick_kind(r):
    x = r.randrange(100)
    for k, w in KINDS:
        if x < w:
            return k
        x -= w
    return "ip"


# ===== Background fields =====

def ok_domain(r):
    return "%s.%s%d.%s" % (r.choice(("www", "api", "cdn", "img", "m")), r.choice(WORDS),
                           r.randint(1, 5000), r.choice(TLD_OK))


def pub_ip(r):
    return "%d.%d.%d.%d" % (r.randint(150, 223), r.randint(0, 255), r.randint(0, 255),
                            r.randint(1, 254))


def lan_ip(r):
    return "192.168.%d.%d" % (r.randint(0, 20), r.randint(2, 254))


def ok_url(r, host=None):
    return "http%s://%s/%s/%s.%s" % (r.choice(("", "s")), host or ok_domain(r), r.choice(WORDS),
                                     label(r), r.choice(("html", "js", "png", "css", "php")))


def hexs(r, n):
    return "%0*X" % (n, r.getrandbits(4 * n))


def ts(r, i):
    return 1700000000 + i // 50


UA = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"'


# Each format: fn(r, i, hit) -> line; `hit` is (kind, value) to plant or None.
def f_squid(r, i, hit):
    url = ok_url(r)
    dst = pub_ip(r)
    if hit:
        k, v = hit
        if k == "domain":
            url = ok_url(r, r.choice(("", "www.", "a.b.")) + v)
        elif k == "url":
            url = v
        elif k in ("ip", "cidr"):
            dst = v
        else:
            url = ok_url(r) + "?ref=" + v
    return "%d.%03d %6d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/%s text/html" % (
        ts(r, i), r.randint(0, 999), r.randint(1, 9000), lan_ip(r), r.randint(200, 90000), url,
        dst)


def f_apache(r, i, hit):
    client = pub_ip(r)
    ref = ok_url(r)
    path = "/%s/%s.html" % (r.choice(WORDS), label(r))
    if hit:
        k, v = hit
        if k in ("ip", "cidr"):
            client = v
        elif k == "domain":
            ref = ok_url(r, v)
        elif k == "url":
            ref = v
        else:
            path += "?q=" + v
    return '%s - - [21/Nov/2026:10:%02d:%02d +0900] "GET %s HTTP/1.1" 200 %d "%s" %s' % (
        client, (i // 60) % 60, i % 60, path, r.randint(100, 50000), ref, UA)


def f_zeek_conn(r, i, hit):
    src, dst = lan_ip(r), pub_ip(r)
    if hit and hit[0] in ("ip", "cidr"):
        dst = hit[1]
    extra = "-"
    if hit and hit[0] not in ("ip", "cidr"):
        extra = hit[1]
    return "%d.%06d\tC%s\t%s\t%d\t%s\t%d\ttcp\t%s\t%.6f\t%d\t%d\tSF\tT\tF\t0\tShADadFf\t%d\t%d" % (
        ts(r, i), r.randint(0, 999999), label(r, 17), src, r.randint(1024, 65535), dst,
        r.choice((80, 443, 8080)), extra, r.random(), r.randint(0, 9999), r.randint(0, 99999),
        r.randint(1, 50), r.randint(1, 50))


def f_zeek_dns(r, i, hit):
    q = ok_domain(r)
    ans = pub_ip(r)
    if hit:
        k, v = hit
        if k == "domain":
            q = r.choice(("", "www.", "x1.cdn.")) + v
        elif k in ("ip", "cidr"):
            ans = v
        else:
            q = q + '","note":"' + v
    return ('{"ts":%d.%06d,"uid":"C%s","id.orig_h":"%s","id.orig_p":%d,"id.resp_h":"10.0.0.53",'
            '"id.resp_p":53,"proto":"udp","query":"%s","qtype_name":"A","rcode_name":"NOERROR",'
            '"answers":["%s"],"TTLs":[300.0]}') % (ts(r, i), r.randint(0, 999999), label(r, 17),
                                                    lan_ip(r), r.randint(1024, 65535), q, ans)


def dns_wire(host):
    return "".join("(%d)%s" % (len(p), p) for p in host.split(".")) + "(0)"


def f_windns(r, i, hit):
    q = ok_domain(r)
    client = lan_ip(r)
    if hit:
        k, v = hit
        if k == "domain":
            q = r.choice(("", "www.")) + v
        elif k in ("ip", "cidr"):
            client = v
        else:
            q = q  # other kinds do not occur in this log; planted via the note below
    line = ("11/21/2026 10:%02d:%02d AM 0F54 PACKET  000001D2A0B1C2D0 UDP Rcv %s  %04x   Q "
            "[0001   D   NOERROR] A      %s") % ((i // 60) % 60, i % 60, client,
                                                 r.getrandbits(16), dns_wire(q))
    if hit and hit[0] not in ("domain", "ip", "cidr"):
        line += " ; " + hit[1]
    return line


def f_sysmon(r, i, hit):
    sha256, md5, sha1 = hexs(r, 64), hexs(r, 32), hexs(r, 40)
    dst = pub_ip(r)
    host = ok_domain(r)
    if hit:
        k, v = hit
        if k == "hash":
            if len(v) == 64:
                sha256 = v.upper()
            elif len(v) == 32:
                md5 = v.upper()
            else:
                sha1 = v.upper()
        elif k in ("ip", "cidr"):
            dst = v
        elif k == "domain":
            host = v
        else:
            host = host + '","CommandLine":"curl ' + v
    return ('{"EventID":1,"Computer":"PC-%04d.corp.local","UtcTime":"2026-11-21 01:%02d:%02d.%03d",'
            '"Image":"C:\\\\Windows\\\\System32\\\\%s.exe","Hashes":"SHA1=%s,MD5=%s,SHA256=%s,'
            'IMPHASH=%s","DestinationIp":"%s","DestinationHostname":"%s"}') % (
        r.randint(1, 9999), (i // 60) % 60, i % 60, r.randint(0, 999), label(r), sha1, md5,
        sha256, hexs(r, 32), dst, host)


def f_csvfw(r, i, hit):
    src, dst = lan_ip(r), pub_ip(r)
    note = ok_domain(r)
    if hit:
        k, v = hit
        if k in ("ip", "cidr"):
            dst = v
        else:
            note = v
    return "2026-11-21 10:%02d:%02d,allow,tcp,%s,%d,%s,%d,%d,%s" % (
        (i // 60) % 60, i % 60, src, r.randint(1024, 65535), dst, r.choice((80, 443, 25)),
        r.randint(40, 90000), note)


def f_postfix(r, i, hit):
    frm = "%s@%s" % (label(r), ok_domain(r))
    relay_host, relay_ip = ok_domain(r), pub_ip(r)
    tail = ""
    if hit:
        k, v = hit
        if k == "email":
            frm = v
        elif k == "domain":
            frm = "%s@%s" % (label(r), v)
        elif k in ("ip", "cidr"):
            relay_ip = v
        else:
            tail = ", note=" + v
    return ("Nov 21 10:%02d:%02d mx1 postfix/smtpd[%d]: %s: client=%s[%s], from=<%s>, "
            "size=%d%s") % ((i // 60) % 60, i % 60, r.randint(100, 99999), hexs(r, 10),
                            relay_host, relay_ip, frm, r.randint(500, 900000), tail)


FORMATS = [f_squid, f_apache, f_zeek_conn, f_zeek_dns, f_windns, f_sysmon, f_csvfw, f_postfix]


def planted_set(seed):
    r = random.Random(seed * 7919 + 1)
    out = []
    for i in range(PLANTED):
        k = KINDS[i % len(KINDS)][0]
        if k == "cidr":
            s, a, p = ind_cidr(r)
            out.append((k, s, (a, p)))
        else:
            out.append((k, gen_indicator(r, k), None))
    return out


def write_indicators(path, n, seed, planted):
    if os.path.exists(path):
        return
    r = random.Random(seed * 104729 + n)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        buf = [v for _, v, _ in planted]
        for _ in range(n - len(planted)):
            buf.append(gen_indicator(r, pick_kind(r)))
            if len(buf) >= 100000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
    os.replace(tmp, path)


def plant_value(r, kind, value, extra):
    """The token to place in a log line for a planted indicator."""
    if kind == "cidr":
        a, p = extra
        a |= r.getrandbits(32 - p) if p < 32 else 0
        return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
    return value


def trap_value(r, kind, value):
    """A near miss of a planted indicator, or None."""
    if kind == "domain":
        return "x" + value
    if kind == "ip":
        last = int(value.rsplit(".", 1)[1])
        if last * 10 + 5 > 255:
            return value + ".5"
        return value + "5"  # may collide with another set member only by IP space: 11..99
    if kind == "url":
        return value + "x"
    if kind == "hash":
        return value + "a"
    if kind == "email":
        return "x" + value
    return None


def write_log(path, size_mb, seed, planted, hit_pct, trap_pct, ipset):
    if os.path.exists(path) and os.path.exists(path + ".truth"):
        return
    r = random.Random(seed)
    target = size_mb * 1000 * 1000
    written = 0
    truth = []
    i = 0
    with open(path + ".tmp", "w") as f:
        buf = []
        while written < target:
            i += 1
            fmt = FORMATS[(i // 64) % len(FORMATS)]
            x = r.random() * 100
            hit = None
            if x < hit_pct:
                k, v, extra = planted[r.randrange(len(planted))]
                hit = (k, plant_value(r, k, v, extra))
                truth.append(i)
            elif x < hit_pct + trap_pct:
                k, v, extra = planted[r.randrange(len(planted))]
                t = trap_value(r, k, v)
                if t is not None and not (k == "ip" and t in ipset):
                    hit = ("trap", t)
            if hit and hit[0] == "trap":
                # Traps go where any text may stand: the note/ref fields.
                line = fmt(r, i, ("note", hit[1]))
            else:
                line = fmt(r, i, hit)
            buf.append(line)
            written += len(line) + 1
            if len(buf) >= 20000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
    with open(path + ".truth.tmp", "w") as f:
        f.write("".join("%d\n" % t for t in truth))
    os.replace(path + ".tmp", path)
    os.replace(path + ".truth.tmp", path + ".truth")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--log-mb", type=int, default=1000)
    ap.add_argument("--hot-mb", type=int, default=100, help="size of the 5%% hit-lines log")
    ap.add_argument("--sets", default="100000,1000000,10000000")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    planted = planted_set(a.seed)
    ipset = set(v for k, v, _ in planted if k == "ip")
    for n in [int(x) for x in a.sets.split(",") if x]:
        write_indicators(os.path.join(a.out, "ind-%d.txt" % n), n, a.seed, planted)
    write_log(os.path.join(a.out, "mixed-%dmb.log" % a.log_mb), a.log_mb, a.seed, planted,
              0.05, 0.05, ipset)
    if a.hot_mb > 0:
        write_log(os.path.join(a.out, "hot-%dmb.log" % a.hot_mb), a.hot_mb, a.seed + 1, planted,
                  5.0, 0.5, ipset)


if __name__ == "__main__":
    sys.exit(main())
