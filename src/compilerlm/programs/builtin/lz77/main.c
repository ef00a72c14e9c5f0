/* LZ77 compression / decompression roundtrip.
 *
 * Input: a header line "<repeat> <level> [<level> ...]" followed by arbitrary text. The text is
 * concatenated <repeat> times, each copy slightly edited by a PRNG, and the resulting buffer is
 * compressed at every listed level (1-9), decompressed and compared.
 *
 * Stream format: a flag byte announces the kind of the next 8 tokens (bit set = match). A literal
 * is one byte; a match is three bytes: 16-bit little-endian (distance - 1), then (length - 3). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_BITS 16
#define WINDOW_SIZE (1u << WINDOW_BITS)
#define WINDOW_MASK (WINDOW_SIZE - 1)
#define HASH_BITS 15
#define HASH_SIZE (1u << HASH_BITS)
#define MIN_MATCH 3
#define MAX_MATCH 258
#define NIL UINT32_MAX
#define MAX_INPUT (1u << 20)
#define MAX_BUFFER (6u << 20)
#define MAX_LEVELS 9
#define MAX_CHAIN_STEPS 200000000ULL /* bounds the run time on adversarial input */

typedef struct {
    unsigned max_chain; /* how many chain links to follow */
    unsigned good_len;  /* stop lazy evaluation beyond this length */
    unsigned nice_len;  /* stop searching once a match this long is found */
    int lazy;           /* try a match at the next position before committing */
} LevelConfig;

static const LevelConfig levels[MAX_LEVELS + 1] = {
    {0, 0, 0, 0},       {4, 8, 16, 0},     {8, 16, 32, 0},   {16, 32, 64, 0}, {16, 16, 64, 1},
    {32, 32, 128, 1},   {64, 64, 128, 1},  {128, 128, 258, 1}, {512, 258, 258, 1}, {2048, 258, 258, 1},
};

typedef struct {
    uint8_t *data;
    size_t len, cap;
} ByteBuf;

typedef struct {
    uint64_t literals, matches, match_bytes;
    unsigned longest;
} CompressStats;

typedef struct {
    uint32_t head[HASH_SIZE];
    uint32_t prev[WINDOW_SIZE];
} Chains;

static Chains chains;
static unsigned long long chain_steps;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static void buf_reserve(ByteBuf *b, size_t extra) {
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        die("out of memory");
    b->data = p;
    b->cap = cap;
}

static void buf_push(ByteBuf *b, uint8_t v) {
    buf_reserve(b, 1);
    b->data[b->len++] = v;
}

static inline uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void chains_reset(void) {
    for (size_t i = 0; i < HASH_SIZE; i++)
        chains.head[i] = NIL;
    for (size_t i = 0; i < WINDOW_SIZE; i++)
        chains.prev[i] = NIL;
}

static void chains_insert(const uint8_t *in, size_t len, size_t pos) {
    if (pos + MIN_MATCH > len)
        return;
    uint32_t h = hash3(in + pos);
    chains.prev[pos & WINDOW_MASK] = chains.head[h];
    chains.head[h] = (uint32_t)pos;
}

/* Longest match for in[pos..] among earlier positions in the window. */
static unsigned find_match(const uint8_t *in, size_t len, size_t pos, const LevelConfig *cfg, unsigned prev_len,
                           size_t *dist_out) {
    if (pos + MIN_MATCH > len)
        return 0;
    unsigned best = prev_len >= MIN_MATCH ? prev_len : MIN_MATCH - 1;
    unsigned limit = len - pos < MAX_MATCH ? (unsigned)(len - pos) : MAX_MATCH;
    if (best >= limit)
        return 0; /* cannot beat the previous match here */
    unsigned chain = cfg->max_chain;
    if (prev_len >= cfg->good_len)
        chain >>= 2;
    uint32_t cand = chains.head[hash3(in + pos)];
    unsigned found = 0;
    while (cand != NIL && chain-- > 0) {
        if (++chain_steps > MAX_CHAIN_STEPS)
            die("match search budget exceeded");
        if (pos - cand > WINDOW_SIZE - 1 || cand >= pos)
            break;
        const uint8_t *a = in + cand, *b = in + pos;
        if (a[best] == b[best] && a[0] == b[0]) {
            unsigned n = 0;
            while (n < limit && a[n] == b[n])
                n++;
            if (n > best) {
                best = n;
                found = n;
                *dist_out = pos - cand;
                if (n >= cfg->nice_len || n == limit)
                    break;
            }
        }
        uint32_t next = chains.prev[cand & WINDOW_MASK];
        if (next != NIL && next >= cand)
            break; /* slot was overwritten by a newer position */
        cand = next;
    }
    return found;
}

typedef struct {
    ByteBuf *out;
    size_t flag_pos;
    unsigned count;
} TokenWriter;

static void writer_begin_token(TokenWriter *w) {
    if (w->count % 8 == 0) {
        w->flag_pos = w->out->len;
        buf_push(w->out, 0);
    }
}

static void emit_literal(TokenWriter *w, uint8_t c, CompressStats *st) {
    writer_begin_token(w);
    buf_push(w->out, c);
    w->count++;
    st->literals++;
}

static void emit_match(TokenWriter *w, size_t dist, unsigned len, CompressStats *st) {
    writer_begin_token(w);
    w->out->data[w->flag_pos] |= (uint8_t)(1u << (w->count % 8));
    buf_push(w->out, (uint8_t)((dist - 1) & 0xFF));
    buf_push(w->out, (uint8_t)((dist - 1) >> 8));
    buf_push(w->out, (uint8_t)(len - MIN_MATCH));
    w->count++;
    st->matches++;
    st->match_bytes += len;
    if (len > st->longest)
        st->longest = len;
}

static void compress(const uint8_t *in, size_t len, int level, ByteBuf *out, CompressStats *st) {
    const LevelConfig *cfg = &levels[level];
    TokenWriter w = {out, 0, 0};
    memset(st, 0, sizeof *st);
    chains_reset();
    size_t pos = 0;
    while (pos < len) {
        size_t dist = 0;
        unsigned mlen = find_match(in, len, pos, cfg, 0, &dist);
        if (mlen >= MIN_MATCH && cfg->lazy && mlen < cfg->good_len && pos + 1 < len) {
            /* lazy evaluation: would starting one byte later give a longer match? */
            chains_insert(in, len, pos);
            size_t dist2 = 0;
            unsigned next = find_match(in, len, pos + 1, cfg, mlen, &dist2);
            if (next > mlen) {
                emit_literal(&w, in[pos], st);
                pos++;
                mlen = next;
                dist = dist2;
            } else {
                /* undo nothing: pos is already inserted; insert the rest below */
                emit_match(&w, dist, mlen, st);
                for (size_t k = 1; k < mlen; k++)
                    chains_insert(in, len, pos + k);
                pos += mlen;
                continue;
            }
        }
        if (mlen >= MIN_MATCH) {
            emit_match(&w, dist, mlen, st);
            for (size_t k = 0; k < mlen; k++)
                chains_insert(in, len, pos + k);
            pos += mlen;
        } else {
            emit_literal(&w, in[pos], st);
            chains_insert(in, len, pos);
            pos++;
        }
    }
}

/* Returns 0 on success, a negative code describing the corruption otherwise. */
static int decompress(const uint8_t *in, size_t len, ByteBuf *out) {
    size_t ip = 0;
    out->len = 0;
    while (ip < len) {
        uint8_t flags = in[ip++];
        for (int bit = 0; bit < 8 && ip < len; bit++) {
            if (flags & (1u << bit)) {
                if (ip + 3 > len)
                    return -1;
                size_t dist = (size_t)(in[ip] | in[ip + 1] << 8) + 1;
                size_t mlen = (size_t)in[ip + 2] + MIN_MATCH;
                ip += 3;
                if (dist > out->len)
                    return -2;
                buf_reserve(out, mlen);
                uint8_t *dst = out->data + out->len;
                const uint8_t *src = dst - dist;
                for (size_t k = 0; k < mlen; k++) /* byte by byte: overlapping copies are legal */
                    dst[k] = src[k];
                out->len += mlen;
            } else {
                buf_push(out, in[ip++]);
            }
        }
    }
    return 0;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    while (n > 0) {
        size_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return b << 16 | a;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift64(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Build the work buffer: repeat copies of text, each with a few PRNG edits. */
static void build_buffer(const uint8_t *text, size_t tlen, unsigned repeat, ByteBuf *work) {
    static const char *const inserts[] = {"", " ", "\n", "--", "0123", "the ", "LZ77!"};
    for (unsigned r = 0; r < repeat; r++) {
        size_t start = work->len;
        buf_reserve(work, tlen + 8);
        memcpy(work->data + work->len, text, tlen);
        work->len += tlen;
        unsigned edits = 1 + (unsigned)(xorshift64() % 16);
        for (unsigned e = 0; e < edits; e++) {
            size_t at = start + (size_t)(xorshift64() % tlen);
            uint64_t r2 = xorshift64();
            switch (r2 % 4) {
            case 0: /* flip case / change a byte */
                work->data[at] ^= 0x20;
                break;
            case 1: /* swap with neighbour */
                if (at + 1 < work->len) {
                    uint8_t t = work->data[at];
                    work->data[at] = work->data[at + 1];
                    work->data[at + 1] = t;
                }
                break;
            case 2: /* digit overwrite */
                work->data[at] = (uint8_t)('0' + r2 / 4 % 10);
                break;
            default:
                break;
            }
        }
        const char *ins = inserts[xorshift64() % (sizeof inserts / sizeof inserts[0])];
        size_t n = strlen(ins);
        buf_reserve(work, n);
        memcpy(work->data + work->len, ins, n);
        work->len += n;
    }
}

static int parse_header(const char *line, unsigned *repeat, int *lv, int *nlv) {
    char *end;
    const char *p = line;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || v > 4096)
        return 0;
    *repeat = (unsigned)v;
    *nlv = 0;
    for (p = end;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\r' || *p == '\0')
            break;
        v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > MAX_LEVELS || *nlv >= MAX_LEVELS)
            return 0;
        lv[(*nlv)++] = (int)v;
        p = end;
    }
    return *nlv > 0;
}

int main(void) {
    char header[128];
    if (!fgets(header, sizeof header, stdin) || !strchr(header, '\n'))
        die("missing header line");
    unsigned repeat;
    int lv[MAX_LEVELS], nlv;
    if (!parse_header(header, &repeat, lv, &nlv))
        die("bad header: expected '<repeat 1-4096> <level 1-9>...'");
    ByteBuf text = {0};
    int c;
    while ((c = getchar()) != EOF) {
        if (text.len >= MAX_INPUT)
            die("input too large");
        buf_push(&text, (uint8_t)c);
    }
    if (text.len == 0)
        die("empty input");
    if ((uint64_t)text.len * repeat > MAX_BUFFER)
        die("text * repeat too large");
    ByteBuf work = {0}, packed = {0}, unpacked = {0};
    build_buffer(text.data, text.len, repeat, &work);
    printf("input %zu bytes, buffer %zu bytes, adler32 %08x\n", text.len, work.len, adler32(work.data, work.len));
    int all_ok = 1;
    for (int i = 0; i < nlv; i++) {
        CompressStats st;
        packed.len = 0;
        compress(work.data, work.len, lv[i], &packed, &st);
        int rc = decompress(packed.data, packed.len, &unpacked);
        int ok = rc == 0 && unpacked.len == work.len && memcmp(unpacked.data, work.data, work.len) == 0;
        all_ok &= ok;
        uint64_t ratio = work.len ? (uint64_t)packed.len * 10000 / work.len : 0;
        printf("level %d: %zu bytes (%llu.%02llu%%) lit=%llu match=%llu avg=%llu longest=%u adler=%08x roundtrip=%s\n",
               lv[i], packed.len, (unsigned long long)(ratio / 100), (unsigned long long)(ratio % 100),
               (unsigned long long)st.literals, (unsigned long long)st.matches,
               (unsigned long long)(st.matches ? st.match_bytes / st.matches : 0), st.longest,
               adler32(packed.data, packed.len), ok ? "ok" : "FAIL");
    }
    /* corrupt the last stream and make sure the decoder notices or stays in bounds */
    if (packed.len > 4) {
        packed.data[1] ^= 0x5A;
        packed.data[packed.len / 2] ^= 0xFF;
        int rc = decompress(packed.data, packed.len, &unpacked);
        printf("corrupted stream: rc=%d len=%zu adler=%08x\n", rc, unpacked.len, adler32(unpacked.data, unpacked.len));
    }
    printf("%s\n", all_ok ? "all roundtrips ok" : "ROUNDTRIP FAILURE");
    free(text.data);
    free(work.data);
    free(packed.data);
    free(unpacked.data);
    return 0;
}
