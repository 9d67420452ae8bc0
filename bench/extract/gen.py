#!/usr/bin/env python3
"""Seeded generator of fictional Japanese intake narratives with observables, for bench/extract.

Every person, company, address and account here is made up. Observables are drawn from small
pools so that they recur (as they do across real reports), and are written the ways victims
and officers write them: defanged, full-width, with Japanese punctuation around them. The text
also holds the distractors the extractor must skip: version numbers, dates, prices, times.
Python 3 standard library only. Usage: gen.py --seed N --mb SIZE > file
"""
import argparse
import hashlib
import random
import sys

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def b58check(ver, payload):
    d = bytes([ver]) + payload
    d += hashlib.sha256(hashlib.sha256(d).digest()).digest()[:4]
    n = int.from_bytes(d, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(d) - len(d.lstrip(b"\0"))) + s


def polymod(v):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    c = 1
    for x in v:
        t = c >> 25
        c = (c & 0x1FFFFFF) << 5 ^ x
        for i in range(5):
            if t >> i & 1:
                c ^= gen[i]
    return c


def bech32(ver, prog):
    acc = bits = 0
    data = [ver]
    for b in prog:
        acc = acc << 8 | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    hrp = [ord("b") >> 5, ord("c") >> 5, 0, ord("b") & 31, ord("c") & 31]
    pm = polymod(hrp + data + [0] * 6) ^ (1 if ver == 0 else 0x2BC830A3)
    data += [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH[x] for x in data)


FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.@:/-"}


def fullwidth(s):
    return "".join(FW.get(c, c) for c in s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--mb", type=int, default=100)
    a = ap.parse_args()
    r = random.Random(a.seed)

    words = ["secure", "login", "account", "verify", "support", "update", "amaz0n", "rakuten-card",
             "paypay-id", "smbc-info", "mufg-check", "jp-post", "delivery", "sagawa-ex", "yamato",
             "apple-id", "line-auth", "docomo-pay", "au-kddi", "softbank-pt"]
    tlds = ["com", "net", "top", "xyz", "jp", "co.jp", "info", "shop", "cn", "icu", "online"]
    domains = ["%s-%s.%s" % (r.choice(words), r.choice(words), r.choice(tlds)) for _ in range(400)]
    ips = ["%d.%d.%d.%d" % (r.choice([45, 103, 185, 203, 198, 192]), r.randrange(256),
                            r.randrange(256), r.randrange(1, 255)) for _ in range(300)]
    wallets = [b58check(0, r.randbytes(20)) for _ in range(40)] + \
              [b58check(5, r.randbytes(20)) for _ in range(20)] + \
              [bech32(0, r.randbytes(20)) for _ in range(40)] + \
              ["0x" + r.randbytes(20).hex() for _ in range(40)]
    hashes = [r.randbytes(32).hex() for _ in range(80)] + [r.randbytes(16).hex() for _ in range(40)]
    banks = ["三井住友銀行", "みずほ銀行", "楽天銀行", "ゆうちょ銀行", "〇〇信用金庫", "北海道銀行", "横浜銀行"]
    branches = ["渋谷支店", "新宿支店", "本店営業部", "駅前支店", "第一営業支店", "梅田支店", "中央支店"]
    kana = ["ヤマダ タロウ", "スズキ ハナコ", "タナカ イチロウ", "サトウ ミキ", "カ）サンプルショウジ", "ワタナベ ケン"]
    names = ["請求書", "invoice_2024", "見積書", "Document", "update", "setup", "給与明細"]
    exts = ["exe", "zip", "docm", "js", "apk", "lnk", "iso", "xlsm"]
    places = ["札幌市", "仙台市", "さいたま市", "千葉市", "横浜市", "名古屋市", "大阪市", "福岡市", "那覇市"]

    def url():
        d = r.choice(domains)
        path = r.choice(["/login", "/verify?id=%d" % r.randrange(10**6), "/", "/account/update",
                         "/jp/%s" % r.choice(words), ""])
        u = "https://" + d + path
        k = r.random()
        if k < 0.3:
            u = u.replace("https", "hxxps").replace(".", "[.]", 1)
        elif k < 0.35:
            u = fullwidth(u)
        return u

    def phone():
        k = r.random()
        if k < 0.5:
            return "0%d0-%04d-%04d" % (r.choice([7, 8, 9]), r.randrange(10000), r.randrange(10000))
        if k < 0.7:
            return "03-%04d-%04d" % (r.randrange(10000), r.randrange(10000))
        if k < 0.85:
            return fullwidth("090-%04d-%04d" % (r.randrange(10000), r.randrange(10000))).replace("－", "ー")
        return "0120-%03d-%03d" % (r.randrange(1000), r.randrange(1000))

    def email():
        d = r.choice(domains)
        u = r.choice(["info", "support", "no-reply", "taro.yamada", "admin", "user%d" % r.randrange(999)])
        return u + r.choice(["@", "[at]", "＠"]) + (d if r.random() < 0.7 else d.replace(".", "[.]"))

    templates = [
        lambda: "%sにお住まいの相談者（%d歳）から、%d月%d日%d時%02d分頃、スマートフォンに「%s」との SMS が届き、"
                "記載の URL %s にアクセスしたところ、ID とパスワードを入力させられたとの相談があった。" % (
                    r.choice(places), r.randrange(20, 80), r.randrange(1, 13), r.randrange(1, 29),
                    r.randrange(24), r.randrange(60), r.choice(["お荷物をお届けにあがりましたが不在の為持ち帰りました",
                                                                "ご利用のアカウントに不正なアクセスがありました",
                                                                "未払い料金があります"]), url()),
        lambda: "相談者は、SNS で知り合った人物から投資を勧められ、%s %s 普通 %07d %s に合計%s円を振り込んだ。"
                "その後、連絡先 %s に電話してもつながらない。" % (
                    r.choice(banks), r.choice(branches), r.randrange(10**7), r.choice(kana),
                    "{:,}".format(r.randrange(1, 500) * 10000), phone()),
        lambda: "被害企業のサーバ（OS バージョン 2.4.%d、ファームウェア ver %d.%d.%d.%d）に対し、%s から不正アクセスが"
                "あり、ランサムウェア %s.%s（SHA256: %s）が実行された。" % (
                    r.randrange(60), r.randrange(10), r.randrange(10), r.randrange(10), r.randrange(10),
                    r.choice(ips).replace(".", "[.]") if r.random() < 0.3 else r.choice(ips),
                    r.choice(names), r.choice(exts), r.choice(hashes)),
        lambda: "暗号資産の送金先として %s のアドレス %s を指定された。取引所の担当者を名乗る者のメールアドレスは %s であった。" % (
                    r.choice(["ビットコイン", "イーサリアム", "暗号資産"]), r.choice(wallets), email()),
        lambda: "%d年%d月%d日、サポート詐欺の画面が表示され、表示された番号 %s に電話したところ、遠隔操作ソフトを"
                "インストールさせられ、ギフトカード%s円分を購入させられた。料金は1.%03d円とも言われた。" % (
                    r.choice([2024, 2025, 2026]), r.randrange(1, 13), r.randrange(1, 29), phone(),
                    "{:,}".format(r.randrange(1, 50) * 5000), r.randrange(1000)),
        lambda: "「%s.%s」という添付ファイル付きのメールが %s から届き、開封したところ端末が %s と通信していた。"
                "管理者によれば、通信先ドメインは %s、IP は %s である。" % (
                    r.choice(names), r.choice(exts), email(), r.choice(ips), r.choice(domains), r.choice(ips)),
        lambda: "特に不審な点は認められなかったが、念のため経過を記録する。相談者は%sの会社員で、"
                "Windows 11 と iPhone 15 を使用しており、%d月%d日%d時頃から動作が遅くなったという。" % (
                    r.choice(places), r.randrange(1, 13), r.randrange(1, 29), r.randrange(24)),
    ]
    # Most of a narrative is plain description: who, when, what happened, what was advised.
    fillers = [
        lambda: "相談者は%sに住む%d歳の%sである。" % (r.choice(places), r.randrange(18, 90),
                                               r.choice(["会社員", "自営業者", "大学生", "主婦", "年金生活者", "公務員"])),
        lambda: "%d月%d日午後%d時頃、自宅でスマートフォンを操作していたところ、画面に警告が表示されたという。" % (
            r.randrange(1, 13), r.randrange(1, 29), r.randrange(1, 12)),
        lambda: "当初は本物の通知だと思い、指示に従ってしまったと話している。",
        lambda: "被害額は合計%s円で、家族に相談したことで詐欺に気付いた。" % "{:,}".format(r.randrange(1, 300) * 10000),
        lambda: "相談者には、パスワードの変更とクレジットカード会社への連絡を助言した。",
        lambda: "同様の手口による相談が管内で今月%d件目となっている。" % r.randrange(2, 40),
        lambda: "端末は Android %d、セキュリティソフトは未導入であった。" % r.randrange(9, 15),
        lambda: "送信元は大手通販サイトを装っており、文面には不自然な日本語が含まれていた。",
        lambda: "%d年%d月%d日に来署し、受理番号を交付した。" % (r.choice([2025, 2026]), r.randrange(1, 13), r.randrange(1, 29)),
        lambda: "相手は日本語が堪能で、当初は丁寧な対応であったが、次第に送金を急かすようになったという。",
        lambda: "会社のシステム担当者によると、被害範囲は調査中であり、バックアップは%d日前のものが残っている。" % r.randrange(1, 30),
        lambda: "今後、銀行への口座凍結の要請と、関係機関への情報提供を検討する。",
        lambda: "相談者は強い不安を訴えており、引き続き経過を確認することとした。",
        lambda: "なお、相談者のパソコンはバージョン%d.%d.%dのソフトウェアを使用していた。" % (
            r.randrange(1, 20), r.randrange(10), r.randrange(100)),
    ]
    target = a.mb * 1024 * 1024
    out = sys.stdout.buffer
    written = 0
    n = 0
    chunk = []
    csize = 0
    while written < target:
        n += 1
        parts = [r.choice(fillers)() for _ in range(r.randrange(4, 12))]
        parts += [r.choice(templates)() for _ in range(r.randrange(1, 3))]
        r.shuffle(parts)
        para = "【受理番号 R%07d】" % n + "".join(parts) + "\n"
        b = para.encode("utf-8")
        chunk.append(b)
        csize += len(b)
        if csize > 1 << 20:
            out.write(b"".join(chunk))
            written += csize
            chunk = []
            csize = 0
    if chunk:
        out.write(b"".join(chunk))


if __name__ == "__main__":
    main()
