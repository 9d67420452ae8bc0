/*
 * The sweep driver: inputs, decompression, chunks and threads.
 *
 * The calling thread walks the paths, opens each input and cuts it into chunks of at most
 * RK_MAX_SWEEP_CHUNK bytes that end at a newline (plain files are memory-mapped and cut in
 * place; compressed input and stdin are decompressed into chunk buffers). Worker threads, each
 * with its own scanner over the shared read-only index, take chunks in order from a ring; the
 * calling thread hands their hits to the caller's callback in input order, adding each chunk's
 * line and byte base. Damaged or unreadable inputs are reported and counted, never fatal.
 *
 * The calling thread does not scan: with N threads there are N scanners and this thread, which
 * sleeps except to cut, map and emit. It maps each chunk of a plain file's mapping ahead
 * (MADV_POPULATE_READ) while the workers scan earlier chunks, so the page faults of the input
 * are taken by the thread that has the time, in one call a chunk instead of one fault each
 * 64 KiB. With several workers the last chunks of a file are cut smaller, so that the workers
 * finish together instead of one scanning a whole chunk alone at the end.
 */
#include "sweep-int.h"

#include <bzlib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/cpu.h"

uint64_t rk__sw_scan_chunk(struct rk_sweep_scanner *s, const char *p, size_t n, const char *file,
                           uint64_t line_base, uint64_t base_off, rk_sweep_hit_cb cb, void *ud,
                           int *stopped, uint64_t *long_tokens, uint64_t *hits);

/* ===== Decompressing readers ===== */

enum src_kind { SRC_RAW, SRC_GZ, SRC_ZST, SRC_BZ2, SRC_XZ };

#define IN_CAP (256u * 1024u)

/* The smallest chunk the end of a file is cut into for several workers (see sweep_mapped). */
#define TAIL_MIN_CHUNK (256u * 1024u)

struct src {
    int fd;
    enum src_kind kind;
    uint8_t *in;
    size_t in_len, in_pos;
    int in_eof;
    int done;     /* the stream ended cleanly */
    int damaged;  /* the stream is truncated or corrupt */
    int inited;
    uint64_t in_total; /* compressed bytes read from fd */
    z_stream z;
    ZSTD_DStream *zs;
    size_t zret;
    bz_stream bz;
    lzma_stream xz;
};

static int fill_in(struct src *s)
{
    if (s->in_pos < s->in_len || s->in_eof)
        return 0;
    s->in_pos = 0;
    s->in_len = 0;
    for (;;) {
        ssize_t r = read(s->fd, s->in, IN_CAP);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            s->in_eof = 1;
            s->damaged = 1;
            return -1;
        }
        if (r == 0)
            s->in_eof = 1;
        s->in_len = (size_t)r;
        s->in_total += (uint64_t)r;
        return 0;
    }
}

static enum src_kind detect(const uint8_t *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return SRC_GZ;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return SRC_ZST;
    if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
        return SRC_BZ2;
    if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
        return SRC_XZ;
    return SRC_RAW;
}

static void src_close(struct src *s)
{
    if (s->inited) {
        switch (s->kind) {
        case SRC_GZ:
            inflateEnd(&s->z);
            break;
        case SRC_ZST:
            ZSTD_freeDStream(s->zs);
            break;
        case SRC_BZ2:
            BZ2_bzDecompressEnd(&s->bz);
            break;
        case SRC_XZ:
            lzma_end(&s->xz);
            break;
        default:
            break;
        }
    }
    rk_free(s->in);
    s->in = NULL;
    s->inited = 0;
}

static int codec_init(struct src *s)
{
    switch (s->kind) {
    case SRC_GZ:
        memset(&s->z, 0, sizeof s->z);
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)
            return -1;
        break;
    case SRC_ZST:
        s->zs = ZSTD_createDStream();
        if (s->zs == NULL)
            return -1;
        s->zret = 1;
        break;
    case SRC_BZ2:
        memset(&s->bz, 0, sizeof s->bz);
        if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK)
            return -1;
        break;
    case SRC_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        s->xz = init;
        if (lzma_stream_decoder(&s->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return -1;
        break;
    }
    default:
        break;
    }
    s->inited = 1;
    return 0;
}

/* Opens a reader over fd (taken; closed by src_close's caller) and detects the codec, unless
 * `raw` (the rest of a plain file read from the middle, whose bytes say nothing of a codec). */
static int src_open(struct src *s, int fd, int raw)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->in = rk_malloc(IN_CAP);
    if (s->in == NULL)
        return -1;
    if (fill_in(s) != 0)
        return 0; /* read error: reported as damaged by the first src_read */
    s->kind = raw ? SRC_RAW : detect(s->in, s->in_len);
    return codec_init(s);
}

/* Reads up to cap decompressed bytes. Returns the count, 0 at the end (clean or damaged). */
static size_t src_read(struct src *s, char *dst, size_t cap)
{
    size_t got = 0;
    while (got < cap && !s->done && !s->damaged) {
        if (fill_in(s) != 0)
            break;
        size_t avail = s->in_len - s->in_pos;
        if (avail == 0 && s->in_eof) {
            /* End of input: a codec that did not see its end marker was cut short. */
            if (s->kind == SRC_RAW)
                s->done = 1;
            else if (s->kind == SRC_XZ) {
                s->xz.next_in = NULL;
                s->xz.avail_in = 0;
                s->xz.next_out = (uint8_t *)dst + got;
                s->xz.avail_out = cap - got;
                lzma_ret r = lzma_code(&s->xz, LZMA_FINISH);
                size_t made = (cap - got) - s->xz.avail_out;
                got += made;
                if (r == LZMA_STREAM_END)
                    s->done = 1;
                else if (r != LZMA_OK || made == 0)
                    s->damaged = 1;
                else
                    continue; /* more output is pending */
            } else if (s->kind == SRC_ZST && s->zret == 0)
                s->done = 1;
            else
                s->damaged = 1;
            break;
        }
        const uint8_t *ip = s->in + s->in_pos;
        switch (s->kind) {
        case SRC_RAW: {
            size_t n = avail < cap - got ? avail : cap - got;
            memcpy(dst + got, ip, n);
            got += n;
            s->in_pos += n;
            break;
        }
        case SRC_GZ: {
            s->z.next_in = (Bytef *)ip;
            s->z.avail_in = (uInt)avail;
            s->z.next_out = (Bytef *)dst + got;
            s->z.avail_out = (uInt)(cap - got);
            int r = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos += avail - s->z.avail_in;
            got = cap - s->z.avail_out;
            if (r == Z_STREAM_END) {
                /* Concatenated members (as `cat a.gz b.gz` makes) are one stream. */
                fill_in(s);
                if (s->in_pos < s->in_len)
                    inflateReset(&s->z);
                else
                    s->done = 1;
            } else if (r != Z_OK && r != Z_BUF_ERROR) {
                s->damaged = 1;
            }
            break;
        }
        case SRC_ZST: {
            ZSTD_inBuffer in = {ip, avail, 0};
            ZSTD_outBuffer out = {dst + got, cap - got, 0};
            size_t r = ZSTD_decompressStream(s->zs, &out, &in);
            s->in_pos += in.pos;
            got += out.pos;
            if (ZSTD_isError(r))
                s->damaged = 1;
            else
                s->zret = r;
            break;
        }
        case SRC_BZ2: {
            s->bz.next_in = (char *)ip;
            s->bz.avail_in = (unsigned)avail;
            s->bz.next_out = dst + got;
            s->bz.avail_out = (unsigned)(cap - got);
            int r = BZ2_bzDecompress(&s->bz);
            s->in_pos += avail - s->bz.avail_in;
            got = cap - s->bz.avail_out;
            if (r == BZ_STREAM_END) {
                fill_in(s);
                if (s->in_pos < s->in_len) {
                    BZ2_bzDecompressEnd(&s->bz);
                    memset(&s->bz, 0, sizeof s->bz);
                    if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK) {
                        s->inited = 0;
                        s->damaged = 1;
                    }
                } else {
                    s->done = 1;
                }
            } else if (r != BZ_OK) {
                s->damaged = 1;
            }
            break;
        }
        case SRC_XZ: {
            s->xz.next_in = ip;
            s->xz.avail_in = avail;
            s->xz.next_out = (uint8_t *)dst + got;
            s->xz.avail_out = cap - got;
            lzma_ret r = lzma_code(&s->xz, LZMA_RUN);
            s->in_pos += avail - s->xz.avail_in;
            got = cap - s->xz.avail_out;
            if (r == LZMA_STREAM_END)
                s->done = 1;
            else if (r != LZMA_OK)
                s->damaged = 1;
            break;
        }
        }
    }
    return got;
}

/* ===== Inputs ===== */

struct input {
    char *path;    /* as given or joined; "-" for stdin */
    uint64_t size; /* bytes on disk (0 for stdin) */
};

struct walk {
    struct input *v;
    size_t n, cap;
    uint64_t total;
    const struct rk_sweep_options *opt;
    void *ud;
    uint64_t skipped;
};

static enum rk_status walk_add(struct walk *w, const char *path, uint64_t size)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        struct input *nv = rk_reallocarray(w->v, nc, sizeof *nv);
        if (nv == NULL)
            return RK_ENOMEM;
        w->v = nv;
        w->cap = nc;
    }
    w->v[w->n].path = rk_strdup(path);
    if (w->v[w->n].path == NULL)
        return RK_ENOMEM;
    w->v[w->n].size = size;
    w->n++;
    w->total += size;
    return RK_OK;
}

static void skip(struct walk *w, const char *path, const char *why)
{
    w->skipped++;
    if (w->opt->on_skip != NULL)
        w->opt->on_skip(path, why, w->ud);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum rk_status walk_path(struct walk *w, const char *path, unsigned depth)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return walk_add(w, "-", 0);
    if (stat(path, &st) != 0) {
        skip(w, path, strerror(errno));
        return RK_OK;
    }
    if (S_ISREG(st.st_mode))
        return walk_add(w, path, (uint64_t)st.st_size);
    if (!S_ISDIR(st.st_mode)) {
        skip(w, path, "not a regular file or directory");
        return RK_OK;
    }
    if (depth >= RK_MAX_SWEEP_DEPTH) {
        skip(w, path, "directory nested too deep");
        return RK_OK;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        skip(w, path, strerror(errno));
        return RK_OK;
    }
    /* Sorted, so that a sweep's output order does not depend on the file system. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    enum rk_status rc = RK_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = rk_reallocarray(names, nc, sizeof *nn);
            if (nn == NULL) {
                rc = RK_ENOMEM;
                goto out;
            }
            names = nn;
            cap = nc;
        }
        struct rk_buf b;
        rk_buf_init(&b, 8192);
        if (rk_buf_addf(&b, "%s/%s", path, e->d_name) != RK_OK) {
            rk_buf_free(&b);
            skip(w, e->d_name, "path too long");
            continue;
        }
        names[n++] = rk_buf_steal(&b);
        if (names[n - 1] == NULL) {
            n--;
            rc = RK_ENOMEM;
            goto out;
        }
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        struct stat ls;
        if (lstat(names[i], &ls) == 0 && S_ISLNK(ls.st_mode)) {
            /* Links are followed to files but not to directories (no loops). */
            if (stat(names[i], &ls) == 0 && S_ISREG(ls.st_mode))
                rc = walk_add(w, names[i], (uint64_t)ls.st_size);
            continue;
        }
        rc = walk_path(w, names[i], depth + 1);
    }
out:
    for (size_t i = 0; i < n; i++)
        rk_free(names[i]);
    rk_free(names);
    closedir(d);
    return rc;
}

/* ===== Pipeline ===== */

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

/* One file being swept; freed when its last chunk has been emitted. */
struct file {
    struct file *next_dead; /* finished, waiting to be released outside the lock */
    char *name;
    void *map;
    size_t map_len;
    unsigned pending;  /* chunks not yet emitted */
    int closed;        /* no more chunks will come */
    uint64_t newlines; /* of the chunks emitted so far */
    uint64_t ends_nl;  /* whether the last emitted chunk ended with a newline */
    uint64_t bytes;
};

struct hitrec {
    uint64_t line;
    uint64_t offset;
    uint32_t type;
    uint32_t tok_len;
    uint32_t ind_len;
    const char *meta;  /* points into the index, which outlives the run */
    uint64_t line_off; /* the hit's line within the chunk (the chunk stays until emitted) */
    uint64_t line_len;
};

struct slot {
    int state;
    struct file *file;
    char *buf; /* owned chunk buffer (stream inputs) */
    const char *data;
    size_t len;
    uint64_t base_off;
    /* Results. */
    struct rk_buf hits;
    uint64_t newlines, long_tokens, nhits;
    int oom;
};

struct pipe {
    const struct rk_sweep_index *ix;
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* a slot became READY, or quit */
    pthread_cond_t cv_done; /* the oldest slot (the one to emit next) became DONE */
    struct slot *slots;
    unsigned nslots;
    uint64_t head;      /* next sequence to fill */
    uint64_t next_scan; /* next sequence a worker takes */
    uint64_t tail;      /* next sequence to emit */
    int quit;
    int emitter_waits; /* the calling thread sleeps on cv_done for the oldest slot */
    /* Emission. */
    rk_sweep_hit_cb cb;
    void *ud;
    int stopped;
    struct rk_sweep_stats *st;
    const struct rk_sweep_options *opt;
    uint64_t total_in, done_in; /* input bytes (on disk) for the progress line */
    struct timespec t0, last_progress, cpu0;
    struct walk *walk;
    unsigned nthreads;
    int populate;      /* MADV_POPULATE_READ works here (cleared when the kernel refuses it) */
    struct file *dead; /* finished files, released by the calling thread after unlocking */
};

static int collect_hit(const struct rk_sweep_hit *h, void *ud)
{
    struct slot *sl = ud;
    struct hitrec r = {h->line,
                       h->offset,
                       (uint32_t)h->type,
                       (uint32_t)strlen(h->token),
                       (uint32_t)strlen(h->indicator),
                       h->meta,
                       (uint64_t)(h->line_text - sl->data),
                       h->line_len};
    if (rk_buf_add(&sl->hits, &r, sizeof r) != RK_OK ||
        rk_buf_add(&sl->hits, h->token, r.tok_len) != RK_OK ||
        rk_buf_add(&sl->hits, h->indicator, r.ind_len) != RK_OK) {
        sl->oom = 1;
        return 1;
    }
    return 0;
}

struct worker {
    struct pipe *p;
    pthread_t th;
    struct rk_sweep_scanner *sc;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipe *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->next_scan == p->head)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->next_scan == p->head && p->quit)
            break;
        struct slot *sl = &p->slots[p->next_scan % p->nslots];
        p->next_scan++;
        sl->state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        int stopped;
        rk_buf_reset(&sl->hits);
        sl->oom = 0;
        sl->newlines = rk__sw_scan_chunk(w->sc, sl->data, sl->len, NULL, 0, 0, collect_hit, sl,
                                         &stopped, &sl->long_tokens, &sl->nhits);
        pthread_mutex_lock(&p->mu);
        sl->state = SLOT_DONE;
        /* The calling thread only ever waits for the oldest slot (it emits in order), so a
         * chunk finished ahead of it wakes nobody: one wake-up per chunk at most, and none
         * while the calling thread is busy (it rechecks under the lock before sleeping). */
        if (p->emitter_waits && sl == &p->slots[p->tail % p->nslots])
            pthread_cond_signal(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static double since_on(clockid_t clock, const struct timespec *a)
{
    struct timespec b;
    clock_gettime(clock, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static double since(const struct timespec *a)
{
    return since_on(CLOCK_MONOTONIC, a);
}

static void progress(struct pipe *p, int final)
{
    if (!p->opt->progress && p->opt->on_progress == NULL)
        return;
    if (!final && since(&p->last_progress) < 0.5)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last_progress);
    if (p->opt->on_progress != NULL) {
        p->st->seconds = since(&p->t0);
        if (p->opt->on_progress(p->done_in, p->total_in, p->st, p->ud) != 0)
            p->stopped = 1;
    }
    if (!p->opt->progress)
        return;
    double t = since(&p->t0), mb = (double)p->st->bytes / 1e6;
    double rate = t > 0 ? mb / t : 0;
    double frac = p->total_in ? (double)p->done_in / (double)p->total_in : 0;
    double eta = frac > 0.001 ? t / frac - t : 0;
    if (final)
        fprintf(stderr, "\r\033[K");
    else
        fprintf(stderr, "\r\033[K%.0f MB  %.0f MB/s  ETA %.0fs  hits %llu", mb, rate,
                eta > 0 ? eta : 0, (unsigned long long)p->st->hits);
    fflush(stderr);
}

static void file_release(struct file *f)
{
    if (f->map != NULL)
        munmap(f->map, f->map_len);
    rk_free(f->name);
    rk_free(f);
}

/* Called under the lock once a file is closed and every chunk of it was emitted. The mapping
 * is not unmapped here: munmap of a large file takes milliseconds, during which every worker
 * that finished a chunk would wait for the lock; the caller releases it after unlocking. */
static void file_finish(struct pipe *p, struct file *f)
{
    if (f->bytes > 0 && !f->ends_nl)
        p->st->lines++; /* a last line without a newline */
    f->next_dead = p->dead;
    p->dead = f;
}

/* Releases the files taken off the dead list (outside the lock). */
static void release_dead(struct file *f)
{
    while (f != NULL) {
        struct file *next = f->next_dead;
        file_release(f);
        f = next;
    }
}

/* Unlocks the pipe and releases the files finished meanwhile. */
static void unlock_release(struct pipe *p)
{
    struct file *dead = p->dead;
    p->dead = NULL;
    pthread_mutex_unlock(&p->mu);
    release_dead(dead);
}

/* Emits the oldest slot (which must be DONE) under the lock held by the caller. */
static enum rk_status emit_one(struct pipe *p)
{
    struct slot *sl = &p->slots[p->tail % p->nslots];
    struct file *f = sl->file;
    enum rk_status rc = RK_OK;
    if (sl->oom)
        rc = RK_ENOMEM;
    size_t i = 0;
    while (rc == RK_OK && !p->stopped && i + sizeof(struct hitrec) <= sl->hits.len) {
        struct hitrec r;
        char tok[RK_MAX_SWEEP_TOKEN + 64], ind[RK_MAX_SWEEP_INDICATOR + 64];
        memcpy(&r, sl->hits.data + i, sizeof r);
        i += sizeof r;
        memcpy(tok, sl->hits.data + i, r.tok_len);
        tok[r.tok_len] = '\0';
        i += r.tok_len;
        memcpy(ind, sl->hits.data + i, r.ind_len);
        ind[r.ind_len] = '\0';
        i += r.ind_len;
        struct rk_sweep_hit h = {f->name,
                                 f->newlines + r.line,
                                 sl->base_off + r.offset,
                                 tok,
                                 ind,
                                 (enum rk_sweep_type)r.type,
                                 r.meta,
                                 sl->data + r.line_off,
                                 (size_t)r.line_len};
        p->st->hits++;
        if (p->cb(&h, p->ud) != 0)
            p->stopped = 1;
    }
    f->newlines += sl->newlines;
    f->ends_nl = sl->len > 0 ? sl->data[sl->len - 1] == '\n' : f->ends_nl;
    p->st->long_tokens += sl->long_tokens;
    p->st->bytes += sl->len;
    p->st->lines += sl->newlines;
    f->pending--;
    if (f->closed && f->pending == 0)
        file_finish(p, f);
    sl->file = NULL;
    sl->state = SLOT_FREE;
    p->tail++;
    return rc;
}

/* Sleeps (the lock held) until a worker finishes the oldest slot, which is not DONE yet. */
static void emitter_wait(struct pipe *p)
{
    p->emitter_waits = 1;
    pthread_cond_wait(&p->cv_done, &p->mu);
    p->emitter_waits = 0;
}

/* Returns a free slot for the next sequence number, emitting finished ones meanwhile. */
static enum rk_status next_slot(struct pipe *p, struct slot **out)
{
    enum rk_status rc = RK_OK;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->tail < p->head && p->slots[p->tail % p->nslots].state == SLOT_DONE) {
            rc = emit_one(p);
            if (rc != RK_OK)
                goto out;
        }
        if (p->head - p->tail < p->nslots)
            break;
        emitter_wait(p);
    }
    *out = &p->slots[p->head % p->nslots];
out:
    unlock_release(p);
    progress(p, 0);
    return rc;
}

static void publish(struct pipe *p, struct slot *sl, struct file *f, const char *data, size_t len,
                    uint64_t base_off)
{
    pthread_mutex_lock(&p->mu);
    sl->file = f;
    sl->data = data;
    sl->len = len;
    sl->base_off = base_off;
    sl->state = SLOT_READY;
    f->pending++;
    f->bytes += len;
    p->head++;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
}

/* Where to end a chunk of at most `max` bytes: after the last newline, else after the last
 * blank or quote (a very long line is cut between tokens), else at max. */
static size_t cut_at(const char *d, size_t max)
{
    const char *nl = memrchr(d, '\n', max);
    if (nl != NULL)
        return (size_t)(nl - d) + 1;
    for (size_t k = max; k > max / 2; k--)
        if (d[k - 1] == ' ' || d[k - 1] == '\t' || d[k - 1] == '"')
            return k;
    return max;
}

/* Where to end a chunk of a mapped file with `avail` bytes left, aiming at `want`. A chunk
 * smaller than RK_MAX_SWEEP_CHUNK (the end of a file for several workers) ends only at a
 * newline, the first after `want` when there is none before: a line is split only where a
 * whole chunk would split it (a hit's line text is the whole line). */
static size_t cut_mapped(const char *d, size_t avail, size_t want)
{
    if (avail <= want)
        return avail;
    if (want >= RK_MAX_SWEEP_CHUNK)
        return cut_at(d, want);
    const char *nl = memrchr(d, '\n', want);
    if (nl == NULL) {
        size_t lim = avail < RK_MAX_SWEEP_CHUNK ? avail : RK_MAX_SWEEP_CHUNK;
        nl = memchr(d + want, '\n', lim - want);
        if (nl == NULL)
            return avail <= RK_MAX_SWEEP_CHUNK ? avail : cut_at(d, RK_MAX_SWEEP_CHUNK);
    }
    return (size_t)(nl - d) + 1;
}

static void file_close_input(struct pipe *p, struct file *f)
{
    pthread_mutex_lock(&p->mu);
    f->closed = 1;
    if (f->pending == 0)
        file_finish(p, f);
    unlock_release(p);
}

/* Maps [d, d + n) of a file mapping into the page tables now. Returns 0 when done or not
 * possible here (an old kernel: the scan's own page faults do it, as without this call), -1
 * when the file no longer backs the range (it shrank since it was mapped: reading those pages
 * would raise SIGBUS). */
static int populate(struct pipe *p, const char *d, size_t n)
{
    if (!p->populate)
        return 0;
    uintptr_t a = (uintptr_t)d & ~(uintptr_t)4095;
    if (madvise((void *)a, (uintptr_t)(d + n) - a, MADV_POPULATE_READ) == 0)
        return 0;
    if (errno == EFAULT)
        return -1;
    if (errno != EINTR && errno != EAGAIN)
        p->populate = 0; /* EINVAL (before Linux 5.14) or another refusal: stop asking */
    return 0;
}

/* Cuts a mapped file into chunks, each mapped by `populate` before it is handed out (while the
 * workers scan the chunks before it: the ring holds 2 × workers + 2). With several workers, once
 * less than 2 × workers chunks are left, a chunk is a 2 × workers-th of the rest (at least
 * TAIL_MIN_CHUNK), so the last pieces are small and the workers end within a small chunk of each
 * other. Returns at *stop the offset where the mapping could no longer be read (the file shrank),
 * else the file's length. */
static enum rk_status sweep_mapped(struct pipe *p, struct file *f, size_t *stop)
{
    enum rk_status rc = RK_OK;
    const char *d = f->map;
    size_t pos = 0, n = f->map_len;
    while (pos < n && rc == RK_OK && !p->stopped) {
        size_t want = RK_MAX_SWEEP_CHUNK;
        if (p->nthreads > 1) {
            size_t share = (n - pos) / (2u * p->nthreads);
            if (share < want)
                want = share < TAIL_MIN_CHUNK ? TAIL_MIN_CHUNK : share;
        }
        size_t take = n - pos;
        struct slot *sl;
        rc = next_slot(p, &sl);
        if (rc != RK_OK)
            break;
        /* Every chunk, so that none is handed out after a shrink without being checked; the
         * whole window cut_mapped may read (a small chunk may end after `want`). */
        if (populate(p, d + pos, take < RK_MAX_SWEEP_CHUNK ? take : RK_MAX_SWEEP_CHUNK) != 0)
            break;
        take = cut_mapped(d + pos, take, want);
        publish(p, sl, f, d + pos, take, pos);
        pos += take;
        p->done_in += take;
    }
    *stop = pos;
    return rc;
}

static enum rk_status sweep_stream(struct pipe *p, struct file *f, struct src *s,
                                   struct rk_buf *carry, uint64_t off)
{
    enum rk_status rc = RK_OK;
    uint64_t last_in = 0;
    rk_buf_reset(carry);
    for (;;) {
        struct slot *sl;
        rc = next_slot(p, &sl);
        if (rc != RK_OK || p->stopped)
            break;
        if (sl->buf == NULL) {
            sl->buf = rk_malloc(RK_MAX_SWEEP_CHUNK);
            if (sl->buf == NULL) {
                rc = RK_ENOMEM;
                break;
            }
        }
        size_t have = carry->len;
        memcpy(sl->buf, carry->data ? carry->data : "", have);
        have += src_read(s, sl->buf + have, RK_MAX_SWEEP_CHUNK - have);
        p->done_in += s->in_total - last_in;
        last_in = s->in_total;
        int end = s->done || s->damaged || have < RK_MAX_SWEEP_CHUNK;
        size_t take = end ? have : cut_at(sl->buf, have);
        rk_buf_reset(carry);
        if (take < have && rk_buf_add(carry, sl->buf + take, have - take) != RK_OK) {
            rc = RK_ENOMEM;
            break;
        }
        if (take > 0) {
            publish(p, sl, f, sl->buf, take, off);
            off += take;
        }
        if (end && carry->len == 0)
            break;
    }
    return rc;
}

static enum rk_status sweep_input(struct pipe *p, const struct input *in, struct rk_buf *carry)
{
    struct walk *w = p->walk;
    int fd = strcmp(in->path, "-") == 0 ? 0 : open(in->path, O_RDONLY | O_CLOEXEC);
    enum rk_status rc = RK_OK;
    if (fd < 0) {
        skip(w, in->path, strerror(errno));
        p->done_in += in->size;
        return RK_OK;
    }
    struct file *f = rk_calloc(1, sizeof *f);
    if (f == NULL || (f->name = rk_strdup(in->path)) == NULL) {
        rk_free(f);
        if (fd != 0)
            close(fd);
        return RK_ENOMEM;
    }
    p->st->files++;
    /* A plain regular file is mapped and cut in place; anything else is read. A file that
     * cannot be mapped is read like a stream, and so is the rest of one whose mapping could
     * no longer be read (it shrank while being swept). */
    uint64_t from = 0;
    int reread = 0;
    if (fd != 0 && in->size > 0) {
        void *m = mmap(NULL, (size_t)in->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED && detect(m, (size_t)in->size) == SRC_RAW) {
            /* Advice values are not flags (SEQUENTIAL|WILLNEED == WILLNEED): two calls. */
            madvise(m, (size_t)in->size, MADV_SEQUENTIAL);
            madvise(m, (size_t)in->size, MADV_WILLNEED);
            f->map = m;
            f->map_len = (size_t)in->size;
            size_t stop = 0;
            rc = sweep_mapped(p, f, &stop);
            if (rc != RK_OK || p->stopped || stop == f->map_len ||
                lseek(fd, (off_t)stop, SEEK_SET) != (off_t)stop) {
                close(fd);
                file_close_input(p, f);
                return rc;
            }
            from = stop;
            reread = 1;
        } else if (m != MAP_FAILED) {
            munmap(m, (size_t)in->size);
        }
    }
    struct src s;
    if (src_open(&s, fd, reread) != 0) {
        src_close(&s);
        if (fd != 0)
            close(fd);
        file_close_input(p, f);
        return RK_ENOMEM;
    }
    rc = sweep_stream(p, f, &s, carry, from);
    if (rc == RK_OK && reread && !s.damaged && from + s.in_total < in->size) {
        p->st->files_damaged++;
        char why[160];
        snprintf(why, sizeof why,
                 "file shrank while being swept; its first %llu of %llu bytes were swept",
                 (unsigned long long)(from + s.in_total), (unsigned long long)in->size);
        if (p->opt->on_skip != NULL)
            p->opt->on_skip(in->path, why, p->walk->ud);
    }
    if (rc == RK_OK && s.damaged) {
        p->st->files_damaged++;
        char why[160];
        snprintf(why, sizeof why, "%s stream is truncated or corrupt; the part before the "
                 "damage was swept",
                 s.kind == SRC_GZ ? "gzip" : s.kind == SRC_ZST ? "zstd" :
                 s.kind == SRC_BZ2 ? "bzip2" : s.kind == SRC_XZ ? "xz" : "input");
        if (p->opt->on_skip != NULL)
            p->opt->on_skip(in->path, why, p->walk->ud);
    }
    src_close(&s);
    if (fd != 0)
        close(fd);
    file_close_input(p, f);
    return rc;
}

enum rk_status rk_sweep_run(const struct rk_sweep_index *ix, const char *const *paths,
                            size_t npaths, const struct rk_sweep_options *opt,
                            rk_sweep_hit_cb cb, void *user_data, struct rk_sweep_stats *stats)
{
    struct rk_sweep_options dopt;
    struct walk w;
    struct pipe p;
    struct worker *wk = NULL;
    struct rk_buf carry;
    unsigned nthreads = 0, started = 0;
    enum rk_status rc = RK_OK;
    if (opt == NULL) {
        memset(&dopt, 0, sizeof dopt);
        opt = &dopt;
    }
    memset(stats, 0, sizeof *stats);
    memset(&w, 0, sizeof w);
    memset(&p, 0, sizeof p);
    rk_buf_init(&carry, RK_MAX_SWEEP_CHUNK);
    w.opt = opt;
    w.ud = user_data;
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p.cpu0);
    p.last_progress = p.t0;
    for (size_t i = 0; i < npaths && rc == RK_OK; i++)
        rc = walk_path(&w, paths[i], 0);
    if (rc != RK_OK)
        goto out;
    nthreads = opt->threads;
    if (nthreads == 0)
        nthreads = rk_cpus_usable();
    if (nthreads > 64)
        nthreads = 64;
    p.ix = ix;
    p.cb = cb;
    p.ud = user_data;
    p.st = stats;
    p.opt = opt;
    p.walk = &w;
    p.nthreads = nthreads;
    p.populate = 1;
    p.total_in = w.total;
    p.nslots = 2 * nthreads + 2;
    p.slots = rk_calloc(p.nslots, sizeof *p.slots);
    wk = rk_calloc(nthreads, sizeof *wk);
    if (p.slots == NULL || wk == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < p.nslots; i++)
        rk_buf_init(&p.slots[i].hits, RK_MAX_BUF_DEFAULT);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv_work, NULL);
    pthread_cond_init(&p.cv_done, NULL);
    for (unsigned i = 0; i < nthreads; i++) {
        wk[i].p = &p;
        rc = rk_sweep_scanner_create(ix, &wk[i].sc);
        if (rc != RK_OK)
            break;
        if (pthread_create(&wk[i].th, NULL, worker_main, &wk[i]) != 0) {
            rk_sweep_scanner_destroy(wk[i].sc);
            wk[i].sc = NULL;
            rc = RK_ENOMEM;
            break;
        }
        started++;
    }
    for (size_t i = 0; i < w.n && rc == RK_OK && !p.stopped && started > 0; i++)
        rc = sweep_input(&p, &w.v[i], &carry);
    /* Drain: emit everything that was handed out, then stop the workers. */
    pthread_mutex_lock(&p.mu);
    while (p.tail < p.head) {
        if (p.slots[p.tail % p.nslots].state == SLOT_DONE) {
            enum rk_status e = emit_one(&p);
            if (rc == RK_OK)
                rc = e;
        } else {
            emitter_wait(&p);
        }
    }
    p.quit = 1;
    pthread_cond_broadcast(&p.cv_work);
    unlock_release(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(wk[i].th, NULL);
    progress(&p, 1);
    for (unsigned i = 0; i < nthreads; i++)
        rk_sweep_scanner_destroy(wk[i].sc);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv_work);
    pthread_cond_destroy(&p.cv_done);
out:
    if (p.slots != NULL) {
        for (unsigned i = 0; i < p.nslots; i++) {
            rk_buf_free(&p.slots[i].hits);
            rk_free(p.slots[i].buf);
        }
    }
    rk_free(p.slots);
    rk_free(wk);
    rk_buf_free(&carry);
    stats->files_skipped = w.skipped;
    for (size_t i = 0; i < w.n; i++)
        rk_free(w.v[i].path);
    rk_free(w.v);
    stats->seconds = since(&p.t0);
    stats->cpu_seconds = since_on(CLOCK_PROCESS_CPUTIME_ID, &p.cpu0);
    if (rc == RK_OK && p.stopped)
        rc = RK_ECONFLICT;
    return rc;
}
