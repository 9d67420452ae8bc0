/*
 * Internal interface between the observable modules (lib/model/obs-*.c). Each recogniser takes
 * a refanged ASCII candidate (or, for hosts and bank accounts, UTF-8) and either rejects it with
 * RK_EINVAL or writes the canonical form (and a display form where one differs) into scratch
 * buffers owned by the caller. Recognisers never allocate except through those buffers, so the
 * extractor can try many candidates cheaply.
 */
#ifndef RK_OBS_INTERNAL_H
#define RK_OBS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/buf.h"
#include "renkei/obs.h"
#include "renkei/status.h"

/* Output of a recogniser: `canon` always, `disp` only when the display form differs. */
struct rk__obs_out {
    struct rk_buf canon;
    struct rk_buf disp;
};

void rk__obs_out_init(struct rk__obs_out *o);
void rk__obs_out_reset(struct rk__obs_out *o);
void rk__obs_out_free(struct rk__obs_out *o);

/* ===== Character classes (obs-refang.c) ===== */

static inline int rk__is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
static inline int rk__is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
static inline int rk__is_alnum(unsigned char c)
{
    return rk__is_digit(c) || rk__is_alpha(c);
}
static inline int rk__is_hex(unsigned char c)
{
    return rk__is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
static inline unsigned char rk__lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}
static inline int rk__hexval(unsigned char c)
{
    return rk__is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/*
 * If `p` starts with a full-width form of a printable ASCII character (U+FF01..U+FF5E) returns
 * 3 and sets *c to the ASCII character; otherwise 0.
 */
size_t rk__obs_fullwidth(const unsigned char *p, size_t avail, unsigned char *c);

/*
 * If `p` starts with a defanging token ("[.]", "(dot)", "[at]", "［．］", "[:]", "[://]", ...)
 * returns its length in bytes and points *repl at its meaning ("." "@" ":" "://" "/");
 * otherwise 0.
 */
size_t rk__obs_defang(const unsigned char *p, size_t avail, const char **repl);

/*
 * Refangs `in` into `out` (reset first): full-width ASCII to ASCII, defanging tokens to what
 * they stand for, surrounding white space dropped. Other bytes are copied unchanged. When
 * `map` is not NULL it receives, for each output byte i, the input offset it came from, and
 * map[out->len] = len; it must have room for len + 1 entries.
 */
enum rk_status rk__obs_refang(const char *in, size_t len, struct rk_buf *out, uint32_t *map);

/* Whether [s, s+n) is well-formed UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF). */
int rk__obs_utf8_valid(const char *s, size_t n);

/* ===== Recognisers: RK_OK (recognised), RK_EINVAL (not this type), RK_ENOMEM ===== */

/* obs-ip.c. `port` allows a trailing ":port" (dropped) for IPv4. */
enum rk_status rk__obs_ipv4(const char *s, size_t n, struct rk__obs_out *o);
enum rk_status rk__obs_ipv6(const char *s, size_t n, struct rk__obs_out *o);
enum rk_status rk__obs_cidr(const char *s, size_t n, struct rk__obs_out *o);
/* Parses a dotted quad into 4 bytes. */
int rk__obs_ipv4_bytes(const char *s, size_t n, uint8_t b[4]);
/* Parses an IPv6 text form into 16 bytes. */
int rk__obs_ipv6_bytes(const char *s, size_t n, uint8_t b[16]);
/* Appends the RFC 5952 text of 16 bytes. */
enum rk_status rk__obs_ipv6_format(const uint8_t b[16], struct rk_buf *out);

/* obs-host.c: a domain name (ASCII or Unicode). Requires a known top-level domain. */
enum rk_status rk__obs_domain(const char *s, size_t n, struct rk__obs_out *o);
/* A host of a URL: domain, IPv4 or [IPv6]; appends the canonical host to `out`. */
enum rk_status rk__obs_host(const char *s, size_t n, struct rk_buf *out, struct rk_buf *disp,
                            enum rk_obs_type *kind);
/* Whether `s` (lower-case ASCII, no dots) is a top-level domain in the Public Suffix List. */
int rk__obs_is_tld(const char *s, size_t n);

/* obs-url.c: scheme://... (hxxp and friends accepted) or host/path. */
enum rk_status rk__obs_url(const char *s, size_t n, struct rk__obs_out *o);
/* Length of a scheme alias ending exactly at s[n] ("http", "hxxps", "ttp", ...), or 0. */
size_t rk__obs_scheme_before(const char *s, size_t n);

/* obs-email.c */
enum rk_status rk__obs_email(const char *s, size_t n, struct rk__obs_out *o);
/* Whether c may appear in the local part of an address (the subset the extractor accepts). */
int rk__obs_email_local_char(unsigned char c);

/* obs-hash.c: 32, 40 or 64 hex digits. */
enum rk_status rk__obs_hash(const char *s, size_t n, struct rk__obs_out *o, enum rk_obs_type *type);

/* obs-wallet.c */
enum rk_status rk__obs_wallet(const char *s, size_t n, struct rk__obs_out *o);
/* Keccak-256 (the pre-standard padding Ethereum uses), for EIP-55 and its tests. */
void rk__obs_keccak256(const uint8_t *in, size_t len, uint8_t out[32]);
/* SHA-256, for the base58check checksum and its tests. */
void rk__obs_sha256(const uint8_t *in, size_t len, uint8_t out[32]);

/* obs-file.c: name.ext with a known extension. */
enum rk_status rk__obs_filename(const char *s, size_t n, struct rk__obs_out *o);
/* Whether the extension (without dot, any case) is one the filename recogniser knows. */
int rk__obs_file_ext(const char *s, size_t n);

/*
 * obs-phone.c: reads a phone number at the start of raw UTF-8 text (full-width digits,
 * hyphens of every kind, spaces and parentheses allowed between digit groups). Returns the
 * number of bytes taken (0: no number) and writes the E.164 canonical form.
 */
size_t rk__obs_phone_scan(const unsigned char *p, size_t avail, struct rk__obs_out *o,
                          enum rk_status *rc);
enum rk_status rk__obs_phone(const char *s, size_t n, struct rk__obs_out *o);

/*
 * obs-bank.c: finds Japanese bank-account mentions in raw UTF-8 text and calls `found` with
 * the span and canonical/display forms of each. Returns RK_OK or the first error of `found`.
 */
typedef enum rk_status (*rk__obs_bank_cb)(size_t off, size_t len, struct rk__obs_out *o,
                                          void *user_data);
enum rk_status rk__obs_bank_scan(const char *text, size_t len, rk__obs_bank_cb found,
                                 void *user_data);
enum rk_status rk__obs_bank(const char *s, size_t n, struct rk__obs_out *o);
/* The extractor's entry: a 7-digit number starts at text[num]; if an account mention ends
 * with it, calls `found` once. */
enum rk_status rk__obs_bank_at_number(const char *text, size_t len, size_t num,
                                      rk__obs_bank_cb found, void *user_data);

/* obs-extract.c: classifies a refanged ASCII word (no URL, no e-mail) as any word type. */
enum rk_status rk__obs_word(const char *s, size_t n, struct rk__obs_out *o, enum rk_obs_type *type);

#endif
