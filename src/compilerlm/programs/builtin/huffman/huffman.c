/* Length-limited Huffman code construction, canonical code assignment and coding. */
#include "huffman.h"

#include <stdlib.h>
#include <string.h>

#include "heap.h"

#define MAX_NODES (2 * HUFF_SYMBOLS)

typedef struct {
    uint64_t weight;
    int left, right; /* -1 for leaves */
    int order;       /* creation order, breaks weight ties deterministically */
} Node;

typedef struct {
    Node nodes[MAX_NODES];
    int count;
} Forest;

static int node_less(int a, int b, const void *ctx) {
    const Forest *f = ctx;
    if (f->nodes[a].weight != f->nodes[b].weight)
        return f->nodes[a].weight < f->nodes[b].weight;
    return f->nodes[a].order < f->nodes[b].order;
}

static void assign_depths(const Forest *f, int node, int depth, uint8_t *len, int *maxd) {
    const Node *n = &f->nodes[node];
    if (n->left < 0) {
        int sym = node; /* leaves are created first, one per used symbol */
        len[sym] = (uint8_t)(depth > 255 ? 255 : depth);
        if (depth > *maxd)
            *maxd = depth;
        return;
    }
    assign_depths(f, n->left, depth + 1, len, maxd);
    assign_depths(f, n->right, depth + 1, len, maxd);
}

/* Build unlimited Huffman lengths for the given weights; returns the longest code. */
static int build_lengths(const uint64_t *w, uint8_t *len) {
    static Forest f;
    Heap h;
    memset(len, 0, HUFF_SYMBOLS);
    f.count = HUFF_SYMBOLS;
    int used = 0, last = -1;
    for (int s = 0; s < HUFF_SYMBOLS; s++) {
        f.nodes[s].weight = w[s];
        f.nodes[s].left = f.nodes[s].right = -1;
        f.nodes[s].order = s;
        if (w[s]) {
            used++;
            last = s;
        }
    }
    if (used == 0)
        return 0;
    if (used == 1) {
        len[last] = 1;
        return 1;
    }
    if (!heap_init(&h, (size_t)used, node_less, &f))
        return -1;
    for (int s = 0; s < HUFF_SYMBOLS; s++)
        if (w[s])
            heap_push(&h, s);
    while (heap_size(&h) > 1) {
        int a = heap_pop(&h);
        int b = heap_pop(&h);
        int id = f.count++;
        f.nodes[id].weight = f.nodes[a].weight + f.nodes[b].weight;
        f.nodes[id].left = a;
        f.nodes[id].right = b;
        f.nodes[id].order = id;
        heap_push(&h, id);
    }
    int root = heap_pop(&h);
    heap_free(&h);
    int maxd = 0;
    assign_depths(&f, root, 0, len, &maxd);
    return maxd;
}

int huff_build(const uint64_t freq[HUFF_SYMBOLS], int limit, HuffCode *hc) {
    uint64_t w[HUFF_SYMBOLS];
    memcpy(w, freq, sizeof w);
    hc->rescales = 0;
    for (;;) {
        int m = build_lengths(w, hc->len);
        if (m < 0)
            return 0;
        hc->max_len = m;
        if (m <= limit)
            break;
        /* too deep: flatten the distribution (bzip2 style) and try again */
        hc->rescales++;
        if (hc->rescales > 64)
            return 0;
        for (int s = 0; s < HUFF_SYMBOLS; s++)
            if (w[s])
                w[s] = 1 + w[s] / 2;
    }
    huff_canonical(hc);
    return 1;
}

void huff_canonical(HuffCode *hc) {
    uint32_t bl_count[HUFF_MAX_BITS + 2] = {0};
    uint32_t next[HUFF_MAX_BITS + 2] = {0};
    for (int s = 0; s < HUFF_SYMBOLS; s++)
        if (hc->len[s] && hc->len[s] <= HUFF_MAX_BITS)
            bl_count[hc->len[s]]++;
    uint32_t code = 0;
    for (int b = 1; b <= HUFF_MAX_BITS; b++) {
        code = (code + bl_count[b - 1]) << 1;
        next[b] = code;
    }
    for (int s = 0; s < HUFF_SYMBOLS; s++) {
        int l = hc->len[s];
        hc->code[s] = l ? next[l]++ : 0;
    }
}

static int bw_put(BitWriter *bw, uint32_t code, int len) {
    size_t need = (bw->bitpos + (size_t)len + 7) / 8;
    if (need > bw->cap) {
        size_t ncap = bw->cap ? bw->cap * 2 : 1024;
        while (ncap < need)
            ncap *= 2;
        uint8_t *p = realloc(bw->data, ncap);
        if (!p)
            return 0;
        memset(p + bw->cap, 0, ncap - bw->cap);
        bw->data = p;
        bw->cap = ncap;
    }
    for (int i = len - 1; i >= 0; i--) {
        if (code >> i & 1u)
            bw->data[bw->bitpos >> 3] |= (uint8_t)(0x80u >> (bw->bitpos & 7));
        bw->bitpos++;
    }
    return 1;
}

int huff_encode(const HuffCode *hc, const uint8_t *in, size_t n, BitWriter *bw) {
    for (size_t i = 0; i < n; i++) {
        int l = hc->len[in[i]];
        if (l == 0 || !bw_put(bw, hc->code[in[i]], l))
            return 0;
    }
    return 1;
}

int huff_decoder_init(HuffDecoder *d, const HuffCode *hc) {
    uint16_t offs[HUFF_MAX_BITS + 2];
    memset(d->count, 0, sizeof d->count);
    memset(d->fast, 0, sizeof d->fast);
    for (int s = 0; s < HUFF_SYMBOLS; s++) {
        if (hc->len[s] > HUFF_MAX_BITS)
            return 0;
        d->count[hc->len[s]]++;
    }
    d->count[0] = 0;
    offs[1] = 0;
    for (int b = 1; b < HUFF_MAX_BITS; b++)
        offs[b + 1] = (uint16_t)(offs[b] + d->count[b]);
    for (int s = 0; s < HUFF_SYMBOLS; s++)
        if (hc->len[s])
            d->symbols[offs[hc->len[s]]++] = (uint16_t)s;
    for (int s = 0; s < HUFF_SYMBOLS; s++) {
        int l = hc->len[s];
        if (l == 0 || l > HUFF_TABLE_BITS)
            continue;
        uint32_t first = hc->code[s] << (HUFF_TABLE_BITS - l);
        uint32_t span = 1u << (HUFF_TABLE_BITS - l);
        for (uint32_t k = 0; k < span; k++)
            d->fast[first + k] = (uint16_t)(s << 8 | l);
    }
    return 1;
}

static inline int br_bit(BitReader *br) {
    if (br->bitpos >= br->nbits)
        return -1;
    int b = br->data[br->bitpos >> 3] >> (7 - (br->bitpos & 7)) & 1;
    br->bitpos++;
    return b;
}

/* Canonical decoding one bit at a time (as in zlib's puff). */
static int decode_symbol(const HuffDecoder *d, BitReader *br) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= HUFF_MAX_BITS; len++) {
        int b = br_bit(br);
        if (b < 0)
            return -1;
        code |= b;
        int count = d->count[len];
        if (code - count < first)
            return d->symbols[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return -2;
}

int huff_decode_slow(const HuffDecoder *d, BitReader *br, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int s = decode_symbol(d, br);
        if (s < 0)
            return 0;
        out[i] = (uint8_t)s;
    }
    return 1;
}

int huff_decode_fast(const HuffDecoder *d, BitReader *br, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t peek = 0;
        for (int k = 0; k < HUFF_TABLE_BITS; k++) {
            size_t p = br->bitpos + (size_t)k;
            uint32_t b = p < br->nbits ? (uint32_t)(br->data[p >> 3] >> (7 - (p & 7)) & 1) : 0u;
            peek = peek << 1 | b;
        }
        uint16_t e = d->fast[peek];
        if (e) {
            int l = e & 0xFF;
            if (br->bitpos + (size_t)l > br->nbits)
                return 0;
            br->bitpos += (size_t)l;
            out[i] = (uint8_t)(e >> 8);
        } else {
            int s = decode_symbol(d, br); /* long code: fall back to the serial decoder */
            if (s < 0)
                return 0;
            out[i] = (uint8_t)s;
        }
    }
    return 1;
}
