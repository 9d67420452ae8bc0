/*
 * Password hashing with argon2id (libargon2), the memory-hard function recommended for
 * passwords. Parameters follow the OWASP baseline for argon2id (19 MiB, 2 passes, 1 lane):
 * about 30-60 ms per hash on the target machine, slow enough against guessing, fast enough
 * for log-in. The encoded form ($argon2id$v=19$m=...,t=...,p=...$salt$hash) carries its
 * parameters, so they can be raised later without invalidating stored hashes.
 */
#include "store/store.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <string.h>

#include "renkei/limits.h"

#define RK_ARGON2_T 2
#define RK_ARGON2_M_KIB 19456
#define RK_ARGON2_P 1
#define RK_ARGON2_SALT 16
#define RK_ARGON2_HASHLEN 32

enum rk_status rk__password_hash(const char *password, char *out, size_t outlen)
{
    unsigned char salt[RK_ARGON2_SALT];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return RK_EIO;
    int rc = argon2id_hash_encoded(RK_ARGON2_T, RK_ARGON2_M_KIB, RK_ARGON2_P, password,
                                   strlen(password), salt, sizeof(salt), RK_ARGON2_HASHLEN, out,
                                   outlen);
    return rc == ARGON2_OK ? RK_OK : (rc == ARGON2_MEMORY_ALLOCATION_ERROR ? RK_ENOMEM : RK_EIO);
}

enum rk_status rk__password_verify(const char *encoded, const char *password)
{
    if (encoded == NULL || password == NULL)
        return RK_EAUTH;
    int rc = argon2id_verify(encoded, password, strlen(password));
    return rc == ARGON2_OK ? RK_OK : RK_EAUTH;
}

enum rk_status rk__password_check(const char *password, const char *field, struct rk_error *err)
{
    size_t n = password ? strlen(password) : 0;
    if (n < RK_MIN_PASSWORD_BYTES)
        return rk__err(err, RK_EINVAL, field, "too short (at least %d characters)",
                       RK_MIN_PASSWORD_BYTES);
    if (n > RK_MAX_PASSWORD_BYTES)
        return rk__err(err, RK_EINVAL, field, "too long (at most %d bytes)",
                       RK_MAX_PASSWORD_BYTES);
    return RK_OK;
}
