/*
 * Unit tests of the observables module (lib/model/obs-*.c): one table of values with their
 * exact canonical and display forms (every type, defanged and full-width forms, negative
 * cases), extraction from fictional Japanese and English narratives, invalid UTF-8, the
 * Keccak-256 and registrable-domain helpers, and the JSON preview.
 */
#include "rk-test.h"

#include <stdio.h>
#include <string.h>

#include "model/obs-internal.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/obs.h"
#include "renkei/service.h"

struct parse_case {
    const char *in;
    enum rk_obs_type hint;
    enum rk_status rc;
    enum rk_obs_type type;
    const char *canonical;
    const char *display; /* NULL: no display form */
};

#define OK(in, t, c)                                                                               \
    {                                                                                              \
        in, RK_OBS_NONE, RK_OK, RK_OBS_##t, c, NULL                                                \
    }
#define OKD(in, t, c, d)                                                                           \
    {                                                                                              \
        in, RK_OBS_NONE, RK_OK, RK_OBS_##t, c, d                                                   \
    }
#define AS(in, h, t, c)                                                                            \
    {                                                                                              \
        in, RK_OBS_##h, RK_OK, RK_OBS_##t, c, NULL                                                 \
    }
#define BAD(in)                                                                                    \
    {                                                                                              \
        in, RK_OBS_NONE, RK_EINVAL, RK_OBS_NONE, NULL, NULL                                        \
    }
#define BADAS(in, h)                                                                               \
    {                                                                                              \
        in, RK_OBS_##h, RK_EINVAL, RK_OBS_NONE, NULL, NULL                                         \
    }

static const struct parse_case parse_cases[] = {
    /* ===== IPv4 ===== */
    OK("192.168.1.1", IPV4, "192.168.1.1"),
    OK("8.8.8.8", IPV4, "8.8.8.8"),
    OK("203.0.113.45", IPV4, "203.0.113.45"),
    OK("198.51.100.7", IPV4, "198.51.100.7"),
    OK("0.0.0.0", IPV4, "0.0.0.0"),
    OK("255.255.255.255", IPV4, "255.255.255.255"),
    OK("100.64.0.1", IPV4, "100.64.0.1"),
    OK("192.168.1[.]1", IPV4, "192.168.1.1"),
    OK("192[.]168[.]1[.]1", IPV4, "192.168.1.1"),
    OK("10(.)0(.)0(.)1", IPV4, "10.0.0.1"),
    OK("203[dot]0[dot]113[dot]9", IPV4, "203.0.113.9"),
    OK("198{.}51{.}100{.}22", IPV4, "198.51.100.22"),
    /* １９２．１６８．０．１ (full-width digits and dots) */
    OK("１９２．１６８．０．１", IPV4, "192.168.0.1"),
    /* 192［．］0［．］2［．］1 */
    OK("192［．］0［．］2［．］1", IPV4, "192.0.2.1"),
    OK("  172.16.0.1  ", IPV4, "172.16.0.1"),
    /* trailing ideographic space */
    OK("172.16.0.2\xE3\x80\x80", IPV4, "172.16.0.2"),
    AS("203.0.113.200", IPV4, IPV4, "203.0.113.200"),
    BAD("256.1.1.1"),
    BAD("1.2.3"),
    BAD("1.2.3.4.5"),
    BAD("01.2.3.4"),
    BAD("192.168.1."),
    BAD("3.14"),
    BAD("1..2.3"),
    BAD("192.168.1.1a"),
    BADAS("example.com", IPV4),
    BADAS("192.168.001.1", IPV4),
    /* ===== IPv6 ===== */
    OK("2001:DB8:0:0:0:0:0:1", IPV6, "2001:db8::1"),
    OK("2001:0db8:0000:0000:0000:ff00:0042:8329", IPV6, "2001:db8::ff00:42:8329"),
    OK("2001:db8::1", IPV6, "2001:db8::1"),
    OK("::1", IPV6, "::1"),
    OK("fe80:0:0:0:0:0:0:1", IPV6, "fe80::1"),
    OK("2001:db8:0:0:1:0:0:1", IPV6, "2001:db8::1:0:0:1"),
    OK("2001:db8:0:1:0:0:0:1", IPV6, "2001:db8:0:1::1"),
    OK("2001:db8:0:1:1:1:1:1", IPV6, "2001:db8:0:1:1:1:1:1"),
    OK("::ffff:192.0.2.128", IPV6, "::ffff:192.0.2.128"),
    OK("0:0:0:0:0:ffff:c000:0280", IPV6, "::ffff:192.0.2.128"),
    OK("[2001:db8::2]", IPV6, "2001:db8::2"),
    OK("2001:DB8::ABCD", IPV6, "2001:db8::abcd"),
    OK("2001:db8:85a3::8a2e:370:7334", IPV6, "2001:db8:85a3::8a2e:370:7334"),
    OK("1::", IPV6, "1::"),
    OK("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001", IPV6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"),
    OK("2001:db8:0:0:0:0:2:1", IPV6, "2001:db8::2:1"),
    OK("2001:0:0:1:0:0:0:1", IPV6, "2001:0:0:1::1"),
    OK("2001:db8::", IPV6, "2001:db8::"),
    AS("2404:6800:4004:80b::200e", IPV6, IPV6, "2404:6800:4004:80b::200e"),
    BAD("::"),
    BAD("2001:db8::1::1"),
    BAD("12:34:56"),
    BAD("00:11:22:33:44:55"),
    BAD("2001:db8:::1"),
    BAD("1:2:3:4:5:6:7:8:9"),
    BAD("2001:db8::g"),
    BAD("12345::1"),
    BAD("2001:db8:1"),
    BADAS("192.168.1.1", IPV6),
    /* ===== CIDR ===== */
    OK("10.20.30.40/16", CIDR, "10.20.0.0/16"),
    OK("192.168.1.0/24", CIDR, "192.168.1.0/24"),
    OK("192.168.1.77/24", CIDR, "192.168.1.0/24"),
    OK("203.0.113.9/32", CIDR, "203.0.113.9/32"),
    OK("0.0.0.0/0", CIDR, "0.0.0.0/0"),
    OK("172.16.5.4/12", CIDR, "172.16.0.0/12"),
    OK("198.51.100.130/25", CIDR, "198.51.100.128/25"),
    OK("2001:db8::1/32", CIDR, "2001:db8::/32"),
    OK("2001:DB8:ABCD:12::/64", CIDR, "2001:db8:abcd:12::/64"),
    OK("2001:db8:abcd:1234:5678::1/48", CIDR, "2001:db8:abcd::/48"),
    OK("10[.]0[.]0[.]0/8", CIDR, "10.0.0.0/8"),
    BAD("10.0.0.0/33"),
    BAD("10.0.0.0/08"),
    BAD("2001:db8::/129"),
    BAD("1.2.3/24"),
    BADAS("10.0.0.0/", CIDR),
    /* ===== Domains ===== */
    OK("example.com", DOMAIN, "example.com"),
    OK("Example.COM", DOMAIN, "example.com"),
    OK("www.example.co.jp.", DOMAIN, "www.example.co.jp"),
    OK("example[.]com", DOMAIN, "example.com"),
    OK("example(.)co(.)jp", DOMAIN, "example.co.jp"),
    OK("example{.}net", DOMAIN, "example.net"),
    OK("example[dot]org", DOMAIN, "example.org"),
    OK("example(DOT)info", DOMAIN, "example.info"),
    OK("ｅｘａｍｐｌｅ．ｃｏｍ", DOMAIN, "example.com"),
    OK("ＥＸＡＭＰＬＥ．ＪＰ", DOMAIN, "example.jp"),
    OK("example［．］jp", DOMAIN, "example.jp"),
    OK("example（．）jp", DOMAIN, "example.jp"),
    OK("sub.domain-with-hyphen.example.tokyo", DOMAIN, "sub.domain-with-hyphen.example.tokyo"),
    OK("amazon-co-jp.security-check.xyz", DOMAIN, "amazon-co-jp.security-check.xyz"),
    OK("paypay-login.top", DOMAIN, "paypay-login.top"),
    OK("mail.example.ne.jp", DOMAIN, "mail.example.ne.jp"),
    OK("1password.com", DOMAIN, "1password.com"),
    OK("a.co", DOMAIN, "a.co"),
    OK("example.com.br", DOMAIN, "example.com.br"),
    OKD("xn--r8jz45g.jp", DOMAIN, "xn--r8jz45g.jp", "例え.jp"),
    OKD("例え.jp", DOMAIN, "xn--r8jz45g.jp", "例え.jp"),
    OKD("ドメイン名例.jp", DOMAIN, "xn--eckwd4c7cu47r2wf.jp", "ドメイン名例.jp"),
    OKD("ＷＷＷ．例え．ＪＰ", DOMAIN, "www.xn--r8jz45g.jp", "www.例え.jp"),
    OKD("例え[.]テスト[.]jp", DOMAIN, "xn--r8jz45g.xn--zckzah.jp", "例え.テスト.jp"),
    BAD("example"),
    BAD("example.invalidtld"),
    BAD("-example.com"),
    BAD("example-.com"),
    BAD("exa_mple.com"),
    BAD("example..com"),
    BAD("a.b.c.1"),
    BAD("localhost"),
    BAD("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"),
    BADAS("192.168.1.1", DOMAIN),
    BADAS("http://example.com/", DOMAIN),
    /* ===== URLs ===== */
    OK("http://example.com", URL, "http://example.com/"),
    OK("HTTP://EXAMPLE.COM/Path", URL, "http://example.com/Path"),
    OK("https://example.com:443/login", URL, "https://example.com/login"),
    OK("http://example.com:80/", URL, "http://example.com/"),
    OK("http://example.com:8080/", URL, "http://example.com:8080/"),
    OK("https://example.com:8443", URL, "https://example.com:8443/"),
    OK("https://example.com:0443/", URL, "https://example.com/"),
    OK("hxxp://example[.]com/index.html", URL, "http://example.com/index.html"),
    OK("hXXps://secure-login[.]example[.]net/auth?id=123", URL,
       "https://secure-login.example.net/auth?id=123"),
    OK("h**ps://example.jp/a", URL, "https://example.jp/a"),
    OK("ttps://example.jp/", URL, "https://example.jp/"),
    OK("fxp://files.example.org/pub", URL, "ftp://files.example.org/pub"),
    OK("ftp://files.example.org:21/x", URL, "ftp://files.example.org/x"),
    OK("https://example.com/%7euser/%e3%81%82", URL, "https://example.com/~user/%E3%81%82"),
    OK("https://example.com/a b", URL, "https://example.com/a%20b"),
    OK("https://example.com/a%2fb", URL, "https://example.com/a%2Fb"),
    OK("https://example.com/100%", URL, "https://example.com/100%25"),
    OKD("https://例え.jp/ログイン", URL,
        "https://xn--r8jz45g.jp/%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3",
        "https://例え.jp/%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3"),
    OK("https://user:pass@Example.com/", URL, "https://user:pass@example.com/"),
    OK("http://192.168.0.1:8080/admin", URL, "http://192.168.0.1:8080/admin"),
    OK("http://[2001:DB8::1]:8080/x", URL, "http://[2001:db8::1]:8080/x"),
    OK("http://[2001:db8::1]/", URL, "http://[2001:db8::1]/"),
    OK("https://example.com?q=1", URL, "https://example.com/?q=1"),
    OK("https://example.com/#frag", URL, "https://example.com/#frag"),
    OK("https://Example.com/Path?Q=A#F", URL, "https://example.com/Path?Q=A#F"),
    OK("example.com/login", URL, "http://example.com/login"),
    OK("bit.ly/3abcDEF", URL, "http://bit.ly/3abcDEF"),
    /* ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ */
    OK("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／", URL, "https://example.com/"),
    OK("https[:]//example[.]com/", URL, "https://example.com/"),
    OK("hxxps[://]example[.]com/a", URL, "https://example.com/a"),
    OK("https://www.example.co.jp./", URL, "https://www.example.co.jp/"),
    AS("https://example.com/", URL, URL, "https://example.com/"),
    BAD("https://"),
    BAD("https:///path"),
    BAD("http://exa mple.com/"),
    BAD("http://example.com:0/"),
    BAD("http://example.com:70000/"),
    BAD("http://example.com:abc/"),
    BAD("javascript://x"),
    BAD("http://example/"),
    BAD("gopher://example.com/"),
    BAD("http://[::1"),
    BADAS("example.com", URL),
    /* ===== E-mail ===== */
    OK("taro.yamada@example.co.jp", EMAIL, "taro.yamada@example.co.jp"),
    OK("Taro.Yamada@Example.CO.JP", EMAIL, "Taro.Yamada@example.co.jp"),
    OK("info[at]example[.]com", EMAIL, "info@example.com"),
    OK("info(at)example(.)jp", EMAIL, "info@example.jp"),
    OK("info[@]example.jp", EMAIL, "info@example.jp"),
    OK("support＠example．jp", EMAIL, "support@example.jp"),
    OK("ｓｕｐｐｏｒｔ＠ｅｘａｍｐｌｅ．ｊｐ", EMAIL, "support@example.jp"),
    OK("user+tag@example.com", EMAIL, "user+tag@example.com"),
    OK("first_last@mail.example.ne.jp", EMAIL, "first_last@mail.example.ne.jp"),
    OK("taro..yamada.@docomo.ne.jp", EMAIL, "taro..yamada.@docomo.ne.jp"),
    OKD("a@例え.jp", EMAIL, "a@xn--r8jz45g.jp", "a@例え.jp"),
    OK("no-reply@amazon-co-jp.example.top", EMAIL, "no-reply@amazon-co-jp.example.top"),
    OK("user%example.com@example.org", EMAIL, "user%example.com@example.org"),
    AS("Support@Example.JP", EMAIL, EMAIL, "Support@example.jp"),
    BAD("@example.com"),
    BAD("user@"),
    BAD("user@example"),
    BAD("user@@example.com"),
    BAD("user@example..com"),
    BAD("us er@example.com"),
    BAD("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com"),
    BADAS("example.com", EMAIL),
    /* ===== Hashes ===== */
    OK("d41d8cd98f00b204e9800998ecf8427e", MD5, "d41d8cd98f00b204e9800998ecf8427e"),
    OK("D41D8CD98F00B204E9800998ECF8427E", MD5, "d41d8cd98f00b204e9800998ecf8427e"),
    OK("da39a3ee5e6b4b0d3255bfef95601890afd80709", SHA1,
       "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    OK("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", SHA1,
       "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    OK("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", SHA256,
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    OK("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", SHA256,
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    /* the MD5 of "The quick brown fox..." in full-width letters and digits */
    OK("９ｅ１０７ｄ９ｄ３７２ｂｂ６８２６ｂｄ８１ｄ３５４２ａ４１９ｄ６", MD5,
       "9e107d9d372bb6826bd81d3542a419d6"),
    AS("9e107d9d372bb6826bd81d3542a419d6", MD5, MD5, "9e107d9d372bb6826bd81d3542a419d6"),
    AS("2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", SHA1, SHA1,
       "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
    BADAS("2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", MD5),
    BADAS("d41d8cd98f00b204e9800998ecf8427e", SHA256),
    BAD("d41d8cd98f00b204e9800998ecf8427"),
    BAD("d41d8cd98f00b204e9800998ecf8427ee"),
    BAD("g41d8cd98f00b204e9800998ecf8427e"),
    BAD("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"),
    /* ===== Phone numbers ===== */
    OK("03-1234-5678", PHONE, "+81312345678"),
    OK("0312345678", PHONE, "+81312345678"),
    OK("03(1234)5678", PHONE, "+81312345678"),
    OK("(03)1234-5678", PHONE, "+81312345678"),
    OK("03 1234 5678", PHONE, "+81312345678"),
    OK("090-1234-5678", PHONE, "+819012345678"),
    OK("09012345678", PHONE, "+819012345678"),
    OK("080 1234 5678", PHONE, "+818012345678"),
    OK("070-1234-5678", PHONE, "+817012345678"),
    OK("050-1234-5678", PHONE, "+815012345678"),
    OK("0120-123-456", PHONE, "+81120123456"),
    OK("0120-12-3456", PHONE, "+81120123456"),
    OK("0800-123-4567", PHONE, "+818001234567"),
    OK("0570-123-456", PHONE, "+81570123456"),
    OK("06-6123-4567", PHONE, "+81661234567"),
    OK("011-123-4567", PHONE, "+81111234567"),
    OK("0463-12-3456", PHONE, "+81463123456"),
    OK("+81-3-1234-5678", PHONE, "+81312345678"),
    OK("+81 90 1234 5678", PHONE, "+819012345678"),
    OK("+81 (0)3-1234-5678", PHONE, "+81312345678"),
    OK("+81-90-1234-5678", PHONE, "+819012345678"),
    OK("＋８１ ９０ １２３４ ５６７８", PHONE, "+819012345678"),
    OK("０３－１２３４－５６７８", PHONE, "+81312345678"),
    /* ０９０ー１２３４ー５６７８ with the katakana prolonged sound mark as hyphen */
    OK("０９０ー１２３４ー５６７８", PHONE, "+819012345678"),
    OK("090‐1234‐5678", PHONE, "+819012345678"),
    OK("03−1234−5678", PHONE, "+81312345678"),
    OK("（０３）１２３４－５６７８", PHONE, "+81312345678"),
    OK("+1 202 555 0123", PHONE, "+12025550123"),
    OK("+44 20 7946 0958", PHONE, "+442079460958"),
    AS("03-5555-0000", PHONE, PHONE, "+81355550000"),
    BAD("03-1234-567"),
    BAD("090-1234-567"),
    BAD("0120-123-4567"),
    BAD("12-3456-7890"),
    BAD("03-1234-56789"),
    BAD("+81-3-1234-567"),
    BAD("00-1234-5678"),
    BADAS("1234567", PHONE),
    /* ===== Bank accounts ===== */
    OK("0009-123-1234567", BANK_ACCOUNT, "0009-123-1234567"),
    OK("0009-123-1-1234567", BANK_ACCOUNT, "0009-123-1234567"),
    OK("0001-001-2-7654321", BANK_ACCOUNT, "0001-001-7654321"),
    OKD("三井住友銀行 渋谷支店 普通 1234567 ヤマダタロウ", BANK_ACCOUNT, "0009-渋谷支店-1234567",
        "三井住友銀行(0009) 渋谷支店 普通 1234567 ヤマダタロウ"),
    OKD("〇〇銀行 △△支店 普通 1234567 ヤマダタロウ", BANK_ACCOUNT, "〇〇銀行-△△支店-1234567",
        "〇〇銀行 △△支店 普通 1234567 ヤマダタロウ"),
    OKD("銀行コード0009 支店番号123 普通 1234567", BANK_ACCOUNT, "0009-123-1234567",
        "銀行コード0009 支店番号123 普通 1234567"),
    OKD("みずほ銀行 新宿支店 当座 0123456", BANK_ACCOUNT, "0001-新宿支店-0123456",
        "みずほ銀行(0001) 新宿支店 当座 0123456"),
    OKD("ゆうちょ銀行 〇一八支店 普通 1234567", BANK_ACCOUNT, "9900-〇一八支店-1234567",
        "ゆうちょ銀行(9900) 〇一八支店 普通 1234567"),
    OKD("楽天銀行 第一営業支店 普通預金 口座番号 7654321 サンプルショウジ", BANK_ACCOUNT,
        "0036-第一営業支店-7654321", "楽天銀行(0036) 第一営業支店 普通 7654321 サンプルショウジ"),
    OKD("ＡＢＣ信用金庫 本店営業部 普通 1111111", BANK_ACCOUNT, "ABC信用金庫-本店営業部-1111111",
        "ABC信用金庫 本店営業部 普通 1111111"),
    OKD("三菱ＵＦＪ銀行 渋谷支店（１３５） 普通 ２２２２２２２", BANK_ACCOUNT, "0005-135-2222222",
        "三菱UFJ銀行(0005) 渋谷支店(135) 普通 2222222"),
    OKD("振込先：さくら信用金庫 駅前支店 貯蓄 3333333 スズキ ハナコ", BANK_ACCOUNT,
        "さくら信用金庫-駅前支店-3333333", "さくら信用金庫 駅前支店 貯蓄 3333333 スズキ ハナコ"),
    /* canonical forms with names parse back to themselves; a major bank's name to its code */
    OK("〇〇銀行-△△支店-1234567", BANK_ACCOUNT, "〇〇銀行-△△支店-1234567"),
    OK("さくら信用金庫-駅前支店-3333333", BANK_ACCOUNT, "さくら信用金庫-駅前支店-3333333"),
    OK("三井住友銀行-渋谷支店-1234567", BANK_ACCOUNT, "0009-渋谷支店-1234567"),
    OK("0005-135-2222222", BANK_ACCOUNT, "0005-135-2222222"),
    OK("ABC信用金庫-本店営業部-1111111", BANK_ACCOUNT, "ABC信用金庫-本店営業部-1111111"),
    BAD("〇〇銀行-△△-1234567"),
    BAD("〇〇-△△支店-1234567"),
    BAD("〇〇銀行-△△支店-123456"),
    BAD("三井住友銀行 普通 1234567"),
    BAD("渋谷支店 普通 1234567"),
    BAD("三井住友銀行 渋谷支店 普通 123456"),
    BAD("0009-12-1234567"),
    BAD("0009-123-3-1234567"),
    /* ===== Crypto wallets ===== */
    OK("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", CRYPTO_WALLET, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    OK("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", CRYPTO_WALLET, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
    OK("1PhuZnG3nvrqdXTtnFx3SK6Ty2qxxqfpP2", CRYPTO_WALLET, "1PhuZnG3nvrqdXTtnFx3SK6Ty2qxxqfpP2"),
    OK("1CzTKvWZ2hT1ECJ7DxBw1eRpVnTXkZGbB5", CRYPTO_WALLET, "1CzTKvWZ2hT1ECJ7DxBw1eRpVnTXkZGbB5"),
    OK("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", CRYPTO_WALLET, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    OK("32tKvcCfs46S6Yb1J1ZNCxJc5S2GUoPeXF", CRYPTO_WALLET, "32tKvcCfs46S6Yb1J1ZNCxJc5S2GUoPeXF"),
    OK("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", CRYPTO_WALLET,
       "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    OK("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", CRYPTO_WALLET,
       "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    OK("bc1q438g58ghh64raaawk35fhvcya0nc8ecns6892p", CRYPTO_WALLET,
       "bc1q438g58ghh64raaawk35fhvcya0nc8ecns6892p"),
    OK("bc1qw7zsv7rysvkpfpfwlef4fusdyme9fzqhgytqgwugetv6mssecu6s0a3psd", CRYPTO_WALLET,
       "bc1qw7zsv7rysvkpfpfwlef4fusdyme9fzqhgytqgwugetv6mssecu6s0a3psd"),
    OK("bc1pej4ashkc2jssqn6hu05p9plvt92m7hv9qvqjnspwhzcdeqymjnnss0tdlx", CRYPTO_WALLET,
       "bc1pej4ashkc2jssqn6hu05p9plvt92m7hv9qvqjnspwhzcdeqymjnnss0tdlx"),
    OK("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", CRYPTO_WALLET,
       "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
    OK("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", CRYPTO_WALLET,
       "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
    OK("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", CRYPTO_WALLET,
       "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
    OK("0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359", CRYPTO_WALLET,
       "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
    OK("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", CRYPTO_WALLET,
       "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"),
    OK("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", CRYPTO_WALLET,
       "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"),
    OK("0x52908400098527886E0F7030069857D2E4169EE7", CRYPTO_WALLET,
       "0x52908400098527886E0F7030069857D2E4169EE7"),
    OK("0xde709f2102306220921060314715629080e2fb77", CRYPTO_WALLET,
       "0xde709f2102306220921060314715629080e2fb77"),
    AS("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", CRYPTO_WALLET, CRYPTO_WALLET,
       "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    BAD("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"),
    BAD("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz"),
    BAD("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr"),
    BAD("bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    BAD("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
    BAD("bc1puwgllfz9gfcxuv3gwcrdrz98xl4gsz3jwy2phhsjaldemgzj65kqnhmfm6"),
    BADAS("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", CRYPTO_WALLET),
    /* ===== File names ===== */
    OK("invoice.exe", FILENAME, "invoice.exe"),
    OK("請求書.pdf.exe", FILENAME, "請求書.pdf.exe"),
    OK("setup.zip", FILENAME, "setup.zip"),
    OK("payload.JS", FILENAME, "payload.JS"),
    OK("Document_2024.docm", FILENAME, "Document_2024.docm"),
    OK("app-release.apk", FILENAME, "app-release.apk"),
    OK("update.ps1", FILENAME, "update.ps1"),
    OK("archive.7z", FILENAME, "archive.7z"),
    OK("photo.scr", FILENAME, "photo.scr"),
    OK("report.xlsm", FILENAME, "report.xlsm"),
    OK("run.bat", FILENAME, "run.bat"),
    OK("dropper.vbs", FILENAME, "dropper.vbs"),
    OK("ファイル.lnk", FILENAME, "ファイル.lnk"),
    OK("backup.iso", FILENAME, "backup.iso"),
    OK("ｉｎｖｏｉｃｅ．ｅｘｅ", FILENAME, "invoice.exe"),
    BADAS("noext", FILENAME),
    BADAS(".exe", FILENAME),
    BADAS("a.unknownext", FILENAME),
    BADAS("dir/invoice.exe", FILENAME),
    /* ===== Nothing at all ===== */
    BAD(""),
    BAD("   "),
    BAD("こんにちは"),
    BAD("v1.2.3"),
    BAD("2024.01.02"),
    BAD("1.500円"),
    BAD("hello world"),
    /* invalid UTF-8 around a valid value: 0xFF, a lone continuation byte, an overlong '/' */
    BAD("\xFF"
        "example.com"),
    BAD("invoice\x80.exe"),
    BAD("\xC0\xAF"
        "1.1.1.1"),
    /* "（(dot))" refangs to "(.)" and then to ".": the canonical form is the fixed point */
    OK("example（(dot))com", DOMAIN, "example.com"),
};

static void test_parse_table(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < RK_ARRAY_LEN(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct rk_obs o;
        enum rk_status rc = rk_obs_parse(c->in, strlen(c->in), c->hint, &o);
        int bad = rc != c->rc;
        if (!bad && rc == RK_OK) {
            bad = o.type != c->type || strcmp(o.canonical, c->canonical) != 0 ||
                  strcmp(o.value, c->in) != 0 || (c->display == NULL) != (o.display == NULL) ||
                  (c->display != NULL && strcmp(c->display, o.display) != 0);
        }
        if (!bad && rc != RK_OK)
            bad = o.type != RK_OBS_NONE || o.value != NULL || o.canonical != NULL;
        if (bad) {
            fprintf(stderr, "%s:%d: case %zu \"%s\": got rc=%d type=%s canonical=%s display=%s\n",
                    __FILE__, __LINE__, i, c->in, rc, rk_obs_type_name(o.type),
                    o.canonical ? o.canonical : "-", o.display ? o.display : "-");
            failed++;
        }
        rk_obs_clear(&o);
    }
    assert_int_equal(failed, 0);
    assert_true(RK_ARRAY_LEN(parse_cases) >= 200);
}

static void test_parse_limits(void **state)
{
    struct rk_obs o;
    static char big[RK_MAX_OBS_VALUE + 2];
    memset(big, 'a', sizeof big - 1);
    assert_int_equal(rk_obs_parse(big, sizeof big - 1, RK_OBS_NONE, &o), RK_ETOOBIG);
    assert_null(o.value);
    /* An embedded NUL is never part of a value. */
    assert_int_equal(rk_obs_parse("a.com\0b", 7, RK_OBS_NONE, &o), RK_EINVAL);
    assert_int_equal(rk_obs_parse("1.1.1.1", 7, (enum rk_obs_type)99, &o), RK_EINVAL);
    rk_obs_clear(NULL);
    rk_obs_list_clear(NULL);
}

static void test_type_names(void **state)
{
    for (int t = 1; t < RK_OBS_TYPE_COUNT; t++)
        assert_int_equal(rk_obs_type_from_name(rk_obs_type_name((enum rk_obs_type)t)), t);
    assert_string_equal(rk_obs_type_name(RK_OBS_BANK_ACCOUNT), "bank-account");
    assert_string_equal(rk_obs_type_name(RK_OBS_CRYPTO_WALLET), "crypto-wallet");
    assert_string_equal(rk_obs_type_name(RK_OBS_NONE), "none");
    assert_int_equal(rk_obs_type_from_name("nope"), RK_OBS_NONE);
    assert_int_equal(rk_obs_type_from_name(NULL), RK_OBS_NONE);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void test_hashes(void **state)
{
    struct {
        const char *in;
        const char *want;
    } v[] = {
        {"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
        {"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(v); i++) {
        uint8_t h[32];
        char s[65];
        rk__obs_keccak256((const uint8_t *)v[i].in, strlen(v[i].in), h);
        hex(h, 32, s);
        assert_string_equal(s, v[i].want);
    }
    struct {
        const char *in;
        const char *want;
    } sha[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(sha); i++) {
        uint8_t h[32];
        char s[65];
        rk__obs_sha256((const uint8_t *)sha[i].in, strlen(sha[i].in), h);
        hex(h, 32, s);
        assert_string_equal(s, sha[i].want);
    }
    /* A message longer than one block (136 bytes) must be absorbed in two. */
    char m[200];
    memset(m, 'a', sizeof m);
    uint8_t h1[32], h2[32];
    rk__obs_keccak256((const uint8_t *)m, 136, h1);
    rk__obs_keccak256((const uint8_t *)m, 137, h2);
    assert_memory_not_equal(h1, h2, 32);
}

static void test_registrable(void **state)
{
    struct {
        const char *in;
        enum rk_status rc;
        const char *want;
    } v[] = {
        {"www.example.co.jp", RK_OK, "example.co.jp"},
        {"a.b.example.com", RK_OK, "example.com"},
        {"login[.]example[.]tokyo", RK_OK, "example.tokyo"},
        {"ＷＷＷ．例え．ＪＰ", RK_OK, "xn--r8jz45g.jp"},
        {"co.jp", RK_EINVAL, NULL},
        {"not a domain", RK_EINVAL, NULL},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(v); i++) {
        char *out = NULL;
        assert_int_equal(rk_obs_registrable_domain(v[i].in, &out), v[i].rc);
        if (v[i].want != NULL)
            assert_string_equal(out, v[i].want);
        else
            assert_null(out);
        rk_free(out);
    }
}

/* ===== Extraction ===== */

struct extract_case {
    const char *name;
    const char *text;
    const char *want; /* "type\tcanonical\tvalue\toffset\n" per observable */
};

static const struct extract_case extract_cases[] = {
    {"phishing-sms",
     "【重要】お客様のアカウントが停止されました。hxxps://amaz0n-co-jp[.]example[.]top/login "
     "から確認してください。",
     "url\thttps://amaz0n-co-jp.example.top/login\thxxps://amaz0n-co-jp[.]example[.]top/login\t66\n"
     "domain\tamaz0n-co-jp.example.top\tamaz0n-co-jp[.]example[.]top\t74\n"},
    {"ip-and-versions",
     "不審な通信先は203.0.113.45（ポート443）。ソフトのバージョン1.2.3.4、ver 10.0.0.1、v2.1.0、"
     "2024.01.02に更新、料金は1.500円。",
     "ipv4\t203.0.113.45\t203.0.113.45\t21\n"},
    {"contacts",
     "犯人はinfo[at]example[.]jpから連絡してきた。電話番号：090-1234-5678、"
     "会社は03 1234 5678、フリーダイヤル０１２０－１２３－４５６。",
     "email\tinfo@example.jp\tinfo[at]example[.]jp\t9\n"
     "phone\t+819012345678\t090-1234-5678\t71\n"
     "phone\t+81312345678\t03 1234 5678\t96\n"
     "phone\t+81120123456\t０１２０－１２３－４５６\t132\n"},
    {"bank", "「振込先は三井住友銀行 渋谷支店 普通 1234567 ヤマダタロウです」と指示された。",
     "bank-account\t0009-渋谷支店-1234567\t三井住友銀行 渋谷支店 普通 1234567 ヤマダタロウ\t15\n"},
    {"bank-codes", "被害者は銀行コード0009 支店番号123 口座番号1234567へ送金した。",
     "bank-account\t0009-123-1234567\t銀行コード0009 支店番号123 口座番号1234567\t12\n"},
    {"wallets-hashes",
     "送金先BTCアドレス：bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq、ETH：0x5aaeb6053f3e94c9b9a09f3"
     "3669435e7ef1beaed。"
     "検体のSHA256はe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855。",
     "crypto-"
     "wallet\tbc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\tbc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5md"
     "q\t27\n"
     "crypto-"
     "wallet\t0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\t0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae"
     "d\t78\n"
     "sha256\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\te3b0c44298fc1c149af"
     "bf4c8996fb92427ae41e4649b934ca495991b7852b855\t141\n"},
    {"bad-wallet-not-reported", "ウォレット1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb（チェックサム誤り）",
     ""},
    {"english",
     "The actor used http://[2001:db8::1]:8080/panel and 198.51.100.0/24; mail from "
     "noreply@example.net. Dropped invoice.exe (md5 D41D8CD98F00B204E9800998ECF8427E).",
     "url\thttp://[2001:db8::1]:8080/panel\thttp://[2001:db8::1]:8080/panel\t15\n"
     "ipv6\t2001:db8::1\t2001:db8::1\t23\n"
     "cidr\t198.51.100.0/24\t198.51.100.0/24\t51\n"
     "email\tnoreply@example.net\tnoreply@example.net\t78\n"
     "filename\tinvoice.exe\tinvoice.exe\t107\n"
     "md5\td41d8cd98f00b204e9800998ecf8427e\tD41D8CD98F00B204E9800998ECF8427E\t124\n"},
    {"fullwidth",
     "サイトはｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／でした。ドメイン例え.jpは対象外。",
     "url\thttps://example.com/\tｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／\t12\n"
     "domain\texample.com\tｅｘａｍｐｌｅ．ｃｏｍ\t36\n"},
    {"url-before-japanese", "https://example.jp/path/にアクセスし、「請求書.pdf.exe」を開いた。",
     "url\thttps://example.jp/path/\thttps://example.jp/path/\t0\n"
     "domain\texample.jp\texample.jp\t8\n"
     "filename\t請求書.pdf.exe\t請求書.pdf.exe\t48\n"},
    {"word-then-email", "送信元 8.8.8.8/taro@example.jp 以上",
     "ipv4\t8.8.8.8\t8.8.8.8\t10\n"
     "email\ttaro@example.jp\ttaro@example.jp\t18\n"},
    {"unspecified-ipv6", "0:0:00::0:0 と ::/0 と 2001:DB8:0:0:0:0:0:0",
     "cidr\t::/0\t::/0\t16\n"
     "ipv6\t2001:db8::\t2001:DB8:0:0:0:0:0:0\t25\n"},
    {"japanese-forms",
     "相談者によると、犯人は「support＠example．co．jp」から連絡し、（０３）１２３４－５６７８への"
     "折り返し"
     "を求めた。\n不正送金先：ゆうちょ銀行 〇一八支店 普通預金 口座番号 ７６５４３２１ 名義 "
     "サンプル "
     "ハナコ。\nC2サーバは203［．］0［．］113［．］77:8443、ドメインはmalware(.)example(.)net、"
     "ファイルは「見積書.xlsm」。\nVer.5.6.7.8 のルータとﾊﾞｰｼﾞｮﾝ 1.1.1.1、検体 "
     "md5:0cc175b9c0f1b6a831c399e269772661。",
     "email\tsupport@example.co.jp\tsupport＠example．co．jp\t36\n"
     "phone\t+81312345678\t（０３）１２３４－５６７８\t84\n"
     "bank-account\t9900-〇一八支店-7654321\tゆうちょ銀行 〇一八支店 普通預金 口座番号 "
     "７６５４３２１ "
     "名義 サンプル ハナコ\t175\n"
     "ipv4\t203.0.113.77\t203［．］0［．］113［．］77\t305\n"
     "domain\tmalware.example.net\tmalware(.)example(.)net\t364\n"
     "filename\t見積書.xlsm\t見積書.xlsm\t408\n"
     "md5\t0cc175b9c0f1b6a831c399e269772661\t0cc175b9c0f1b6a831c399e269772661\t499\n"},
    {"idn-urls",
     "サイト https://例え.jp/login にアクセスし、次に http://ドメイン名例.jpにアクセス。"
     "hxxps://日本語[.]example[.]com/x",
     "url\thttps://xn--r8jz45g.jp/login\thttps://例え.jp/login\t10\n"
     "domain\txn--r8jz45g.jp\t例え.jp\t18\n"
     "url\thttp://xn--eckwd4c7cu47r2wf.jp/\thttp://ドメイン名例.jp\t62\n"
     "domain\txn--eckwd4c7cu47r2wf.jp\tドメイン名例.jp\t69\n"
     "url\thttps://xn--wgv71a119e.example.com/x\thxxps://日本語[.]example[.]com/x\t108\n"
     "domain\txn--wgv71a119e.example.com\t日本語[.]example[.]com\t116\n"},
    {"nothing", "特に不審な点はなかった。Windows 11 を使用。2024年1月2日 14:30 頃。", ""},
};

static void render(const struct rk_obs_list *l, struct rk_buf *b)
{
    for (size_t i = 0; i < l->count; i++) {
        const struct rk_obs *o = &l->items[i];
        assert_int_equal(rk_buf_addf(b, "%s\t%s\t%s\t%zu\n", rk_obs_type_name(o->type),
                                     o->canonical, o->value, o->offset),
                         RK_OK);
    }
}

static void test_extract_table(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < RK_ARRAY_LEN(extract_cases); i++) {
        const struct extract_case *c = &extract_cases[i];
        struct rk_obs_list l = {0};
        struct rk_buf b;
        rk_buf_init(&b, 0);
        assert_int_equal(rk_buf_adds(&b, ""), RK_OK);
        assert_int_equal(rk_obs_extract(c->text, strlen(c->text), &l), RK_OK);
        render(&l, &b);
        for (size_t k = 0; k < l.count; k++)
            assert_memory_equal(c->text + l.items[k].offset, l.items[k].value, l.items[k].length);
        if (strcmp(b.data, c->want) != 0) {
            fprintf(stderr, "%s:%d: extract case %s:\n--- got\n%s--- want\n%s", __FILE__, __LINE__,
                    c->name, b.data, c->want);
            failed++;
        }
        rk_buf_free(&b);
        rk_obs_list_clear(&l);
    }
    assert_int_equal(failed, 0);
}

static void test_extract_invalid_utf8(void **state)
{
    /* 0xFF, a lone continuation byte, a truncated 3-byte sequence and an overlong '/' around
     * real observables: they are skipped, never fatal, and nothing else is lost. */
    static const char text[] = "\xFF\x80 8.8.8.8\xE3\x81 example.com\xC0\xAF"
                               "203.0.113.9\xEF\xBC";
    struct rk_obs_list l = {0};
    assert_int_equal(rk_obs_extract(text, sizeof text - 1, &l), RK_OK);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.items[0].canonical, "8.8.8.8");
    assert_int_equal(l.items[0].offset, 3);
    assert_string_equal(l.items[1].canonical, "example.com");
    assert_string_equal(l.items[2].canonical, "203.0.113.9");
    rk_obs_list_clear(&l);
    assert_int_equal(l.count, 0);
    assert_null(l.items);
}

static void test_extract_appends(void **state)
{
    struct rk_obs_list l = {0};
    assert_int_equal(rk_obs_extract("1.1.1.1", 7, &l), RK_OK);
    assert_int_equal(rk_obs_extract("a 1.1.1.1 1.1.1.1", 17, &l), RK_OK);
    assert_int_equal(l.count, 3);
    assert_int_equal(l.items[1].offset, 2);
    assert_int_equal(l.items[2].offset, 10);
    rk_obs_list_clear(&l);
}

static void test_preview_json(void **state)
{
    static const char text[] = "連絡先は090-1234-5678、サイトは例え.jpではなくxn--r8jz45g.jp";
    json_t *out = NULL;
    struct rk_error err;
    assert_int_equal(rk_observable_preview(text, sizeof text - 1, &out, &err), RK_OK);
    json_t *arr = json_object_get(out, "observables");
    assert_int_equal(json_array_size(arr), 2);
    json_t *p = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(p, "type")), "phone");
    assert_string_equal(json_string_value(json_object_get(p, "canonical")), "+819012345678");
    assert_int_equal(json_integer_value(json_object_get(p, "offset")), 12);
    assert_int_equal(json_integer_value(json_object_get(p, "length")), 13);
    assert_null(json_object_get(p, "display"));
    json_t *d = json_array_get(arr, 1);
    assert_string_equal(json_string_value(json_object_get(d, "display")), "例え.jp");
    json_decref(out);
    assert_int_equal(rk_observable_preview(NULL, 0, &out, &err), RK_EINVAL);
    assert_string_equal(err.field, "text");
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),          cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_type_names),           cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_registrable),          cmocka_unit_test(test_extract_table),
        cmocka_unit_test(test_extract_invalid_utf8), cmocka_unit_test(test_extract_appends),
        cmocka_unit_test(test_preview_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
