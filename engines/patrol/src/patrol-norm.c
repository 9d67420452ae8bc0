/*
 * The patrol normaliser: turns Japanese text into one canonical spelling so that one dictionary
 * pattern matches the many ways posters write a word to slip past keyword filters, and keeps,
 * for every byte it writes, the span of the input it came from, so a finding points at the
 * original text.
 *
 * Why a table: the folds are a pure function of the code point except three (voiced marks,
 * digits read as kana, 一 used as a prolonged mark), so every Basic Multilingual Plane code point
 * is folded once, at creation, through utf8proc's NFKC and then our own folds; scanning is then a
 * UTF-8 decode, one table look-up and a copy per character. Code points above the BMP (emoji,
 * mathematical letters used to dodge filters) are rare and go through utf8proc at run time.
 *
 * The folds, in order, for each code point:
 *   - zero-width characters, variation selectors, emoji modifiers and tag characters vanish;
 *   - NFKC with case folding (full-width ASCII and half-width katakana become standard);
 *   - katakana become hiragana, small kana become full-size (ァ→あ, ッ→つ, ㇱ→し);
 *   - voiced and semi-voiced marks, whether combining (U+3099), spacing (゛) or half-width (ﾞ),
 *     join the kana before them (ハ゛→ば); a mark with nothing to join vanishes;
 *   - prolonged marks and every hyphen and dash (ー ｰ - ‐ ― − 〜 ～), the middle dots (・ · •), and
 *     一 (the kanji "one") between two katakana, vanish: posters put them between letters, and
 *     dropping them also unifies スピード/スピド and ハーブ/ハーーブ;
 *   - spaces, punctuation and decorative symbols vanish (闇 バ イ ト, 闇.バイト → 闇ばいと), but
 *     letters, digits, emoji and @ # $ ¥ stay, since handles, hashtags, prices and emoji matter;
 *   - common old or variant kanji become their standard form (髙→高, 藥→薬);
 *   - a run of one to three digits directly followed by kana, and not preceded by an ASCII
 *     letter or digit, is read as kana (4ね→しね, 56す→ころす) using one reading per digit,
 *     unless that kana is a particle or counter that ordinarily follows numbers (15で, 3つ, 5まん).
 */
#include "renkei/patrol.h"

#include <string.h>

#include <utf8proc.h>

#include "patrol-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

/* ===== Table ===== */

enum {
    F_VOICED = 1,     /* a voiced mark: joins the kana before it */
    F_SEMIVOICED = 2, /* a semi-voiced mark */
    F_KANA = 4,       /* output is one hiragana (can take a voiced mark; ends a digit run) */
    F_DIGIT = 8,      /* output is one ASCII digit */
    F_ALNUM = 16,     /* output is one ASCII letter or digit */
    F_ONE = 32,       /* the kanji 一: dropped between two katakana */
    F_KATA = 64,      /* the input code point is katakana (full or half width) */
    F_PARTICLE = 128, /* a kana that usually follows a number as a particle or counter */
};

/* Kana after which a run of digits stays digits (15で, 3つ, 5まん, 2かい): the particles and
 * counters that follow numbers in ordinary text. Goroawase insults use other kana (4ね, 56す). */
static const uint32_t number_followers[] = {
    0x3067, /* で */ 0x306B, /* に */ 0x3092, /* を */ 0x306F, /* は */ 0x304C, /* が */
    0x306E, /* の */ 0x3068, /* と */ 0x3082, /* も */ 0x3084, /* や */ 0x304B, /* か */
    0x3064, /* つ */ 0x307E, /* ま */ 0x304F, /* く */ 0x307B, /* ほ */ 0x3070, /* ば */
    0x3060, /* だ */ 0x305A, /* ず */ 0x3048, /* え */ 0x305B, /* せ */ 0x3058, /* じ */
    0x3075, /* ふ */ 0x3073, /* び */ 0x3077, /* ぷ */ 0x3050, /* ぐ */ 0x3054, /* ご */
    0x3088, /* よ */ 0x3076, /* ぶ */ 0x307A, /* ぺ */ 0x3079, /* べ */ 0x3055, /* さ */
};

struct norm_entry {
    uint32_t off; /* into pool */
    uint8_t len;  /* bytes of output */
    uint8_t flags;
};

/* fast[cp] for a code point of U+0800..U+FFFF whose folded form is itself and that needs no
 * context fold (no voiced mark, 一 or digit): its flags; else FAST_NONE. Most kanji and hiragana
 * are such, and this 64 KB table (against 512 KB for `table`, plus the pool) lets the hot loop
 * copy them with one small look-up. */
#define FAST_NONE 0xFF

struct rk_patrol_norm {
    uint8_t fast[0x10000];
    struct norm_entry table[0x10000];
    char *pool;
    size_t pool_len;
};

/* Old and variant kanji seen in evasions and in names, folded to the standard form. */
/* clang-format off */
static const uint32_t kanji_variants[][2] = {
    {0x9AD9, 0x9AD8}, /* 髙 高 */ {0xFA11, 0x5D0E}, /* 﨑 崎 */ {0x5D5C, 0x5D0E}, /* 嵜 崎 */
    {0x908A, 0x8FBA}, /* 邊 辺 */ {0x9089, 0x8FBA}, /* 邉 辺 */ {0x6FF1, 0x6D5C}, /* 濱 浜 */
    {0x6FA4, 0x6CA2}, /* 澤 沢 */ {0x9F4B, 0x658E}, /* 齋 斎 */ {0x9F4A, 0x6589}, /* 齊 斉 */
    {0x570B, 0x56FD}, /* 國 国 */ {0x85E5, 0x85AC}, /* 藥 薬 */ {0x8CE3, 0x58F2}, /* 賣 売 */
    {0x50F9, 0x4FA1}, /* 價 価 */ {0x5713, 0x5186}, /* 圓 円 */ {0x9322, 0x92AD}, /* 錢 銭 */
    {0x89BA, 0x899A}, /* 覺 覚 */ {0x6C23, 0x6C17}, /* 氣 気 */ {0x5BE6, 0x5B9F}, /* 實 実 */
    {0x8207, 0x4E0E}, /* 與 与 */ {0x771E, 0x771F}, /* 眞 真 */ {0x9751, 0x9752}, /* 靑 青 */
    {0x9ED1, 0x9ED2}, /* 黑 黒 */ {0x5F48, 0x5F3E}, /* 彈 弾 */ {0x9435, 0x9244}, /* 鐵 鉄 */
    {0x8B49, 0x8A3C}, /* 證 証 */ {0x865F, 0x53F7}, /* 號 号 */ {0x9AD4, 0x4F53}, /* 體 体 */
    {0x5B78, 0x5B66}, /* 學 学 */ {0x55AE, 0x5358}, /* 單 単 */ {0x5718, 0x56E3}, /* 團 団 */
    {0x65B7, 0x65AD}, /* 斷 断 */ {0x4E9E, 0x4E9C}, /* 亞 亜 */ {0x60E1, 0x60AA}, /* 惡 悪 */
    {0x5716, 0x56F3}, /* 圖 図 */ {0x4F86, 0x6765}, /* 來 来 */ {0x6A02, 0x697D}, /* 樂 楽 */
    {0x842C, 0x4E07}, /* 萬 万 */ {0x58F9, 0x58F1}, /* 壹 壱 */ {0x767C, 0x767A}, /* 發 発 */
    {0x8B8A, 0x5909}, /* 變 変 */ {0x6230, 0x6226}, /* 戰 戦 */ {0x8F49, 0x8EE2}, /* 轉 転 */
    {0x5EE3, 0x5E83}, /* 廣 広 */ {0x6703, 0x4F1A}, /* 會 会 */ {0x6B78, 0x5E30}, /* 歸 帰 */
    {0x7E23, 0x770C}, /* 縣 県 */ {0x5EF3, 0x5E81}, /* 廳 庁 */ {0x9A5B, 0x99C5}, /* 驛 駅 */
    {0x7232, 0x70BA}, /* 爲 為 */ {0x50DE, 0x507D}, /* 僞 偽 */ {0x6578, 0x6570}, /* 數 数 */
    {0x8072, 0x58F0}, /* 聲 声 */ {0x5C46, 0x5C4A}, /* 屆 届 */ {0x7576, 0x5F53}, /* 當 当 */
    {0x820A, 0x65E7}, /* 舊 旧 */ {0x71D2, 0x713C}, /* 燒 焼 */ {0x5F9E, 0x5F93}, /* 從 従 */
    {0x61C9, 0x5FDC}, /* 應 応 */ {0x64E7, 0x6319}, /* 擧 挙 */ {0x8FAF, 0x5F01}, /* 辯 弁 */
    {0x8FA8, 0x5F01}, /* 辨 弁 */ {0x5152, 0x5150}, /* 兒 児 */ {0x79AE, 0x793C}, /* 禮 礼 */
    {0x85DD, 0x82B8}, /* 藝 芸 */ {0x52DE, 0x52B4}, /* 勞 労 */ {0x6536, 0x53CE}, /* 收 収 */
    {0x96AA, 0x967A}, /* 險 険 */ {0x6AA2, 0x691C}, /* 檢 検 */ {0x50B3, 0x4F1D}, /* 傳 伝 */
    {0x6BBA, 0x6BBA}, /* 殺 (identity: listed so the table documents it was checked) */
    {0x9EBB, 0x9EBB}, /* 麻 */ {0x5263, 0x5263}, /* 剣 */ {0x528D, 0x5263}, /* 劍 剣 */
    {0x91AB, 0x533B}, /* 醫 医 */ {0x58D3, 0x5727}, /* 壓 圧 */ {0x8CE4, 0x8CE4}, /* 賤 */
    {0x7E3D, 0x7DCF}, /* 總 総 */ {0x9452, 0x9451}, /* 鑒 鑑 */ {0x9ED8, 0x9ED9}, /* 默 黙 */
    {0x6D89, 0x6E09}, /* 涉 渉 */ {0x7D93, 0x7D4C}, /* 經 経 */ {0x8F15, 0x8EFD}, /* 輕 軽 */
    {0x932C, 0x932C}, /* 錬 */ {0x9304, 0x9332}, /* 錄 録 */ {0x8AAA, 0x8AAC}, /* 說 説 */
    {0x7D9C, 0x7D9C}, /* 綜 */ {0x6A13, 0x697C}, /* 樓 楼 */ {0x8D0B, 0x8D0B}, /* 贋 */
};

/* clang-format on */

static int is_dropped_invisible(uint32_t c)
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || c == 0x00AD || c == 0x034F ||
           c == 0x180E || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0000 && c <= 0xE0FFF) ||
           (c >= 0x1F3FB && c <= 0x1F3FF) || c == 0x3164 || c == 0xFFA0 || c == 0x115F ||
           c == 0x1160 || c == 0xFFFC;
}

/* clang-format off */
static int is_prolonged_or_dot(uint32_t c)
{
    switch (c) {
    case 0x002D: case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0x30FC: case 0xFF70: case 0xFE58: case 0xFE63: case 0xFF0D: case 0x2043:
    case 0x2E3A: case 0x2E3B: case 0x301C: case 0x3030: case 0xFF5E: case 0x007E: case 0x2053:
    case 0x30FB: case 0xFF65: case 0x00B7: case 0x2027: case 0x2022: case 0x2219: case 0x22C5:
    case 0x2500: case 0x2501: case 0x31B8:
        return 1;
    default:
        return 0;
    }
}

/* Small kana (after the katakana-to-hiragana step) to full size; 0 if not small. */
static uint32_t small_to_large(uint32_t c)
{
    switch (c) {
    case 0x3041: case 0x3043: case 0x3045: case 0x3047: case 0x3049: /* ぁぃぅぇぉ */
    case 0x3063: /* っ */ case 0x3083: case 0x3085: case 0x3087: /* ゃゅょ */ case 0x308E: /* ゎ */
        return c + 1;
    case 0x3095: return 0x304B; /* ゕ か */
    case 0x3096: return 0x3051; /* ゖ け */
    default:
        break;
    }
    static const uint16_t small_katakana_ext[16] = {
        0x304F, 0x3057, 0x3059, 0x3068, 0x306C, 0x306F, 0x3072, 0x3075,
        0x3078, 0x307B, 0x3080, 0x3089, 0x308A, 0x308B, 0x308C, 0x308D}; /* ㇰ..ㇿ */
    if (c >= 0x31F0 && c <= 0x31FF)
        return small_katakana_ext[c - 0x31F0];
    return 0;
}

/* clang-format on */

/* Keeps a symbol code point? Emoji and currency stay, decoration and punctuation go. */
static int keep_symbol(uint32_t c, utf8proc_category_t cat)
{
    if (c == '@' || c == '#' || c == '$' || c == 0xA5 /* ¥ */ || c == 0xFFE5)
        return 1;
    if (cat == UTF8PROC_CATEGORY_SC)
        return 1;
    if (cat != UTF8PROC_CATEGORY_SO)
        return 0;
    if (c == 0x2605 || c == 0x2606) /* ★☆ decoration */
        return 0;
    if (c >= 0x2600 && c <= 0x27BF) /* miscellaneous symbols and dingbats: ❄ ☀ ✈ */
        return 1;
    if (c >= 0x2B00 && c <= 0x2BFF)
        return 1;
    if (c >= 0x1F000)
        return 1;
    return 0;
}

/* clang-format off */
/* Folds one code point that NFKC has already produced. Returns 0 to drop, else the code point. */
static uint32_t fold_after_nfkc(uint32_t c)
{
    if (is_dropped_invisible(c) || is_prolonged_or_dot(c))
        return 0;
    if (c >= 0x30A1 && c <= 0x30F6)
        c -= 0x60; /* katakana to hiragana */
    else if (c >= 0x30F7 && c <= 0x30FA)
        c = (uint32_t[]){0x308F, 0x3090, 0x3091, 0x3092}[c - 0x30F7]; /* ヷヸヹヺ */
    else if (c == 0x30FD || c == 0x30FE)
        c -= 0x60; /* ヽヾ iteration marks */
    uint32_t big = small_to_large(c);
    if (big != 0)
        c = big;
    for (size_t i = 0; i < sizeof kanji_variants / sizeof kanji_variants[0]; i++) {
        if (kanji_variants[i][0] == c) {
            c = kanji_variants[i][1];
            break;
        }
    }
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    switch (cat) {
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return 0;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
        return keep_symbol(c, cat) ? c : 0;
    default:
        return c;
    }
}

/* clang-format on */

static size_t utf8_put(uint32_t c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static int is_hiragana(uint32_t c)
{
    return c >= 0x3041 && c <= 0x309F && c != 0x3099 && c != 0x309A && c != 0x309B && c != 0x309C;
}

/* Folds code point `cp` completely (NFKC then ours) into at most `max` code points. */
static size_t fold_full(uint32_t cp, uint32_t *out, size_t max, uint8_t *flags)
{
    *flags = 0;
    if (cp == 0x3099 || cp == 0x309B || cp == 0xFF9E) {
        *flags = F_VOICED;
        return 0;
    }
    if (cp == 0x309A || cp == 0x309C || cp == 0xFF9F) {
        *flags = F_SEMIVOICED;
        return 0;
    }
    if (is_dropped_invisible(cp) || is_prolonged_or_dot(cp))
        return 0;
    utf8proc_int32_t tmp[32];
    int last_boundclass = 0;
    utf8proc_ssize_t n =
        utf8proc_decompose_char((utf8proc_int32_t)cp, tmp, 32,
                                UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                    UTF8PROC_IGNORE | UTF8PROC_STABLE,
                                &last_boundclass);
    if (n < 0 || n > 32)
        return 0;
    /* Recompose (NFKC): utf8proc composes in place over UTF-32. */
    n = utf8proc_normalize_utf32(tmp, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0)
        return 0;
    size_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n && k < max; i++) {
        uint32_t c = (uint32_t)tmp[i];
        if (c == 0x3099 || c == 0x309A) {
            /* A decomposition left a combining mark (not after composition of kana): join it. */
            if (k > 0 && is_hiragana(out[k - 1])) {
                uint32_t v = rk__patrol_voice(out[k - 1], c == 0x309A);
                if (v != 0)
                    out[k - 1] = v;
            }
            continue;
        }
        c = fold_after_nfkc(c);
        if (c != 0)
            out[k++] = c;
    }
    if (k == 1 && is_hiragana(out[0])) {
        *flags |= F_KANA;
        for (size_t i = 0; i < sizeof number_followers / sizeof number_followers[0]; i++)
            if (number_followers[i] == out[0])
                *flags |= F_PARTICLE;
    }
    if ((cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0xFF66 && cp <= 0xFF9D) ||
        (cp >= 0x31F0 && cp <= 0x31FF))
        *flags |= F_KATA;
    if (k == 1 && out[0] >= '0' && out[0] <= '9')
        *flags |= F_DIGIT | F_ALNUM;
    if (k == 1 && out[0] >= 'a' && out[0] <= 'z')
        *flags |= F_ALNUM;
    if (cp == 0x4E00)
        *flags |= F_ONE;
    return k;
}

uint32_t rk__patrol_voice(uint32_t c, int semi)
{
    if (semi) {
        if (c == 0x306F || c == 0x3072 || c == 0x3075 || c == 0x3078 || c == 0x307B)
            return c + 2; /* は→ぱ ... */
        return 0;
    }
    if ((c >= 0x304B && c <= 0x3062 && (c & 1) == 1) || /* か..ち (odd code points) */
        (c >= 0x3064 && c <= 0x3069 && (c & 1) == 0) || /* つ て と */
        c == 0x306F || c == 0x3072 || c == 0x3075 || c == 0x3078 || c == 0x307B)
        return c + 1;
    if (c == 0x3046)
        return 0x3094; /* う→ゔ */
    return 0;
}

enum rk_status rk_patrol_norm_create(struct rk_patrol_norm **out)
{
    enum rk_status rc = RK_OK;
    struct rk_patrol_norm *n = rk_calloc(1, sizeof *n);
    struct rk_buf pool;
    rk_buf_init(&pool, 16u * 1024u * 1024u);
    if (n == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        uint32_t cps[32];
        uint8_t flags = 0;
        size_t k = (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : fold_full(cp, cps, 32, &flags);
        char enc[32 * 4];
        size_t len = 0;
        for (size_t i = 0; i < k && len + 4 <= 252 && len + 4 <= sizeof enc; i++)
            len += utf8_put(cps[i], enc + len);
        n->table[cp].off = (uint32_t)pool.len;
        n->table[cp].len = (uint8_t)len;
        n->table[cp].flags = flags;
        char self[4];
        n->fast[cp] = FAST_NONE;
        if (cp >= 0x800 && len == 3 && utf8_put(cp, self) == 3 && memcmp(self, enc, 3) == 0 &&
            !(flags & (F_VOICED | F_SEMIVOICED | F_ONE | F_DIGIT)) && flags != FAST_NONE)
            n->fast[cp] = flags;
        rc = rk_buf_add(&pool, enc, len);
        if (rc != RK_OK)
            goto out;
    }
    n->pool_len = pool.len;
    n->pool = rk_buf_steal(&pool);
    if (n->pool == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    *out = n;
    n = NULL;
out:
    rk_buf_free(&pool);
    rk_patrol_norm_destroy(n);
    return rc;
}

void rk_patrol_norm_destroy(struct rk_patrol_norm *n)
{
    if (n == NULL)
        return;
    rk_free(n->pool);
    rk_free(n);
}

/* ===== Output ===== */

void rk_patrol_text_init(struct rk_patrol_text *t)
{
    memset(t, 0, sizeof *t);
}

void rk_patrol_text_free(struct rk_patrol_text *t)
{
    if (t == NULL)
        return;
    rk_free(t->data);
    rk_free(t->src_start);
    rk_free(t->src_end);
    rk_patrol_text_init(t);
}

/* Ensures room for `extra` more bytes (+ NUL). */
static enum rk_status text_reserve(struct rk_patrol_text *t, size_t extra)
{
    if (t->len + extra + 1 <= t->cap)
        return RK_OK;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + extra + 1)
        cap *= 2;
    /* Worst case NFKC growth is bounded by the table (at most 252 bytes per code point). */
    if (cap > (size_t)RK_MAX_PATROL_RECORD * 20u)
        return RK_ETOOBIG;
    char *d = rk_realloc(t->data, cap);
    if (d == NULL)
        return RK_ENOMEM;
    t->data = d;
    uint32_t *s = rk_reallocarray(t->src_start, cap, sizeof *s);
    if (s == NULL)
        return RK_ENOMEM;
    t->src_start = s;
    uint32_t *e = rk_reallocarray(t->src_end, cap, sizeof *e);
    if (e == NULL)
        return RK_ENOMEM;
    t->src_end = e;
    t->cap = cap;
    return RK_OK;
}

/* Decodes one UTF-8 sequence at p (n bytes left). Returns its length, or 0 if invalid. */
static size_t utf8_get(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(b & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        uint32_t c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        *cp = c;
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        uint32_t c = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                     ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        if (c < 0x10000 || c > 0x10FFFF)
            return 0;
        *cp = c;
        return 4;
    }
    return 0;
}

size_t rk__patrol_utf8_get(const unsigned char *p, size_t n, uint32_t *cp)
{
    return utf8_get(p, n, cp);
}

/* Digit readings (goroawase): 0 お, 1 い, 2 に, 3 さ, 4 し, 5 こ, 6 ろ, 7 な, 8 は, 9 く. */
static const uint32_t digit_kana[10] = {0x304A, 0x3044, 0x306B, 0x3055, 0x3057,
                                        0x3053, 0x308D, 0x306A, 0x306F, 0x304F};

/* State of one normalisation: what the last written character was, for the context folds. */
struct norm_state {
    size_t last_pos; /* byte offset in t->data of the last written character */
    uint8_t last_flags;
    int have_last;
    size_t run_pos; /* start of the current run of digits in t->data */
    size_t run_len; /* digits in it; 0 when the last character was not a digit */
    int run_ok;     /* the run is not preceded by an ASCII letter or digit */
};

static inline void put_bytes(struct rk_patrol_text *t, const char *b, size_t len, uint32_t s,
                             uint32_t e)
{
    memcpy(t->data + t->len, b, len);
    for (size_t i = 0; i < len; i++) {
        t->src_start[t->len + i] = s;
        t->src_end[t->len + i] = e;
    }
    t->len += len;
}

/* Rewrites the digit run at the end of the output as kana (the next character is kana). */
static void digits_to_kana(struct rk_patrol_text *t, struct norm_state *st)
{
    char digits[3];
    uint32_t s[3], e[3];
    size_t k = st->run_len;
    for (size_t i = 0; i < k; i++) {
        digits[i] = t->data[st->run_pos + i];
        s[i] = t->src_start[st->run_pos + i];
        e[i] = t->src_end[st->run_pos + i];
    }
    t->len = st->run_pos;
    for (size_t i = 0; i < k; i++) {
        char enc[4];
        size_t l = utf8_put(digit_kana[digits[i] - '0'], enc);
        put_bytes(t, enc, l, s[i], e[i]);
    }
}

/* Writes the folded form of one table entry; `s`,`e` is the input span of the code point. */
static void emit_entry(const struct rk_patrol_norm *n, struct rk_patrol_text *t,
                       struct norm_state *st, const struct norm_entry *en, uint32_t s, uint32_t e,
                       int next_is_kata)
{
    uint8_t f = en->flags;
    if (f & (F_VOICED | F_SEMIVOICED)) {
        if (st->have_last && (st->last_flags & F_KANA)) {
            uint32_t c = 0;
            utf8_get((const unsigned char *)t->data + st->last_pos, 3, &c);
            uint32_t v = rk__patrol_voice(c, (f & F_SEMIVOICED) != 0);
            if (v != 0) {
                utf8_put(v, t->data + st->last_pos);
                for (size_t i = st->last_pos; i < st->last_pos + 3; i++)
                    t->src_end[i] = e;
                st->last_flags &= (uint8_t)~F_KANA; /* a voiced kana takes no second mark */
            }
        }
        return;
    }
    if ((f & F_ONE) && st->have_last && (st->last_flags & F_KATA) && next_is_kata)
        return; /* 一 used as a prolonged mark between katakana: ハ一ブ (but not 万が一, が一番) */
    if (en->len == 0)
        return;
    if ((f & F_KANA) && !(f & F_PARTICLE) && st->run_len > 0 && st->run_len <= 3 && st->run_ok)
        digits_to_kana(t, st);
    if (f & F_DIGIT) {
        if (st->run_len == 0) {
            st->run_pos = t->len;
            st->run_ok = !(st->have_last && (st->last_flags & F_ALNUM));
        }
        st->run_len++;
    } else {
        st->run_len = 0;
    }
    st->last_pos = t->len;
    st->last_flags = f;
    st->have_last = 1;
    put_bytes(t, n->pool + en->off, en->len, s, e);
}

/* Above the BMP: utf8proc at run time, then the table for each resulting BMP code point. */
static void emit_astral(const struct rk_patrol_norm *n, struct rk_patrol_text *t,
                        struct norm_state *st, uint32_t cp, uint32_t s, uint32_t e)
{
    if (is_dropped_invisible(cp))
        return;
    utf8proc_int32_t tmp[8];
    int bc = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(
        (utf8proc_int32_t)cp, tmp, 8,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, &bc);
    if (k < 0 || k > 8)
        return;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        uint32_t c = (uint32_t)tmp[i];
        if (c < 0x10000) {
            emit_entry(n, t, st, &n->table[c], s, e, 0);
            continue;
        }
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
        int keep = (cat == UTF8PROC_CATEGORY_SO && keep_symbol(c, cat)) ||
                   cat == UTF8PROC_CATEGORY_LO || cat == UTF8PROC_CATEGORY_LU ||
                   cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_ND;
        if (!keep || is_dropped_invisible(c))
            continue;
        char enc[4];
        size_t l = utf8_put(c, enc);
        st->run_len = 0;
        st->last_pos = t->len;
        st->last_flags = 0;
        st->have_last = 1;
        put_bytes(t, enc, l, s, e);
    }
}

/* The common case, inlined: an entry with no context fold to apply (most code points). */
static inline int emit_plain(const struct rk_patrol_norm *n, struct rk_patrol_text *t,
                             struct norm_state *st, const struct norm_entry *en, uint32_t s,
                             uint32_t e)
{
    if ((en->flags & (F_VOICED | F_SEMIVOICED | F_ONE | F_DIGIT)) || st->run_len != 0)
        return 0;
    if (en->len != 0) {
        st->last_pos = t->len;
        st->last_flags = en->flags;
        st->have_last = 1;
        put_bytes(t, n->pool + en->off, en->len, s, e);
    }
    return 1;
}

enum rk_status rk_patrol_normalise(const struct rk_patrol_norm *n, const char *in, size_t len,
                                   struct rk_patrol_text *t)
{
    t->len = 0;
    t->n_invalid = 0;
    if (len > RK_MAX_PATROL_RECORD)
        return RK_ETOOBIG;
    struct norm_state st = {0};
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
    while (i < len) {
        /* The largest single write is a table entry (<= 252 bytes) or a digit rewrite. */
        enum rk_status rc = text_reserve(t, 256);
        if (rc != RK_OK)
            return rc;
        /* Kanji and hiragana that fold to themselves, outside a digit run: a copy. */
        if (p[i] >= 0xE0 && p[i] <= 0xEF && i + 2 < len && (p[i + 1] & 0xC0) == 0x80 &&
            (p[i + 2] & 0xC0) == 0x80 && st.run_len == 0) {
            uint32_t c = ((uint32_t)(p[i] & 0x0F) << 12) | ((uint32_t)(p[i + 1] & 0x3F) << 6) |
                         (p[i + 2] & 0x3F);
            uint8_t f = n->fast[c]; /* FAST_NONE for overlong forms and surrogates (< U+0800
                                       or U+D800..U+DFFF are never fast) */
            if (f != FAST_NONE) {
                st.last_pos = t->len;
                st.last_flags = f;
                st.have_last = 1;
                put_bytes(t, (const char *)p + i, 3, (uint32_t)i, (uint32_t)i + 3);
                i += 3;
                continue;
            }
        }
        /* ASCII fast path: one table look-up, no decode. */
        if (p[i] < 0x80) {
            const struct norm_entry *en = &n->table[p[i]];
            if (!emit_plain(n, t, &st, en, (uint32_t)i, (uint32_t)i + 1))
                emit_entry(n, t, &st, en, (uint32_t)i, (uint32_t)i + 1, 0);
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t l = utf8_get(p + i, len - i, &cp);
        if (l == 0) {
            if (t->n_invalid < RK_MAX_PATROL_INVALID_REPORT)
                t->invalid_at[t->n_invalid] = i;
            t->n_invalid++;
            static const char repl[3] = {(char)0xEF, (char)0xBF, (char)0xBD}; /* U+FFFD */
            st.run_len = 0;
            st.last_pos = t->len;
            st.last_flags = 0;
            st.have_last = 1;
            put_bytes(t, repl, 3, (uint32_t)i, (uint32_t)i + 1);
            i++;
            continue;
        }
        int next_is_kata = 0;
        if (cp == 0x4E00 && i + l < len) {
            /* 一 needs one character of look-ahead: is it followed by katakana? */
            uint32_t nc = 0;
            if (utf8_get(p + i + l, len - i - l, &nc) > 0 && nc < 0x10000)
                next_is_kata = (n->table[nc].flags & F_KATA) != 0;
        }
        if (cp < 0x10000) {
            const struct norm_entry *en = &n->table[cp];
            if (!emit_plain(n, t, &st, en, (uint32_t)i, (uint32_t)(i + l)))
                emit_entry(n, t, &st, en, (uint32_t)i, (uint32_t)(i + l), next_is_kata);
        } else {
            emit_astral(n, t, &st, cp, (uint32_t)i, (uint32_t)(i + l));
        }
        i += l;
    }
    if (t->data == NULL) {
        enum rk_status rc = text_reserve(t, 1);
        if (rc != RK_OK)
            return rc;
    }
    t->data[t->len] = '\0';
    return RK_OK;
}

/* Folds one code point for a regex pattern: appends the folded UTF-8 to `out`. */
enum rk_status rk__patrol_fold_cp(const struct rk_patrol_norm *n, uint32_t cp, struct rk_buf *out)
{
    if (cp >= 0x10000) {
        char enc[4];
        size_t l = utf8_put(cp, enc);
        return is_dropped_invisible(cp) ? RK_OK : rk_buf_add(out, enc, l);
    }
    const struct norm_entry *en = &n->table[cp];
    return rk_buf_add(out, n->pool + en->off, en->len);
}
