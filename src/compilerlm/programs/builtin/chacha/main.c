/* Stream and block cipher toy workbench: a ChaCha-family stream cipher (8/12/20 rounds, written
 * from the quarter-round description) with one-shot and chunked streaming encryption, roundtrip
 * and keystream checksums; and a 64-bit Feistel network toy cipher in ECB/CBC/CTR modes with
 * avalanche statistics. Not for real cryptographic use. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAM (8u << 20)
#define MAX_BLOCKS (1u << 19)
#define MAX_TEXT 1024

typedef struct {
    uint32_t input[16];
    uint8_t keystream[64];
    unsigned used; /* bytes of keystream consumed, 64 = need a new block */
    int rounds;
} ChaCha;

typedef struct {
    uint32_t round_keys[32];
    int rounds;
} Feistel;

typedef enum { MODE_ECB, MODE_CBC, MODE_CTR } BlockMode;

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QUARTER(a, b, c, d)                                                                                      \
    do {                                                                                                         \
        a += b;                                                                                                  \
        d ^= a;                                                                                                  \
        d = ROTL32(d, 16);                                                                                       \
        c += d;                                                                                                  \
        b ^= c;                                                                                                  \
        b = ROTL32(b, 12);                                                                                       \
        a += b;                                                                                                  \
        d ^= a;                                                                                                  \
        d = ROTL32(d, 8);                                                                                        \
        c += d;                                                                                                  \
        b ^= c;                                                                                                  \
        b = ROTL32(b, 7);                                                                                        \
    } while (0)

static uint32_t load32_le(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void store32_le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void chacha_block(const uint32_t in[16], uint8_t out[64], int rounds) {
    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int i = 0; i < rounds; i += 2) {
        QUARTER(x[0], x[4], x[8], x[12]);
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]);
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32_le(out + 4 * i, x[i] + in[i]);
}

static void chacha_init(ChaCha *c, const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, int rounds) {
    static const uint8_t sigma[16] = "expand 32-byte k";
    for (int i = 0; i < 4; i++)
        c->input[i] = load32_le(sigma + 4 * i);
    for (int i = 0; i < 8; i++)
        c->input[4 + i] = load32_le(key + 4 * i);
    c->input[12] = counter;
    for (int i = 0; i < 3; i++)
        c->input[13 + i] = load32_le(nonce + 4 * i);
    c->used = 64;
    c->rounds = rounds;
}

/* xor `len` bytes of keystream into buf, continuing where the last call stopped */
static void chacha_xor(ChaCha *c, uint8_t *buf, size_t len) {
    while (len > 0) {
        if (c->used == 64) {
            chacha_block(c->input, c->keystream, c->rounds);
            c->input[12]++;
            c->used = 0;
        }
        size_t take = 64 - c->used;
        if (take > len)
            take = len;
        for (size_t i = 0; i < take; i++)
            buf[i] ^= c->keystream[c->used + i];
        c->used += (unsigned)take;
        buf += take;
        len -= take;
    }
}

/* one-shot variant that works block by block without the buffered state */
static void chacha_xor_blocks(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, int rounds, uint8_t *buf,
                              size_t len) {
    ChaCha c;
    chacha_init(&c, key, nonce, counter, rounds);
    uint8_t block[64];
    for (size_t off = 0; off < len; off += 64) {
        chacha_block(c.input, block, rounds);
        c.input[12]++;
        size_t n = len - off < 64 ? len - off : 64;
        for (size_t i = 0; i < n; i++)
            buf[off + i] ^= block[i];
    }
}

/* ---------------- helpers ---------------- */

static uint64_t sm_state;

static uint64_t splitmix(void) {
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void random_bytes(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(splitmix() >> 24);
}

static uint64_t digest(const uint8_t *p, size_t n) {
    uint64_t h = 0x84222325cbf29ce4ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
        h ^= h >> 32;
    }
    return h;
}

static void print_hex(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static int popcount32(uint32_t v) {
    int c = 0;
    while (v) {
        c += (int)(v & 1u);
        v >>= 1;
    }
    return c;
}

/* ---------------- ChaCha commands ---------------- */

static void cmd_selftest(void) {
    /* RFC 8439 section 2.3.2 block function test vector */
    uint8_t key[32], nonce[12] = {0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0}, out[64];
    static const uint8_t expect[16] = {0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
                                       0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4};
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    ChaCha c;
    chacha_init(&c, key, nonce, 1, 20);
    chacha_block(c.input, out, 20);
    printf("selftest block: ");
    print_hex(out, 16);
    printf(" %s digest=%016llx\n", memcmp(out, expect, 16) == 0 ? "ok" : "FAIL", (unsigned long long)digest(out, 64));
}

static void derive_key(uint64_t seed, uint8_t key[32], uint8_t nonce[12]) {
    sm_state = seed;
    random_bytes(key, 32);
    random_bytes(nonce, 12);
}

static void cmd_stream(uint64_t key_seed, uint64_t data_seed, size_t len, int rounds) {
    uint8_t key[32], nonce[12];
    derive_key(key_seed, key, nonce);
    uint8_t *plain = malloc(len ? len : 1), *work = malloc(len ? len : 1), *work2 = malloc(len ? len : 1);
    if (!plain || !work || !work2) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    sm_state = data_seed;
    random_bytes(plain, len);
    memcpy(work, plain, len);
    memcpy(work2, plain, len);
    /* one-shot encrypt */
    chacha_xor_blocks(key, nonce, 1, rounds, work, len);
    uint64_t cdig = digest(work, len);
    /* chunked streaming encrypt with irregular chunk sizes */
    ChaCha c;
    chacha_init(&c, key, nonce, 1, rounds);
    size_t off = 0;
    while (off < len) {
        size_t chunk = 1 + (size_t)(splitmix() % 200u);
        if (chunk > len - off)
            chunk = len - off;
        chacha_xor(&c, work2 + off, chunk);
        off += chunk;
    }
    int same = memcmp(work, work2, len) == 0;
    /* decrypt */
    chacha_xor_blocks(key, nonce, 1, rounds, work, len);
    int roundtrip = memcmp(work, plain, len) == 0;
    /* bit balance of ciphertext */
    uint64_t ones = 0;
    for (size_t i = 0; i < len; i++)
        ones += (uint64_t)popcount32(work2[i]);
    printf("stream chacha%d len=%zu cipher=%016llx chunked=%s roundtrip=%s ones=%llu/%llu\n", rounds, len,
           (unsigned long long)cdig, same ? "ok" : "MISMATCH", roundtrip ? "ok" : "FAIL", (unsigned long long)ones,
           (unsigned long long)len * 8);
    printf("  head ");
    print_hex(work2, len < 24 ? len : 24);
    printf("\n");
    free(plain);
    free(work);
    free(work2);
}

static void cmd_message(uint64_t key_seed, const char *text, int rounds) {
    uint8_t key[32], nonce[12], buf[MAX_TEXT];
    size_t n = strlen(text);
    if (n > MAX_TEXT)
        n = MAX_TEXT;
    derive_key(key_seed, key, nonce);
    memcpy(buf, text, n);
    ChaCha c;
    chacha_init(&c, key, nonce, 0, rounds);
    chacha_xor(&c, buf, n);
    printf("message len=%zu cipher=", n);
    print_hex(buf, n < 48 ? n : 48);
    chacha_init(&c, key, nonce, 0, rounds);
    chacha_xor(&c, buf, n);
    printf(" %s\n", memcmp(buf, text, n) == 0 ? "roundtrip-ok" : "ROUNDTRIP-FAIL");
}

/* ---------------- Feistel toy cipher ---------------- */

static uint8_t sbox[256];

static void feistel_setup_sbox(void) {
    /* permutation of 0..255 from an affine map followed by a fixed shuffle */
    for (int i = 0; i < 256; i++)
        sbox[i] = (uint8_t)(i * 167 + 13);
    uint32_t s = 0x12345u;
    for (int i = 255; i > 0; i--) {
        s = s * 1103515245u + 12345u;
        int j = (int)((s >> 16) % (uint32_t)(i + 1));
        uint8_t t = sbox[i];
        sbox[i] = sbox[j];
        sbox[j] = t;
    }
}

static uint32_t feistel_f(uint32_t half, uint32_t k) {
    uint32_t x = half ^ k;
    x = (uint32_t)sbox[x & 0xff] | ((uint32_t)sbox[(x >> 8) & 0xff] << 8) | ((uint32_t)sbox[(x >> 16) & 0xff] << 16) |
        ((uint32_t)sbox[x >> 24] << 24);
    x ^= ROTL32(x, 7) ^ ROTL32(x, 19);
    return x * 0x9E3779B1u;
}

static void feistel_init(Feistel *f, uint64_t key, int rounds) {
    f->rounds = rounds;
    uint64_t s = key;
    for (int i = 0; i < rounds; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        f->round_keys[i] = (uint32_t)(s >> 16);
    }
}

static uint64_t feistel_encrypt(const Feistel *f, uint64_t block) {
    uint32_t l = (uint32_t)(block >> 32), r = (uint32_t)block;
    for (int i = 0; i < f->rounds; i++) {
        uint32_t t = r;
        r = l ^ feistel_f(r, f->round_keys[i]);
        l = t;
    }
    return ((uint64_t)r << 32) | l; /* final swap undone */
}

static uint64_t feistel_decrypt(const Feistel *f, uint64_t block) {
    uint32_t l = (uint32_t)(block >> 32), r = (uint32_t)block;
    for (int i = f->rounds - 1; i >= 0; i--) {
        uint32_t t = r;
        r = l ^ feistel_f(r, f->round_keys[i]);
        l = t;
    }
    return ((uint64_t)r << 32) | l;
}

static void block_mode_run(const Feistel *f, BlockMode mode, const uint64_t *in, uint64_t *out, size_t n, uint64_t iv,
                           int decrypt) {
    uint64_t chain = iv;
    for (size_t i = 0; i < n; i++) {
        switch (mode) {
        case MODE_ECB:
            out[i] = decrypt ? feistel_decrypt(f, in[i]) : feistel_encrypt(f, in[i]);
            break;
        case MODE_CBC:
            if (decrypt) {
                out[i] = feistel_decrypt(f, in[i]) ^ chain;
                chain = in[i];
            } else {
                out[i] = feistel_encrypt(f, in[i] ^ chain);
                chain = out[i];
            }
            break;
        case MODE_CTR:
            out[i] = in[i] ^ feistel_encrypt(f, iv + i);
            break;
        }
    }
}

static void cmd_feistel(uint64_t key, int rounds, size_t blocks, BlockMode mode) {
    static const char *const names[] = {"ecb", "cbc", "ctr"};
    Feistel f;
    feistel_init(&f, key, rounds);
    uint64_t *plain = malloc(blocks * sizeof(uint64_t)), *cipher = malloc(blocks * sizeof(uint64_t)),
             *back = malloc(blocks * sizeof(uint64_t));
    if (!plain || !cipher || !back) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    sm_state = key ^ 0xfeedull;
    for (size_t i = 0; i < blocks; i++)
        plain[i] = (i % 5 == 0) ? (uint64_t)i : splitmix(); /* some low-entropy blocks */
    uint64_t iv = splitmix();
    block_mode_run(&f, mode, plain, cipher, blocks, iv, 0);
    block_mode_run(&f, mode, cipher, back, blocks, iv, 1);
    int ok = memcmp(plain, back, blocks * sizeof(uint64_t)) == 0;
    uint64_t h = digest((const uint8_t *)cipher, blocks * sizeof(uint64_t));
    /* avalanche: flip each input bit of a few blocks and count flipped output bits */
    uint64_t flipped = 0, trials = 0;
    size_t sample = blocks < 64 ? blocks : 64;
    for (size_t i = 0; i < sample; i++) {
        uint64_t base = feistel_encrypt(&f, plain[i]);
        for (int b = 0; b < 64; b++) {
            uint64_t d = base ^ feistel_encrypt(&f, plain[i] ^ (1ull << b));
            flipped += (uint64_t)(popcount32((uint32_t)d) + popcount32((uint32_t)(d >> 32)));
            trials++;
        }
    }
    printf("feistel rounds=%d %s blocks=%zu cipher=%016llx roundtrip=%s avalanche=%llu/%llu (x100=%llu)\n", rounds,
           names[mode], blocks, (unsigned long long)h, ok ? "ok" : "FAIL", (unsigned long long)flipped,
           (unsigned long long)trials, (unsigned long long)(trials ? flipped * 100 / trials : 0));
    free(plain);
    free(cipher);
    free(back);
}

/* Input lines:
 *   selftest
 *   stream ROUNDS KEYSEED DATASEED LEN        ROUNDS 1..40 (8, 12, 20 are the standard ones;
 *                                             odd counts round up to whole double rounds)
 *   message ROUNDS KEYSEED TEXT...
 *   feistel ROUNDS KEY BLOCKS MODE            MODE in {ecb, cbc, ctr}, ROUNDS 1..32 */
int main(void) {
    char line[MAX_TEXT + 64];
    int commands = 0;
    feistel_setup_sbox();
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !feof(stdin))
            goto bad;
        line[len] = '\0';
        if (len == 0)
            continue;
        if (++commands > 32)
            goto bad;
        char word[16];
        int rounds, consumed = 0;
        unsigned long long a, b, n;
        if (sscanf(line, "%15s", word) != 1)
            goto bad;
        if (strcmp(word, "selftest") == 0) {
            cmd_selftest();
        } else if (strcmp(word, "stream") == 0) {
            if (sscanf(line, "%*s %d %llu %llu %llu", &rounds, &a, &b, &n) != 4 ||
                (rounds < 1 || rounds > 40) || n > MAX_STREAM)
                goto bad;
            cmd_stream(a, b, (size_t)n, rounds);
        } else if (strcmp(word, "message") == 0) {
            if (sscanf(line, "%*s %d %llu %n", &rounds, &a, &consumed) != 2 || consumed == 0 ||
                (rounds < 1 || rounds > 40))
                goto bad;
            cmd_message(a, line + consumed, rounds);
        } else if (strcmp(word, "feistel") == 0) {
            char mode[8];
            BlockMode m;
            if (sscanf(line, "%*s %d %llu %llu %7s", &rounds, &a, &n, mode) != 4 || rounds < 1 || rounds > 32 ||
                n < 1 || n > MAX_BLOCKS)
                goto bad;
            if (strcmp(mode, "ecb") == 0)
                m = MODE_ECB;
            else if (strcmp(mode, "cbc") == 0)
                m = MODE_CBC;
            else if (strcmp(mode, "ctr") == 0)
                m = MODE_CTR;
            else
                goto bad;
            cmd_feistel(a, rounds, (size_t)n, m);
        } else {
            goto bad;
        }
    }
    if (commands == 0)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
