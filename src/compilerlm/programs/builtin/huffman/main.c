/* Huffman coding driver: splits the data into blocks, builds a length-limited canonical code per
 * block, encodes, decodes with two decoders and verifies the roundtrip with CRC-32.
 *
 * Input, first line one of
 *   text <repeat> <maxlen> <blocksize>                 the rest of stdin is the data, used repeat times
 *   gen <n> <seed> <skew> <maxlen> <blocksize>         n PRNG bytes, exponentially skewed by skew (1-64)
 * maxlen is the code length limit (10-30), blocksize in bytes (256 - 4194304). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "huffman.h"

#define MAX_TEXT (1u << 20)
#define MAX_DATA (8u << 20)
#define SHOW_BLOCKS 4

typedef struct {
    unsigned long long n, seed, skew, maxlen, blocksize, repeat;
    int generated;
} Params;

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

/* ---------- input ---------- */

static int next_uint(char **p, unsigned long long lo, unsigned long long hi, unsigned long long *out) {
    char *s = *p, *end;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (v < lo || v > hi || (v == ULLONG_MAX))
        return 0;
    *out = v;
    *p = end;
    return 1;
}

static int at_line_end(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return *p == '\n' || *p == '\0';
}

static void parse_header(Params *pr) {
    char line[256];
    if (!fgets(line, sizeof line, stdin))
        die("missing header");
    char *p = line;
    int ok;
    memset(pr, 0, sizeof *pr);
    if (strncmp(p, "text ", 5) == 0) {
        p += 5;
        ok = next_uint(&p, 1, 1000, &pr->repeat) && next_uint(&p, 10, HUFF_MAX_BITS, &pr->maxlen) &&
             next_uint(&p, 256, 4194304, &pr->blocksize);
    } else if (strncmp(p, "gen ", 4) == 0) {
        p += 4;
        pr->generated = 1;
        ok = next_uint(&p, 1, MAX_DATA, &pr->n) && next_uint(&p, 0, ULLONG_MAX - 1, &pr->seed) &&
             next_uint(&p, 1, 64, &pr->skew) && next_uint(&p, 10, HUFF_MAX_BITS, &pr->maxlen) &&
             next_uint(&p, 256, 4194304, &pr->blocksize);
    } else {
        ok = 0;
    }
    if (!ok || !at_line_end(p))
        die("bad header");
}

static uint64_t rng_state;

static uint64_t splitmix(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Skewed source: symbol weights decay exponentially, symbol identities are shuffled. */
static uint8_t *generate(const Params *pr, size_t *len) {
    uint64_t cum[256];
    uint8_t perm[256];
    rng_state = pr->seed;
    for (int i = 0; i < 256; i++)
        perm[i] = (uint8_t)i;
    for (int i = 255; i > 0; i--) {
        int j = (int)(splitmix() % (uint64_t)(i + 1));
        uint8_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint64_t total = 0;
    for (int i = 0; i < 256; i++) {
        unsigned shift = (unsigned)((unsigned long long)i * pr->skew / 16);
        total += shift >= 40 ? 1 : (1ULL << 40) >> shift;
        cum[i] = total;
    }
    uint8_t *buf = malloc(pr->n);
    if (!buf)
        die("out of memory");
    for (size_t k = 0; k < pr->n; k++) {
        uint64_t r = splitmix() % total;
        int lo = 0, hi = 255;
        while (lo < hi) { /* first index with cum > r */
            int mid = (lo + hi) / 2;
            if (cum[mid] > r)
                hi = mid;
            else
                lo = mid + 1;
        }
        buf[k] = perm[lo];
    }
    *len = pr->n;
    return buf;
}

static uint8_t *read_text(const Params *pr, size_t *len) {
    size_t cap = 65536, n = 0;
    uint8_t *t = malloc(cap);
    if (!t)
        die("out of memory");
    size_t got;
    while ((got = fread(t + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= MAX_TEXT)
                die("text too large");
            cap *= 2;
            uint8_t *p = realloc(t, cap);
            if (!p)
                die("out of memory");
            t = p;
        }
    }
    if (n == 0)
        die("empty text");
    if ((unsigned long long)n * pr->repeat > MAX_DATA)
        die("text * repeat too large");
    uint8_t *buf = malloc(n * pr->repeat);
    if (!buf)
        die("out of memory");
    for (unsigned long long r = 0; r < pr->repeat; r++)
        memcpy(buf + r * n, t, n);
    free(t);
    *len = n * pr->repeat;
    return buf;
}

/* ---------- reporting helpers ---------- */

typedef struct {
    int sym;
    uint64_t freq;
} SymFreq;

static int by_freq_desc(const void *a, const void *b) {
    const SymFreq *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? 1 : -1;
    return x->sym - y->sym;
}

static void print_symbol(int s) {
    if (s > 32 && s < 127 && s != '\\')
        printf("'%c'", s);
    else
        printf("x%02x", s);
}

static int item_less(int a, int b, const void *ctx) {
    const uint64_t *f = ctx;
    return f[a] != f[b] ? f[a] > f[b] : a < b; /* max-heap on frequency */
}

static void report_global(const uint8_t *data, size_t n, int maxlen) {
    uint64_t freq[256] = {0};
    for (size_t i = 0; i < n; i++)
        freq[data[i]]++;
    HuffCode hc;
    if (!huff_build(freq, maxlen, &hc))
        die("could not build global code");
    uint64_t bits = 0;
    int used = 0;
    unsigned hist[HUFF_MAX_BITS + 1] = {0};
    for (int s = 0; s < 256; s++) {
        bits += freq[s] * hc.len[s];
        if (freq[s]) {
            used++;
            hist[hc.len[s]]++;
        }
    }
    printf("global: symbols=%d maxlen=%d rescales=%d bits=%llu bytes=%llu\n", used, hc.max_len, hc.rescales,
           (unsigned long long)bits, (unsigned long long)((bits + 7) / 8));
    printf("length histogram:");
    for (int l = 1; l <= HUFF_MAX_BITS; l++)
        if (hist[l])
            printf(" %d:%u", l, hist[l]);
    printf("\n");
    /* top symbols by frequency, extracted with the heap module */
    Heap h;
    if (!heap_init(&h, 16, item_less, freq))
        die("out of memory");
    for (int s = 0; s < 256; s++)
        if (freq[s])
            heap_push(&h, s);
    if (!heap_check(&h))
        die("heap self-test failed");
    printf("top:");
    for (int k = 0; k < 12 && heap_size(&h) > 0; k++) {
        int s = heap_pop(&h);
        printf(" ");
        print_symbol(s);
        printf("=%llu/%u", (unsigned long long)freq[s], hc.len[s]);
    }
    printf("\n");
    heap_free(&h);
    /* the rarest symbol, found through a qsort ordering */
    SymFreq sf[256];
    for (int s = 0; s < 256; s++) {
        sf[s].sym = s;
        sf[s].freq = freq[s];
    }
    qsort(sf, 256, sizeof sf[0], by_freq_desc);
    printf("rarest used: ");
    for (int s = 255; s >= 0; s--) {
        if (sf[s].freq) {
            print_symbol(sf[s].sym);
            printf("=%llu/%u\n", (unsigned long long)sf[s].freq, hc.len[sf[s].sym]);
            break;
        }
    }
}

/* ---------- block coding ---------- */

int main(void) {
    Params pr;
    crc_init();
    parse_header(&pr);
    size_t n;
    uint8_t *data = pr.generated ? generate(&pr, &n) : read_text(&pr, &n);
    uint8_t *decoded = malloc(n);
    if (!decoded)
        die("out of memory");
    size_t bs = (size_t)pr.blocksize;
    size_t nblocks = (n + bs - 1) / bs;
    printf("data: %zu bytes crc=%08x blocks=%zu\n", n, crc32(data, n), nblocks);
    BitWriter bw = {NULL, 0, 0};
    static HuffDecoder dec;
    uint64_t total_bits = 0;
    uint32_t stream_crc = 0;
    int ok = 1, total_rescales = 0;
    for (size_t b = 0; b < nblocks; b++) {
        size_t off = b * bs, len = n - off < bs ? n - off : bs;
        uint64_t freq[256] = {0};
        for (size_t i = 0; i < len; i++)
            freq[data[off + i]]++;
        HuffCode hc;
        if (!huff_build(freq, (int)pr.maxlen, &hc))
            die("code construction failed");
        total_rescales += hc.rescales;
        bw.bitpos = 0;
        if (bw.data)
            memset(bw.data, 0, bw.cap);
        if (!huff_encode(&hc, data + off, len, &bw))
            die("encoding failed");
        total_bits += bw.bitpos;
        size_t nbytes = (bw.bitpos + 7) / 8;
        stream_crc = crc32(bw.data, nbytes) ^ (stream_crc * 31u);
        if (!huff_decoder_init(&dec, &hc))
            die("decoder init failed");
        BitReader br = {bw.data, bw.bitpos, 0};
        int ok_slow = huff_decode_slow(&dec, &br, decoded + off, len) && br.bitpos == bw.bitpos &&
                      memcmp(decoded + off, data + off, len) == 0;
        memset(decoded + off, 0, len);
        BitReader br2 = {bw.data, bw.bitpos, 0};
        int ok_fast = huff_decode_fast(&dec, &br2, decoded + off, len) && br2.bitpos == bw.bitpos &&
                      memcmp(decoded + off, data + off, len) == 0;
        ok &= ok_slow && ok_fast;
        if (b < SHOW_BLOCKS || b + 1 == nblocks) {
            int used = 0;
            for (int s = 0; s < 256; s++)
                used += freq[s] != 0;
            printf("block %zu: %zu bytes symbols=%d maxlen=%d rescales=%d bits=%zu crc=%08x slow=%s fast=%s\n", b, len,
                   used, hc.max_len, hc.rescales, bw.bitpos, crc32(bw.data, nbytes), ok_slow ? "ok" : "FAIL",
                   ok_fast ? "ok" : "FAIL");
        }
    }
    uint64_t permille = n ? total_bits * 1000 / (8 * (uint64_t)n) : 0;
    printf("total bits=%llu ratio=%llu.%03llu rescales=%d stream=%08x\n", (unsigned long long)total_bits,
           (unsigned long long)(permille / 1000),
           (unsigned long long)(permille % 1000), total_rescales, stream_crc);
    printf("decoded crc=%08x roundtrip=%s\n", crc32(decoded, n), ok ? "ok" : "FAIL");
    report_global(data, n, (int)pr.maxlen);
    free(bw.data);
    free(data);
    free(decoded);
    return 0;
}
