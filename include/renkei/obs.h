/*
 * Observables: parse, refang, classify and canonicalise the values that tie cyber cases
 * together (addresses, domains, URLs, e-mail, hashes, phone numbers, bank accounts, wallets),
 * and extract them from Japanese or English free text. The canonical forms are specified in
 * docs/observables.md; two values are the same observable exactly when their type and
 * canonical form are equal.
 *
 * Thread-safety: every function is safe to call from several threads at once.
 */
#ifndef RENKEI_OBS_H
#define RENKEI_OBS_H

#include <stddef.h>

#include "renkei/status.h"

enum rk_obs_type {
    RK_OBS_NONE = 0,
    RK_OBS_IPV4,
    RK_OBS_IPV6,
    RK_OBS_CIDR,
    RK_OBS_DOMAIN,
    RK_OBS_URL,
    RK_OBS_EMAIL,
    RK_OBS_MD5,
    RK_OBS_SHA1,
    RK_OBS_SHA256,
    RK_OBS_PHONE,
    RK_OBS_BANK_ACCOUNT,
    RK_OBS_CRYPTO_WALLET,
    RK_OBS_FILENAME,
    RK_OBS_TYPE_COUNT
};

/*
 * Returns the stable name of a type as used in JSON and in the database: "ipv4", "ipv6",
 * "cidr", "domain", "url", "email", "md5", "sha1", "sha256", "phone", "bank-account",
 * "crypto-wallet", "filename" ("none" for RK_OBS_NONE). Ownership: a static string.
 */
const char *rk_obs_type_name(enum rk_obs_type t);
/* The inverse of rk_obs_type_name(); RK_OBS_NONE for an unknown name. */
enum rk_obs_type rk_obs_type_from_name(const char *name);

/* One observable. All strings are owned by the struct and freed by rk_obs_clear(); they share
 * one allocation, so never free or replace them one by one. */
struct rk_obs {
    enum rk_obs_type type;
    char *value;     /* the text as found (or as given), NUL-terminated */
    char *canonical; /* the canonical form (docs/observables.md) */
    char *display;   /* a form for people where it differs (IDN in Unicode), else NULL */
    size_t offset;   /* byte offset of `value` in the extracted text (0 for rk_obs_parse) */
    size_t length;   /* byte length of `value` in that text */
};

/* Frees the strings of `o` and zeroes it; accepts NULL. */
void rk_obs_clear(struct rk_obs *o);

/*
 * Parses one value, refanging it first ("hxxp://example[.]com", full-width forms), and fills
 * `out` with its type and canonical form. With `hint` != RK_OBS_NONE the value must be of that
 * type; otherwise the type is detected. A value that is not a valid observable (a Bitcoin
 * address with a bad checksum, "1.2.3" or "3.14") returns RK_EINVAL and leaves `out` zeroed.
 * Returns RK_OK, RK_EINVAL, RK_ETOOBIG (longer than RK_MAX_OBS_VALUE) or RK_ENOMEM.
 * Ownership: on RK_OK the caller frees `out` with rk_obs_clear().
 */
enum rk_status rk_obs_parse(const char *in, size_t len, enum rk_obs_type hint, struct rk_obs *out);

/* A growable list of observables, filled by rk_obs_extract(). */
struct rk_obs_list {
    struct rk_obs *items;
    size_t count;
    size_t cap;
};

/* Frees every item and the array; the list is empty and reusable after. Accepts NULL. */
void rk_obs_list_clear(struct rk_obs_list *l);

/*
 * Extracts every observable from free text (UTF-8, Japanese or English, defanged or not) and
 * appends them to `out` in order of offset. The same canonical value found twice is listed
 * twice (each with its offset); callers that want distinct values deduplicate by
 * (type, canonical). Invalid UTF-8 is skipped, never fatal.
 * Returns RK_OK, RK_ETOOBIG (text longer than RK_MAX_OBS_TEXT) or RK_ENOMEM; on error `out` keeps
 * what it held before the call.
 */
enum rk_status rk_obs_extract(const char *text, size_t len, struct rk_obs_list *out);

/*
 * The registrable domain ("eTLD+1", from the Public Suffix List) of a host name given as text
 * (refanged, Unicode or A-label): "www.example.co.jp" -> "example.co.jp". Returns RK_OK,
 * RK_EINVAL (not a domain, or itself a public suffix such as "co.jp"), RK_ETOOBIG or RK_ENOMEM.
 * Ownership: on RK_OK `*out` is a new A-label string the caller frees with rk_free().
 */
enum rk_status rk_obs_registrable_domain(const char *host, char **out);

#endif
