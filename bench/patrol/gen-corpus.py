#!/usr/bin/env python3
"""Writes a seeded, generated Japanese corpus for the patrol benchmark: one post a line, mixing
kanji, hiragana, katakana, half-width kana, ASCII, emoji, URLs, handles and hashtags, with about
1 % of posts carrying harmful-looking phrases (some with evasions), so the scanner has hits to
score as it would on real posts.

usage: gen-corpus.py OUT SIZE_MB [SEED]

Python standard library only. A pool of distinct posts is generated first and then sampled, so
500 MB is written in well under a minute.
"""
import random
import sys

SUBJECTS = ["今日", "昨日", "明日", "週末", "朝", "夜", "仕事", "学校", "駅前", "会社", "家族", "友達",
            "猫", "犬", "天気", "電車", "ランチ", "カフェ", "映画", "ライブ", "試合", "旅行", "新幹線",
            "コンビニ", "スーパー", "病院", "図書館", "公園", "イベント", "セール", "ゲーム", "アニメ"]
VERBS = ["行った", "見た", "食べた", "買った", "楽しかった", "疲れた", "最高だった", "混んでた",
         "雨だった", "寒かった", "暑かった", "始まった", "終わった", "予約した", "届いた", "忘れた"]
NOUNS = ["野菜", "アイス", "チョコ", "コーヒー", "パン", "ラーメン", "寿司", "カレー", "ケーキ",
         "本", "服", "靴", "スマホ", "パソコン", "イヤホン", "時計", "自転車", "傘", "花", "お茶",
         "雪", "氷", "草", "葉っぱ", "はちみつ", "キャンディ", "パウダー", "リキッド", "口座", "通帳",
         "弁当", "牛乳", "卵", "豆腐", "味噌汁", "おにぎり", "餃子", "焼き鳥", "うどん", "そば",
         "洗濯機", "冷蔵庫", "掃除機", "テレビ", "カメラ", "鞄", "帽子", "手袋", "マフラー", "眼鏡",
         "宿題", "試験", "会議", "資料", "企画書", "請求書", "切符", "定期券", "財布", "鍵",
         "桜", "紅葉", "海", "山", "川", "空", "星", "月", "夕焼け", "虹"]
ADJ = ["新しい", "美味しい", "冷たい", "暖かい", "高い", "安い", "可愛い", "面白い", "眠い", "速い",
       "すごい", "やばい", "懐かしい", "珍しい"]
TAILS = ["です", "でした", "だよ", "かな", "ですね", "！", "笑", "w", "…", "！！", "〜", "って感じ",
         "らしい", "みたい"]
KATAKANA = ["ｱｲｽ", "ﾗｰﾒﾝ", "ｺｰﾋｰ", "ﾊﾟﾝ", "ｹｰｷ", "ｽﾏﾎ"]
EMOJI = ["😀", "😂", "🥲", "🍜", "🍣", "☕", "🌸", "🎉", "👍", "❄️", "🥦", "🌿", "💊", "🚲", "🙏🏻",
         "❤️", "✨", "🔥", "😭", "🐱"]
ASCII = ["OK", "lol", "iPhone", "PC", "SNS", "DM", "LINE", "YouTube", "Amazon", "mp3", "2025",
         "10:30", "5G", "Wi-Fi", "No.1", "USB-C"]
HARMFUL = ["野菜あります 手押し 1g 8000円", "闇バイト 日給5万 即日即金", "ｼｬﾌﾞ 売ります",
           "一緒に死にませんか", "口座買取 即日", "トカレフ売ります", "ホ別苺",
           "闇 バ イ ト 募集", "アイス 0.5g 1万 テレグラム", "個人間融資 ブラックOK",
           "お客様のアカウントは停止されました 下記URLより", "硫化水素の作り方", "受け子募集"]


def post(rng):
    parts = []
    for _ in range(rng.randint(1, 4)):
        s = rng.choice(SUBJECTS) + rng.choice(["は", "の", "に", "も", "で", ""])
        r = rng.random()
        if r < 0.4:
            s += rng.choice(ADJ) + rng.choice(NOUNS) + "を" + rng.choice(VERBS)
        elif r < 0.7:
            s += rng.choice(NOUNS) + rng.choice(["が", "を", "と"]) + rng.choice(VERBS)
        else:
            s += rng.choice(KATAKANA + NOUNS) + " " + rng.choice(ASCII)
        s += rng.choice(TAILS)
        if rng.random() < 0.3:
            s += rng.choice(EMOJI)
        parts.append(s)
    if rng.random() < 0.15:
        parts.append("https://example.jp/%s/%d" % (rng.choice(["a", "news", "p", "item"]),
                                                   rng.randint(1, 99999)))
    if rng.random() < 0.1:
        parts.append("@user_%d" % rng.randint(1, 9999))
    if rng.random() < 0.1:
        parts.append("#" + rng.choice(NOUNS + SUBJECTS))
    if rng.random() < 0.1:
        parts.append("%d円" % rng.choice([100, 300, 500, 980, 1200, 3000, 8000]))
    if rng.random() < 0.01:
        parts.insert(rng.randint(0, len(parts)), rng.choice(HARMFUL))
    return " ".join(parts)


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20251121
    rng = random.Random(seed)
    pool = [(post(rng) + "\n").encode("utf-8") for _ in range(200000)]
    target = int(size_mb * 1000 * 1000)
    written = 0
    with open(out, "wb") as f:
        while written < target:
            lines = rng.choices(pool, k=20000)
            blob = b"".join(lines)
            if written + len(blob) > target:
                cut = blob.rfind(b"\n", 0, target - written)
                blob = blob[:cut + 1] if cut >= 0 else b""
                if not blob:
                    break
            f.write(blob)
            written += len(blob)
    print("wrote %s: %.1f MB, seed %d" % (out, written / 1e6, seed))


if __name__ == "__main__":
    main()
