#ifndef HUFFMAN_H
#define HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

#define HUFF_SYMBOLS 256
#define HUFF_MAX_BITS 30
#define HUFF_TABLE_BITS 10

typedef struct {
    uint8_t len[HUFF_SYMBOLS];
    uint32_t code[HUFF_SYMBOLS];
    int rescales; /* how often frequencies were flattened to respect the length limit */
    int max_len;  /* longest code actually used */
} HuffCode;

typedef struct {
    uint16_t count[HUFF_MAX_BITS + 1];
    uint16_t symbols[HUFF_SYMBOLS];
    /* fast table: entry = (symbol << 8) | length, 0 when the code is longer than the table */
    uint16_t fast[1u << HUFF_TABLE_BITS];
} HuffDecoder;

typedef struct {
    uint8_t *data;
    size_t cap;
    size_t bitpos;
} BitWriter;

typedef struct {
    const uint8_t *data;
    size_t nbits;
    size_t bitpos;
} BitReader;

int huff_build(const uint64_t freq[HUFF_SYMBOLS], int limit, HuffCode *hc);
void huff_canonical(HuffCode *hc);
int huff_encode(const HuffCode *hc, const uint8_t *in, size_t n, BitWriter *bw);
int huff_decoder_init(HuffDecoder *d, const HuffCode *hc);
int huff_decode_slow(const HuffDecoder *d, BitReader *br, uint8_t *out, size_t n);
int huff_decode_fast(const HuffDecoder *d, BitReader *br, uint8_t *out, size_t n);

#endif
