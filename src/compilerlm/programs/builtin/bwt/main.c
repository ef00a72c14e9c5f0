/* Burrows-Wheeler transform + move-to-front + zero-run-length coding, and the inverse.
 *
 * Input, first line one of
 *   text <blocksize> <repeat>                      the rest of stdin is the data, concatenated repeat times
 *   gen <n> <seed> <alphabet 1-256> <blocksize>    n bytes from a order-1 Markov PRNG source
 * blocksize is between 16 and 1048576 bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BLOCK 16
#define MAX_BLOCK (1u << 20)
#define MAX_DATA (4u << 20)
#define RUNA 0
#define RUNB 1
#define SHOW_BLOCKS 3

typedef struct {
    uint32_t primary;     /* row of the original string among the sorted rotations */
    uint32_t rle_len;     /* symbols after zero-run coding */
    uint32_t runs;        /* zero runs collapsed */
    uint32_t distinct;    /* distinct bytes in the block */
    uint32_t bwt_crc;
    uint32_t rle_hash;
    int ok;
} BlockResult;

typedef struct {
    uint32_t *p, *c, *pn, *cn, *cnt;
    uint8_t *bwt, *mtf, *back;
    uint16_t *rle;
    uint32_t *lf;
} Workspace;

static uint32_t crc_table[256];

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void crc_init(void) {
    /* CRC-32C (Castagnoli), reflected */
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        crc_table[i] = c;
    }
}

static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

/* ---------- forward transform ---------- */

/* Sort the cyclic shifts of s[0..n) by prefix doubling; result in w->p. */
static void sort_cyclic_shifts(const uint8_t *s, uint32_t n, Workspace *w) {
    uint32_t *p = w->p, *c = w->c, *pn = w->pn, *cn = w->cn, *cnt = w->cnt;
    uint32_t alphabet = 256;
    memset(cnt, 0, 256 * sizeof *cnt);
    for (uint32_t i = 0; i < n; i++)
        cnt[s[i]]++;
    for (uint32_t i = 1; i < alphabet; i++)
        cnt[i] += cnt[i - 1];
    for (uint32_t i = n; i-- > 0;)
        p[--cnt[s[i]]] = i;
    c[p[0]] = 0;
    uint32_t classes = 1;
    for (uint32_t i = 1; i < n; i++) {
        if (s[p[i]] != s[p[i - 1]])
            classes++;
        c[p[i]] = classes - 1;
    }
    for (uint32_t h = 1; h < n && classes < n; h <<= 1) {
        /* shifts sorted by their second half give the order for the first half */
        for (uint32_t i = 0; i < n; i++)
            pn[i] = p[i] >= h ? p[i] - h : p[i] + n - h;
        memset(cnt, 0, classes * sizeof *cnt);
        for (uint32_t i = 0; i < n; i++)
            cnt[c[pn[i]]]++;
        for (uint32_t i = 1; i < classes; i++)
            cnt[i] += cnt[i - 1];
        for (uint32_t i = n; i-- > 0;)
            p[--cnt[c[pn[i]]]] = pn[i];
        cn[p[0]] = 0;
        classes = 1;
        for (uint32_t i = 1; i < n; i++) {
            uint32_t a1 = c[p[i]], b1 = c[p[i - 1]];
            uint32_t a2 = c[p[i] + h < n ? p[i] + h : p[i] + h - n];
            uint32_t b2 = c[p[i - 1] + h < n ? p[i - 1] + h : p[i - 1] + h - n];
            if (a1 != b1 || a2 != b2)
                classes++;
            cn[p[i]] = classes - 1;
        }
        uint32_t *t = c;
        c = cn;
        cn = t;
    }
    /* keep the workspace pointers consistent after the swaps */
    w->c = c;
    w->cn = cn;
}

static uint32_t bwt_forward(const uint8_t *s, uint32_t n, Workspace *w) {
    sort_cyclic_shifts(s, n, w);
    uint32_t primary = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = w->p[i];
        if (j == 0)
            primary = i;
        w->bwt[i] = s[j == 0 ? n - 1 : j - 1];
    }
    return primary;
}

static void mtf_encode(const uint8_t *in, uint32_t n, uint8_t *out) {
    uint8_t order[256];
    for (int i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t ch = in[i];
        uint8_t k = 0;
        while (order[k] != ch)
            k++;
        out[i] = k;
        memmove(order + 1, order, k);
        order[0] = ch;
    }
}

/* Zero runs become RUNA/RUNB digits (bijective base 2); other values v map to v + 1. */
static uint32_t rle_encode(const uint8_t *in, uint32_t n, uint16_t *out, uint32_t *runs) {
    uint32_t o = 0, i = 0;
    *runs = 0;
    while (i < n) {
        if (in[i] == 0) {
            uint32_t run = 0;
            while (i < n && in[i] == 0) {
                run++;
                i++;
            }
            (*runs)++;
            /* run length r >= 1 written as digits d_k in {1,2}: r = sum d_k 2^k */
            while (run > 0) {
                if (run & 1) {
                    out[o++] = RUNA;
                    run = (run - 1) / 2;
                } else {
                    out[o++] = RUNB;
                    run = (run - 2) / 2;
                }
            }
        } else {
            out[o++] = (uint16_t)(in[i] + 1);
            i++;
        }
    }
    return o;
}

/* ---------- inverse transform ---------- */

static int rle_decode(const uint16_t *in, uint32_t n, uint8_t *out, uint32_t cap, uint32_t *outlen) {
    uint32_t o = 0, i = 0;
    while (i < n) {
        if (in[i] <= RUNB) {
            uint64_t run = 0, weight = 1;
            while (i < n && in[i] <= RUNB) {
                run += weight * (in[i] == RUNA ? 1u : 2u);
                weight <<= 1;
                i++;
                if (weight > (1ULL << 32))
                    return 0;
            }
            if (run > cap - o)
                return 0;
            memset(out + o, 0, (size_t)run);
            o += (uint32_t)run;
        } else {
            if (o >= cap || in[i] > 256)
                return 0;
            out[o++] = (uint8_t)(in[i] - 1);
            i++;
        }
    }
    *outlen = o;
    return 1;
}

static void mtf_decode(const uint8_t *in, uint32_t n, uint8_t *out) {
    uint8_t order[256];
    for (int i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t k = in[i];
        uint8_t ch = order[k];
        out[i] = ch;
        memmove(order + 1, order, k);
        order[0] = ch;
    }
}

static int bwt_inverse(const uint8_t *L, uint32_t n, uint32_t primary, uint8_t *out, uint32_t *lf) {
    uint32_t count[256] = {0}, start[256];
    if (primary >= n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        count[L[i]]++;
    uint32_t sum = 0;
    for (int c = 0; c < 256; c++) {
        start[c] = sum;
        sum += count[c];
    }
    /* lf[i]: row of the rotation that starts with L[i] */
    for (uint32_t i = 0; i < n; i++)
        lf[i] = start[L[i]]++;
    uint32_t row = primary;
    for (uint32_t k = n; k-- > 0;) {
        out[k] = L[row];
        row = lf[row];
    }
    return 1;
}

/* ---------- block driver ---------- */

static BlockResult process_block(const uint8_t *s, uint32_t n, Workspace *w) {
    BlockResult r;
    memset(&r, 0, sizeof r);
    uint8_t seen[256] = {0};
    for (uint32_t i = 0; i < n; i++)
        seen[s[i]] = 1;
    for (int c = 0; c < 256; c++)
        r.distinct += seen[c];
    r.primary = bwt_forward(s, n, w);
    r.bwt_crc = crc32c(w->bwt, n);
    mtf_encode(w->bwt, n, w->mtf);
    r.rle_len = rle_encode(w->mtf, n, w->rle, &r.runs);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < r.rle_len; i++)
        h = (h ^ w->rle[i]) * 16777619u;
    r.rle_hash = h;
    /* inverse pipeline into fresh buffers */
    uint32_t mlen = 0;
    memset(w->mtf, 0xAA, n);
    if (!rle_decode(w->rle, r.rle_len, w->mtf, n, &mlen) || mlen != n)
        return r;
    mtf_decode(w->mtf, n, w->bwt);
    if (!bwt_inverse(w->bwt, n, r.primary, w->back, w->lf))
        return r;
    r.ok = memcmp(w->back, s, n) == 0;
    return r;
}

/* ---------- input ---------- */

static uint64_t rng;

static uint32_t rng_next(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Order-1 Markov source: each byte prefers a few successors, giving BWT something to find. */
static void generate(uint8_t *buf, uint32_t n, uint32_t alphabet) {
    static uint8_t next[256][4];
    for (uint32_t a = 0; a < alphabet; a++)
        for (int k = 0; k < 4; k++)
            next[a][k] = (uint8_t)(rng_next() % alphabet);
    uint8_t cur = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = rng_next();
        if (r % 8 == 0)
            cur = (uint8_t)((r >> 8) % alphabet);
        else
            cur = next[cur][(r >> 4) & 3];
        buf[i] = cur;
    }
}

static int parse_field(char **p, uint64_t lo, uint64_t hi, uint64_t *out) {
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        if (v > UINT64_MAX / 10 - 9)
            return 0;
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    if (v < lo || v > hi)
        return 0;
    *p = s;
    *out = v;
    return 1;
}

int main(void) {
    char header[160];
    if (!fgets(header, sizeof header, stdin) || !strchr(header, '\n'))
        die("missing header");
    crc_init();
    uint8_t *data = NULL;
    uint64_t n = 0, bs = 0;
    char *p = header;
    if (strncmp(p, "text", 4) == 0) {
        p += 4;
        uint64_t repeat = 0;
        if (!parse_field(&p, MIN_BLOCK, MAX_BLOCK, &bs) || !parse_field(&p, 1, 100000, &repeat))
            die("bad text header");
        uint8_t *text = xmalloc(MAX_DATA + 1);
        size_t len = fread(text, 1, MAX_DATA + 1, stdin);
        if (len == 0 || len > MAX_DATA || len * repeat > MAX_DATA)
            die("text empty or too large");
        n = len * repeat;
        data = xmalloc((size_t)n);
        for (uint64_t r = 0; r < repeat; r++)
            memcpy(data + r * len, text, len);
        free(text);
    } else if (strncmp(p, "gen", 3) == 0) {
        p += 3;
        uint64_t seed = 0, alphabet = 0;
        if (!parse_field(&p, 1, MAX_DATA, &n) || !parse_field(&p, 0, UINT64_MAX - 10, &seed) ||
            !parse_field(&p, 1, 256, &alphabet) || !parse_field(&p, MIN_BLOCK, MAX_BLOCK, &bs))
            die("bad gen header");
        rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
        if (!rng)
            rng = 1;
        data = xmalloc((size_t)n);
        generate(data, (uint32_t)n, (uint32_t)alphabet);
    } else {
        die("header must start with text or gen");
    }
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    if (*p != '\n')
        die("trailing garbage in header");

    uint32_t cap = (uint32_t)(bs < n ? bs : n);
    Workspace w;
    w.p = xmalloc(cap * sizeof *w.p);
    w.c = xmalloc(cap * sizeof *w.c);
    w.pn = xmalloc(cap * sizeof *w.pn);
    w.cn = xmalloc(cap * sizeof *w.cn);
    w.cnt = xmalloc((cap > 256 ? cap : 256) * sizeof *w.cnt);
    w.bwt = xmalloc(cap);
    w.mtf = xmalloc(cap);
    w.back = xmalloc(cap);
    w.rle = xmalloc(cap * sizeof *w.rle);
    w.lf = xmalloc(cap * sizeof *w.lf);

    uint64_t nblocks = (n + bs - 1) / bs, total_rle = 0, total_runs = 0;
    uint32_t combined = 0;
    int all_ok = 1;
    printf("data %llu bytes crc=%08x blocks=%llu\n", (unsigned long long)n, crc32c(data, (size_t)n),
           (unsigned long long)nblocks);
    for (uint64_t b = 0; b < nblocks; b++) {
        uint64_t off = b * bs;
        uint32_t len = (uint32_t)(n - off < bs ? n - off : bs);
        BlockResult r = process_block(data + off, len, &w);
        all_ok &= r.ok;
        total_rle += r.rle_len;
        total_runs += r.runs;
        combined = combined * 33u ^ r.bwt_crc ^ r.rle_hash;
        if (b < SHOW_BLOCKS || b + 1 == nblocks)
            printf("block %llu: len=%u distinct=%u primary=%u bwt=%08x rle=%u runs=%u hash=%08x %s\n",
                   (unsigned long long)b, len, r.distinct, r.primary, r.bwt_crc, r.rle_len, r.runs, r.rle_hash,
                   r.ok ? "ok" : "FAIL");
    }
    printf("total rle symbols=%llu (%llu.%02llu%% of input) runs=%llu combined=%08x %s\n",
           (unsigned long long)total_rle, (unsigned long long)(total_rle * 100 / n),
           (unsigned long long)(total_rle * 10000 / n % 100), (unsigned long long)total_runs, combined,
           all_ok ? "roundtrip ok" : "ROUNDTRIP FAILURE");
    free(data);
    free(w.p);
    free(w.c);
    free(w.pn);
    free(w.cn);
    free(w.cnt);
    free(w.bwt);
    free(w.mtf);
    free(w.back);
    free(w.rle);
    free(w.lf);
    return 0;
}
