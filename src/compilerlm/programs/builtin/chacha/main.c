/* ChaCha20 stream cipher implemented from the algorithm description (4x4 state of 32-bit words,
 * quarter rounds with 16/12/8/7-bit rotations, 10 double rounds, feed-forward addition), used to
 * encrypt and decrypt PRNG-filled buffers with keystream checksums; plus a toy 64-bit Feistel
 * block cipher in CBC mode with a roundtrip check. Bit manipulation and 32-bit arithmetic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES (8u << 20)
#define MAX_REPEATS 1000000u
#define MAX_JOBS 32

static void fail(const char *msg) {
    fprintf(stderr, "error: %s\n", msg);
    exit(1);
}

static inline uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

#define QR(a, b, c, d)                 \
    do {                               \
        a += b; d ^= a; d = rotl32(d, 16); \
        c += d; b ^= c; b = rotl32(b, 12); \
        a += b; d ^= a; d = rotl32(d, 8);  \
        c += d; b ^= c; b = rotl32(b, 7);  \
    } while (0)

typedef struct {
    uint32_t key[8];
    uint32_t nonce[3];
} ChaChaKey;

static void chacha_block(const ChaChaKey *k, uint32_t counter, uint32_t out[16]) {
    uint32_t in[16] = {0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u};
    for (int i = 0; i < 8; i++) in[4 + i] = k->key[i];
    in[12] = counter;
    for (int i = 0; i < 3; i++) in[13 + i] = k->nonce[i];
    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int r = 0; r < 10; r++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) out[i] = x[i] + in[i];
}

/* XOR buf with the keystream starting at block `counter` (little-endian serialization). */
static void chacha_xor(const ChaChaKey *k, uint32_t counter, uint8_t *buf, size_t len) {
    uint32_t ks[16];
    uint8_t bytes[64];
    for (size_t off = 0; off < len; off += 64, counter++) {
        chacha_block(k, counter, ks);
        for (int i = 0; i < 16; i++) {
            bytes[4 * i] = (uint8_t)ks[i];
            bytes[4 * i + 1] = (uint8_t)(ks[i] >> 8);
            bytes[4 * i + 2] = (uint8_t)(ks[i] >> 16);
            bytes[4 * i + 3] = (uint8_t)(ks[i] >> 24);
        }
        size_t n = len - off < 64 ? len - off : 64;
        for (size_t i = 0; i < n; i++) buf[off + i] ^= bytes[i];
    }
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t fnv1a(const uint8_t *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static int selftest(void) {
    /* Quarter-round and block test vectors from the ChaCha20 specification (RFC 7539 2.1.1 / 2.3.2). */
    uint32_t a = 0x11111111u, b = 0x01020304u, c = 0x9b8d6f43u, d = 0x01234567u;
    QR(a, b, c, d);
    int ok = a == 0xea2a92f4u && b == 0xcb1cf8ceu && c == 0x4581472eu && d == 0x5881c4bbu;
    ChaChaKey k;
    for (int i = 0; i < 8; i++) {
        uint32_t base = (uint32_t)(4 * i);
        k.key[i] = base | (base + 1) << 8 | (base + 2) << 16 | (base + 3) << 24;
    }
    k.nonce[0] = 0x09000000u;
    k.nonce[1] = 0x4a000000u;
    k.nonce[2] = 0;
    uint32_t out[16];
    chacha_block(&k, 1, out);
    ok = ok && out[0] == 0xe4e7f110u && out[1] == 0x15593bd1u;
    printf("selftest qr=%08x%08x block0=%08x block15=%08x %s\n", (unsigned)a, (unsigned)d,
           (unsigned)out[0], (unsigned)out[15], ok ? "ok" : "FAIL");
    return ok;
}

static void stream_job(uint64_t seed, uint32_t nbytes, uint32_t repeats) {
    ChaChaKey k;
    uint64_t s = seed;
    for (int i = 0; i < 8; i++) k.key[i] = (uint32_t)splitmix(&s);
    for (int i = 0; i < 3; i++) k.nonce[i] = (uint32_t)splitmix(&s);
    uint8_t *plain = malloc(nbytes ? nbytes : 1);
    uint8_t *buf = malloc(nbytes ? nbytes : 1);
    if (!plain || !buf) fail("out of memory");
    for (uint32_t i = 0; i < nbytes; i++) plain[i] = (uint8_t)(splitmix(&s) >> 56);
    memcpy(buf, plain, nbytes);
    uint32_t acc = 0, mismatches = 0;
    uint64_t popcnt = 0;
    for (uint32_t r = 0; r < repeats; r++) {
        uint32_t counter = r * 7919u;
        chacha_xor(&k, counter, buf, nbytes);
        acc = (acc ^ fnv1a(buf, nbytes)) * 0x01000193u + r;
        if (r + 1 == repeats)
            for (uint32_t i = 0; i < nbytes; i++)
                for (uint8_t v = buf[i] ^ plain[i]; v; v &= (uint8_t)(v - 1)) popcnt++;
        chacha_xor(&k, counter, buf, nbytes);
        if (memcmp(buf, plain, nbytes) != 0) mismatches++;
        /* Evolve the plaintext so each repeat differs. */
        if (nbytes) {
            plain[r % nbytes] ^= (uint8_t)(r * 37u + 1u);
            buf[r % nbytes] = plain[r % nbytes];
        }
        k.nonce[2] += 1u;
    }
    printf("stream bytes=%u repeats=%u cipher_acc=%08x keystream_bits=%llu roundtrip=%s\n",
           (unsigned)nbytes, (unsigned)repeats, (unsigned)acc, (unsigned long long)popcnt,
           mismatches ? "FAIL" : "ok");
    printf("  plain_crc=%08x first=%02x last=%02x\n", (unsigned)fnv1a(plain, nbytes),
           nbytes ? plain[0] : 0, nbytes ? plain[nbytes - 1] : 0);
    free(plain);
    free(buf);
}

/* Toy Feistel cipher: 64-bit block, 32-bit halves, round function from add-rotate-xor mixing. */
static uint32_t feistel_f(uint32_t x, uint32_t rk) {
    x += rk;
    x ^= rotl32(x, 7) + 0x7F4A7C15u;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    return x + rotl32(rk, 11);
}

static uint64_t feistel_encrypt(uint64_t blk, const uint32_t *rk, int rounds) {
    uint32_t l = (uint32_t)(blk >> 32), r = (uint32_t)blk;
    for (int i = 0; i < rounds; i++) {
        uint32_t t = r;
        r = l ^ feistel_f(r, rk[i]);
        l = t;
    }
    return (uint64_t)r << 32 | l;
}

static uint64_t feistel_decrypt(uint64_t blk, const uint32_t *rk, int rounds) {
    uint32_t l = (uint32_t)(blk >> 32), r = (uint32_t)blk;
    for (int i = rounds - 1; i >= 0; i--) {
        uint32_t t = r;
        r = l ^ feistel_f(r, rk[i]);
        l = t;
    }
    return (uint64_t)r << 32 | l;
}

static void feistel_job(uint64_t seed, uint32_t blocks, int rounds) {
    uint32_t rk[64];
    uint64_t s = seed;
    for (int i = 0; i < rounds; i++) rk[i] = (uint32_t)splitmix(&s);
    uint64_t *data = malloc((blocks ? blocks : 1) * sizeof *data);
    uint64_t *ct = malloc((blocks ? blocks : 1) * sizeof *ct);
    if (!data || !ct) fail("out of memory");
    for (uint32_t i = 0; i < blocks; i++) data[i] = i % 5u == 0 ? 0 : splitmix(&s);
    uint64_t iv = splitmix(&s), prev = iv, acc = 0;
    for (uint32_t i = 0; i < blocks; i++) { /* CBC encrypt */
        ct[i] = feistel_encrypt(data[i] ^ prev, rk, rounds);
        prev = ct[i];
        acc = (acc ^ ct[i]) * 0x100000001B3ULL;
    }
    uint32_t bad = 0;
    prev = iv;
    for (uint32_t i = 0; i < blocks; i++) { /* CBC decrypt */
        uint64_t p = feistel_decrypt(ct[i], rk, rounds) ^ prev;
        prev = ct[i];
        if (p != data[i]) bad++;
    }
    printf("feistel blocks=%u rounds=%d ct_acc=%016llx first=%016llx roundtrip=%s\n",
           (unsigned)blocks, rounds, (unsigned long long)acc,
           (unsigned long long)(blocks ? ct[0] : 0), bad ? "FAIL" : "ok");
    free(data);
    free(ct);
}

int main(void) {
    int jobs;
    if (scanf("%d", &jobs) != 1 || jobs < 1 || jobs > MAX_JOBS) fail("bad job count");
    if (!selftest()) return 1;
    for (int j = 0; j < jobs; j++) {
        char kind[16];
        unsigned long long seed;
        unsigned a, b;
        if (scanf("%15s %llu %u %u", kind, &seed, &a, &b) != 4) fail("bad job line");
        if (strcmp(kind, "stream") == 0) {
            if (a > MAX_BYTES || b < 1 || b > MAX_REPEATS) fail("bad stream parameters");
            stream_job((uint64_t)seed, a, b);
        } else if (strcmp(kind, "feistel") == 0) {
            if (a > MAX_BYTES || b < 1 || b > 64) fail("bad feistel parameters");
            feistel_job((uint64_t)seed, a, (int)b);
        } else {
            fail("unknown job kind");
        }
    }
    return 0;
}
