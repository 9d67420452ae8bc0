/*
 * The index checksum (format version 3/4): a fast 64-bit damage detector, and the body's
 * checksum as a checksum over per-chunk checksums so that several threads verify one file.
 *
 * Opening a 10M-indicator index reads 362 MB; the previous checksum (four dependent 64x64
 * multiply chains) ran at ~7.5 GB/s, below what one core can read (~13 GB/s here), so the
 * open was bound by it. This one follows the accumulate-then-scramble shape of xxh3: eight
 * 64-bit lanes, each adding the product of the two 32-bit halves of (word ^ key) and the
 * neighbouring lane's raw word; every 1 KiB block the lanes are scrambled (xorshift, key,
 * odd multiply). Adding the raw word means a single changed word always changes the lane sums
 * (it cannot be multiplied away), and the scramble between blocks, being a bijection, carries
 * that difference to the end, so any single damaged word is always detected; the per-stripe
 * keys and the scrambles make the sums depend on position. An AVX2 path (32x32->64 multiplies
 * in four lanes, two vectors a 64-byte stripe) and a scalar path compute the same value; the
 * AVX2 one is chosen at run time.
 *
 * Not a cryptographic hash: it detects damage, not tampering.
 */
#include "sweep-int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "renkei/cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define STRIPE        64u
#define BLOCK_STRIPES 16u
#define BLOCK         (STRIPE * BLOCK_STRIPES)
#define PRIME32       0x9e3779b1u
#define PRIME64       0x9e3779b185ebca87ull
/* Prefetch distance: one core's demand misses alone read ~9.5 GB/s here, with the lines
 * 8 KiB ahead requested early ~12-13 GB/s (bench/sweepopen; 2-16 KiB measured alike). The
 * last blocks prefetch themselves rather than point past the body. */
#define PF_AHEAD 8192

/* Per-stripe keys: stripe s of a block uses keys[s .. s+7]; keys[16 .. 23] scramble. */
static const uint64_t keys[24] = {
    0x703cd20266718778ull, 0x53e1c2375c396408ull, 0x88888204578c9917ull, 0x662bc03f4ba1291bull,
    0x326ff59616aaa401ull, 0x96e47981b14ee654ull, 0x242d66b4f0d6e5f0ull, 0x0655bbc35c072d6cull,
    0x47f733bdbc398377ull, 0xc9fc50ac57f8efe1ull, 0x77908146f76d1b5dull, 0xa789bf3602de9ca2ull,
    0xf9413d2821bb479dull, 0xec51d98702805088ull, 0xe18e5779d8caefffull, 0xd33863ad962845afull,
    0xa1c5c32f75feb52aull, 0xcfd36c59022d908dull, 0xa7ab64cf914663bcull, 0x60b2640fe9e29548ull,
    0x750269ee67527151ull, 0x66f46f799b16dd04ull, 0x5e8ca3ef44dba3d1ull, 0x189d6114cc2da86full};

/* The lanes' starting values. */
static const uint64_t init[8] = {
    0x450ca3653fc1bb93ull, 0xcfb49803769ab225ull, 0x9c3ac4b51d07d82aull, 0x85a3c29f32d2e242ull,
    0x8c030731ca2002b8ull, 0x3ef3fcf0a476cd7bull, 0x3dac32da037531edull, 0x0dd3df44fe08fe70ull};

static inline void stripe_scalar(uint64_t acc[8], const uint8_t *p, const uint64_t *k)
{
    for (unsigned j = 0; j < 8; j++) {
        uint64_t d;
        memcpy(&d, p + 8 * j, 8);
        uint64_t x = d ^ k[j];
        acc[j ^ 1] += d;
        acc[j] += (x & 0xffffffffu) * (x >> 32);
    }
}

static inline void scramble_scalar(uint64_t acc[8])
{
    for (unsigned j = 0; j < 8; j++) {
        uint64_t a = acc[j];
        a ^= a >> 47;
        a ^= keys[16 + j];
        acc[j] = a * PRIME32;
    }
}

/* The stripes after the last whole block, the last one zero-padded (the length, mixed in at
 * the end, tells a padded input from one that ends in zeros). */
static void tail_scalar(uint64_t acc[8], const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (; n >= STRIPE; s++, p += STRIPE, n -= STRIPE)
        stripe_scalar(acc, p, keys + s);
    if (n > 0) {
        uint8_t last[STRIPE] = {0};
        memcpy(last, p, n);
        stripe_scalar(acc, last, keys + s);
    }
}

static uint64_t finish(const uint64_t acc[8], size_t n)
{
    uint64_t h = (uint64_t)n * PRIME64;
    for (unsigned j = 0; j < 8; j++)
        h = rk__sw_mix(h ^ acc[j]);
    return h;
}

uint64_t rk__sw_checksum_scalar(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t acc[8];
    memcpy(acc, init, sizeof acc);
    size_t i = 0;
    for (; n - i >= BLOCK; i += BLOCK) {
        const uint8_t *pf = n - i >= PF_AHEAD + BLOCK ? b + i + PF_AHEAD : b + i;
        for (unsigned s = 0; s < BLOCK_STRIPES; s++) {
            __builtin_prefetch(pf + s * STRIPE);
            stripe_scalar(acc, b + i + s * STRIPE, keys + s);
        }
        scramble_scalar(acc);
    }
    tail_scalar(acc, b + i, n - i);
    return finish(acc, n);
}

#if defined(__x86_64__)
/* The same arithmetic as the scalar path, four lanes a vector. */
__attribute__((target("avx2"))) static inline void stripe_avx2(__m256i *a0, __m256i *a1,
                                                               const uint8_t *p, const uint64_t *k)
{
    __m256i d0 = _mm256_loadu_si256((const void *)p);
    __m256i d1 = _mm256_loadu_si256((const void *)(p + 32));
    __m256i x0 = _mm256_xor_si256(d0, _mm256_loadu_si256((const void *)k));
    __m256i x1 = _mm256_xor_si256(d1, _mm256_loadu_si256((const void *)(k + 4)));
    /* lo32(x) * hi32(x) in each 64-bit lane */
    __m256i m0 = _mm256_mul_epu32(x0, _mm256_srli_epi64(x0, 32));
    __m256i m1 = _mm256_mul_epu32(x1, _mm256_srli_epi64(x1, 32));
    /* lane j gains the word of lane j ^ 1: swap the 64-bit halves of each 128-bit half */
    __m256i s0 = _mm256_shuffle_epi32(d0, _MM_SHUFFLE(1, 0, 3, 2));
    __m256i s1 = _mm256_shuffle_epi32(d1, _MM_SHUFFLE(1, 0, 3, 2));
    *a0 = _mm256_add_epi64(*a0, _mm256_add_epi64(m0, s0));
    *a1 = _mm256_add_epi64(*a1, _mm256_add_epi64(m1, s1));
}

__attribute__((target("avx2"))) static inline __m256i scramble_avx2(__m256i a, __m256i k)
{
    const __m256i prime = _mm256_set1_epi64x(PRIME32);
    a = _mm256_xor_si256(a, _mm256_srli_epi64(a, 47));
    a = _mm256_xor_si256(a, k);
    /* a * PRIME32 mod 2^64 = lo32(a) * P + (hi32(a) * P << 32) */
    __m256i lo = _mm256_mul_epu32(a, prime);
    __m256i hi = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), prime);
    return _mm256_add_epi64(lo, _mm256_slli_epi64(hi, 32));
}

__attribute__((target("avx2"))) uint64_t rk__sw_checksum_avx2(const void *p, size_t n)
{
    const uint8_t *b = p;
    __m256i a0 = _mm256_loadu_si256((const void *)init);
    __m256i a1 = _mm256_loadu_si256((const void *)(init + 4));
    const __m256i k0 = _mm256_loadu_si256((const void *)(keys + 16));
    const __m256i k1 = _mm256_loadu_si256((const void *)(keys + 20));
    size_t i = 0;
    for (; n - i >= BLOCK; i += BLOCK) {
        const uint8_t *pf = n - i >= PF_AHEAD + BLOCK ? b + i + PF_AHEAD : b + i;
        for (unsigned s = 0; s < BLOCK_STRIPES; s++) {
            _mm_prefetch((const char *)(pf + s * STRIPE), _MM_HINT_T0);
            stripe_avx2(&a0, &a1, b + i + s * STRIPE, keys + s);
        }
        a0 = scramble_avx2(a0, k0);
        a1 = scramble_avx2(a1, k1);
    }
    uint64_t acc[8];
    _mm256_storeu_si256((void *)acc, a0);
    _mm256_storeu_si256((void *)(acc + 4), a1);
    tail_scalar(acc, b + i, n - i);
    return finish(acc, n);
}

int rk__sw_checksum_has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

uint64_t rk__sw_checksum(const void *p, size_t n)
{
    /* __builtin_cpu_supports reads a table filled once at start-up: no cost worth caching. */
    if (n >= BLOCK && __builtin_cpu_supports("avx2"))
        return rk__sw_checksum_avx2(p, n);
    return rk__sw_checksum_scalar(p, n);
}
#else
uint64_t rk__sw_checksum_avx2(const void *p, size_t n)
{
    return rk__sw_checksum_scalar(p, n);
}

int rk__sw_checksum_has_avx2(void)
{
    return 0;
}

uint64_t rk__sw_checksum(const void *p, size_t n)
{
    return rk__sw_checksum_scalar(p, n);
}
#endif

/* ===== Body checksum: chunks, verified by several threads ===== */

unsigned rk__sw_sum_chunk_log2(uint64_t n)
{
    unsigned k = RK__SW_SUM_CHUNK_MIN_LOG2;
    while (k < RK__SW_SUM_CHUNK_MAX_LOG2 &&
           ((n + ((uint64_t)1 << k) - 1) >> k) > RK__SW_SUM_MAX_CHUNKS)
        k++;
    return k;
}

/* The chunks are shared out one at a time from a counter, not cut into fixed runs, so that a
 * thread that gets no CPU for a while (the machine is shared) leaves its work to the others
 * instead of making the open wait for it. */
struct sum_job {
    const uint8_t *p; /* the body */
    size_t n;
    unsigned log2;
    size_t nchunks;
    int populate;
    uintptr_t page_mask; /* page size - 1, or 0 to skip the populate advice */
    atomic_size_t next;  /* the next chunk to take */
    uint64_t *sums;
};

static void sum_chunks(struct sum_job *j)
{
    size_t chunk = (size_t)1 << j->log2;
    for (;;) {
        size_t c = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (c >= j->nchunks)
            break;
        size_t off = c * chunk;
        size_t len = j->n - off < chunk ? j->n - off : chunk;
#ifdef MADV_POPULATE_READ
        if (j->populate && j->page_mask != 0) {
            /* Map the chunk in one call rather than a page fault at a time (the page-table
             * work is then shared between the threads too). An older kernel refuses the
             * advice; the reads below then fault the pages in. */
            uintptr_t lo = (uintptr_t)(j->p + off) & ~j->page_mask;
            (void)madvise((void *)lo, (uintptr_t)(j->p + off + len) - lo, MADV_POPULATE_READ);
        }
#endif
        j->sums[c] = rk__sw_checksum(j->p + off, len);
    }
}

static void *sum_main(void *arg)
{
    sum_chunks(arg);
    return NULL;
}

uint64_t rk__sw_body_checksum(const void *body, size_t n, unsigned log2, unsigned threads,
                              int populate)
{
    uint64_t sums[RK__SW_SUM_MAX_CHUNKS];
    size_t nchunks = n == 0 ? 0 : (size_t)(((uint64_t)n - 1) >> log2) + 1;
    /* The caller checked log2 against n (rk__sw_sum_chunks_ok); a wrong call still stays
     * inside sums[]. */
    if (nchunks > RK__SW_SUM_MAX_CHUNKS)
        return 0;
    if (threads > RK__SW_SUM_MAX_THREADS)
        threads = RK__SW_SUM_MAX_THREADS;
    if (threads < 1 || n < RK__SW_SUM_THREAD_MIN_BYTES)
        threads = 1;
    if (threads > nchunks)
        threads = nchunks > 0 ? (unsigned)nchunks : 1;
    long pg = populate ? sysconf(_SC_PAGESIZE) : 0;
    struct sum_job job = {.p = body,
                          .n = n,
                          .log2 = log2,
                          .nchunks = nchunks,
                          .populate = populate,
                          .page_mask = pg > 0 ? (uintptr_t)pg - 1 : 0,
                          .sums = sums};
    atomic_init(&job.next, 0);
    /* Helper threads and the caller take chunks from the same counter; a thread that cannot
     * be started only means fewer hands. Joining publishes the helpers' sums. */
    pthread_t th[RK__SW_SUM_MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++)
        if (pthread_create(&th[started], NULL, sum_main, &job) == 0)
            started++;
    sum_chunks(&job);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    /* The body's checksum is the checksum of the chunk checksums (little-endian words). */
    uint8_t bytes[8 * RK__SW_SUM_MAX_CHUNKS];
    for (size_t c = 0; c < nchunks; c++)
        for (unsigned b = 0; b < 8; b++)
            bytes[8 * c + b] = (uint8_t)(sums[c] >> (8 * b));
    return rk__sw_checksum(bytes, 8 * nchunks);
}

int rk__sw_sum_chunks_ok(uint64_t n, unsigned log2)
{
    return log2 >= RK__SW_SUM_CHUNK_MIN_LOG2 && log2 <= RK__SW_SUM_CHUNK_MAX_LOG2 &&
           (n == 0 || ((n - 1) >> log2) < RK__SW_SUM_MAX_CHUNKS);
}

unsigned rk__sw_sum_threads(void)
{
    unsigned n = rk_cpus_usable();
    return n > RK__SW_SUM_MAX_THREADS ? RK__SW_SUM_MAX_THREADS : n;
}
