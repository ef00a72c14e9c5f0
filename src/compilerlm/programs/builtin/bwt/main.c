/* Block-sorting compression pipeline: Burrows-Wheeler transform (cyclic
 * suffix sort by prefix doubling with radix passes), move-to-front coding and
 * a bzip2-style run-length stage, followed by the full inverse pipeline and a
 * roundtrip check.
 *
 * Input lines (one job per line, '#' starts a comment):
 *   <seed> <length> <alphabet> <blocksize> <mode>
 *     alphabet in 1..26, mode 0 = uniform random letters,
 *     mode 1 = repetitive text (copies of earlier substrings with mutations)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEN 8000000UL
#define MAX_BLOCK 2000000UL

static uint64_t rng_state;

static uint64_t xorshift64(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static void gen_text(uint8_t *t, size_t n, unsigned alpha, int mode) {
    size_t i = 0;
    while (i < n) {
        uint64_t r = xorshift64();
        if (mode == 1 && i > 16 && (r & 3) != 0) {
            size_t len = 4 + (size_t)((r >> 8) % 60);
            size_t back = 1 + (size_t)((r >> 20) % (i < 4096 ? i : 4096));
            size_t src = i - back;
            for (size_t k = 0; k < len && i < n; k++, i++) {
                uint8_t c = t[src + k];
                if (((r >> 40) + k) % 37 == 0)
                    c = (uint8_t)('a' + (xorshift64() % alpha));
                t[i] = c;
            }
        } else {
            t[i++] = (uint8_t)('a' + (r >> 33) % alpha);
        }
    }
}

/* Sort all cyclic rotations of s[0..n) by prefix doubling; sa receives the
 * starting positions in sorted order. */
static void sort_rotations(const uint8_t *s, uint32_t n, uint32_t *sa, uint32_t *rank,
                           uint32_t *tmp, uint32_t *cnt) {
    uint32_t classes = 256;
    memset(cnt, 0, 256 * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        cnt[s[i]]++;
    for (uint32_t i = 1; i < 256; i++)
        cnt[i] += cnt[i - 1];
    for (uint32_t i = n; i-- > 0;)
        sa[--cnt[s[i]]] = i;
    rank[sa[0]] = 0;
    classes = 1;
    for (uint32_t i = 1; i < n; i++) {
        if (s[sa[i]] != s[sa[i - 1]])
            classes++;
        rank[sa[i]] = classes - 1;
    }
    for (uint32_t k = 1; k < n && classes < n; k <<= 1) {
        for (uint32_t i = 0; i < n; i++)
            tmp[i] = sa[i] >= k ? sa[i] - k : sa[i] + n - k;
        memset(cnt, 0, classes * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++)
            cnt[rank[tmp[i]]]++;
        for (uint32_t i = 1; i < classes; i++)
            cnt[i] += cnt[i - 1];
        for (uint32_t i = n; i-- > 0;)
            sa[--cnt[rank[tmp[i]]]] = tmp[i];
        /* recompute classes into tmp, indexed by position */
        tmp[sa[0]] = 0;
        uint32_t c = 1;
        for (uint32_t i = 1; i < n; i++) {
            uint32_t a = sa[i], b = sa[i - 1];
            uint32_t a2 = a + k < n ? a + k : a + k - n;
            uint32_t b2 = b + k < n ? b + k : b + k - n;
            if (rank[a] != rank[b] || rank[a2] != rank[b2])
                c++;
            tmp[a] = c - 1;
        }
        memcpy(rank, tmp, n * sizeof(uint32_t));
        classes = c;
    }
}

static uint32_t bwt_forward(const uint8_t *s, uint32_t n, uint8_t *out, uint32_t *sa,
                            uint32_t *rank, uint32_t *tmp, uint32_t *cnt) {
    uint32_t primary = 0;
    sort_rotations(s, n, sa, rank, tmp, cnt);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = sa[i];
        out[i] = s[p == 0 ? n - 1 : p - 1];
        if (p == 0)
            primary = i;
    }
    return primary;
}

static void bwt_inverse(const uint8_t *L, uint32_t n, uint32_t primary, uint8_t *out,
                        uint32_t *lf) {
    uint32_t C[256] = {0}, occ[256] = {0};
    for (uint32_t i = 0; i < n; i++)
        C[L[i]]++;
    uint32_t sum = 0;
    for (int c = 0; c < 256; c++) {
        uint32_t t = C[c];
        C[c] = sum;
        sum += t;
    }
    for (uint32_t i = 0; i < n; i++)
        lf[i] = C[L[i]] + occ[L[i]]++;
    uint32_t p = primary;
    for (uint32_t i = n; i-- > 0;) {
        out[i] = L[p];
        p = lf[p];
    }
}

static void mtf_encode(const uint8_t *in, uint32_t n, uint8_t *out) {
    uint8_t list[256];
    for (int i = 0; i < 256; i++)
        list[i] = (uint8_t)i;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        uint8_t j = 0;
        while (list[j] != c)
            j++;
        out[i] = j;
        memmove(list + 1, list, j);
        list[0] = c;
    }
}

static void mtf_decode(const uint8_t *in, uint32_t n, uint8_t *out) {
    uint8_t list[256];
    for (int i = 0; i < 256; i++)
        list[i] = (uint8_t)i;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t j = in[i];
        uint8_t c = list[j];
        out[i] = c;
        memmove(list + 1, list, j);
        list[0] = c;
    }
}

/* Runs of 4..259 equal bytes become 4 copies plus a count byte. */
static uint32_t rle_encode(const uint8_t *in, uint32_t n, uint8_t *out) {
    uint32_t o = 0, i = 0;
    while (i < n) {
        uint32_t r = 1;
        while (i + r < n && in[i + r] == in[i] && r < 259)
            r++;
        if (r >= 4) {
            for (int k = 0; k < 4; k++)
                out[o++] = in[i];
            out[o++] = (uint8_t)(r - 4);
        } else {
            for (uint32_t k = 0; k < r; k++)
                out[o++] = in[i];
        }
        i += r;
    }
    return o;
}

static uint32_t rle_decode(const uint8_t *in, uint32_t n, uint8_t *out, uint32_t cap) {
    uint32_t o = 0, i = 0, run = 0;
    int prev = -1;
    while (i < n) {
        uint8_t c = in[i++];
        if (o >= cap)
            return UINT32_MAX;
        out[o++] = c;
        run = (c == prev) ? run + 1 : 1;
        prev = c;
        if (run == 4) {
            if (i >= n)
                return UINT32_MAX;
            uint32_t extra = in[i++];
            if (o + extra > cap)
                return UINT32_MAX;
            for (uint32_t k = 0; k < extra; k++)
                out[o++] = c;
            run = 0;
            prev = -1;
        }
    }
    return o;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

int main(void) {
    char line[512];
    unsigned job = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        unsigned long long seed;
        unsigned long len, alpha, block;
        int mode;
        char extra;
        int got = sscanf(line, "%llu %lu %lu %lu %d %c", &seed, &len, &alpha, &block, &mode, &extra);
        if (got <= 0)
            continue;
        if (got != 5 || len == 0 || len > MAX_LEN || alpha < 1 || alpha > 26 || block == 0 ||
            block > MAX_BLOCK || (mode != 0 && mode != 1)) {
            fprintf(stderr, "bad job line: %s", line);
            return 1;
        }
        job++;
        rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
        if (rng_state == 0)
            rng_state = 1;
        uint8_t *text = xmalloc(len);
        gen_text(text, len, (unsigned)alpha, mode);
        uint32_t bmax = (uint32_t)(block < len ? block : len);
        uint32_t *sa = xmalloc(bmax * sizeof(uint32_t));
        uint32_t *rank = xmalloc(bmax * sizeof(uint32_t));
        uint32_t *tmp = xmalloc(bmax * sizeof(uint32_t));
        uint32_t cnt[256];
        uint32_t *cntbuf = bmax > 256 ? xmalloc(bmax * sizeof(uint32_t)) : cnt;
        uint8_t *L = xmalloc(bmax), *M = xmalloc(bmax), *R = xmalloc(bmax / 4 * 5 + 8);
        uint8_t *D1 = xmalloc(bmax), *D2 = xmalloc(bmax), *D3 = xmalloc(bmax);
        uint64_t h_bwt = 0xCBF29CE484222325ULL, h_rle = h_bwt, prim_sum = 0, zeros = 0;
        unsigned long long rle_total = 0;
        unsigned blocks = 0, bad = 0;
        uint32_t first_primary = 0;
        char sample[17] = {0};
        for (unsigned long off = 0; off < len; off += block) {
            uint32_t n = (uint32_t)(len - off < block ? len - off : block);
            const uint8_t *s = text + off;
            uint32_t primary = bwt_forward(s, n, L, sa, rank, tmp, cntbuf);
            mtf_encode(L, n, M);
            uint32_t rn = rle_encode(M, n, R);
            if (blocks == 0) {
                first_primary = primary;
                for (uint32_t i = 0; i < 16 && i < n; i++)
                    sample[i] = (char)L[i];
            }
            for (uint32_t i = 0; i < n; i++)
                zeros += M[i] == 0;
            h_bwt = fnv1a(h_bwt, L, n);
            h_rle = fnv1a(h_rle, R, rn);
            prim_sum += (uint64_t)primary * (blocks + 1);
            rle_total += rn;
            /* inverse pipeline */
            uint32_t dn = rle_decode(R, rn, D1, n);
            if (dn != n) {
                bad++;
            } else {
                mtf_decode(D1, n, D2);
                bwt_inverse(D2, n, primary, D3, sa);
                if (memcmp(D3, s, n) != 0)
                    bad++;
            }
            blocks++;
        }
        printf("job %u: len=%lu alpha=%lu block=%lu mode=%d blocks=%u\n", job, len, alpha, block,
               mode, blocks);
        printf("  first primary=%u bwt[0..16)=%s\n", first_primary, sample);
        printf("  mtf zeros=%llu (%llu permille) rle bytes=%llu\n", (unsigned long long)zeros,
               (unsigned long long)(zeros * 1000 / len), rle_total);
        printf("  hash bwt=%016llx rle=%016llx primsum=%llu roundtrip=%s\n",
               (unsigned long long)h_bwt, (unsigned long long)h_rle, (unsigned long long)prim_sum,
               bad ? "FAIL" : "ok");
        free(text);
        free(sa);
        free(rank);
        free(tmp);
        if (cntbuf != cnt)
            free(cntbuf);
        free(L);
        free(M);
        free(R);
        free(D1);
        free(D2);
        free(D3);
    }
    if (job == 0) {
        fprintf(stderr, "no jobs\n");
        return 1;
    }
    printf("jobs=%u\n", job);
    return 0;
}
