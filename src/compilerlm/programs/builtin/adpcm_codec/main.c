/* adpcm_codec: IMA/DVI ADPCM speech codec (4 bits per 16-bit sample).
 *
 * usage: adpcm_codec -e|-d|-r [-i INPUT] [-o OUTPUT] [-b BLOCK]
 *   -e  encode raw signed 16-bit little-endian mono PCM into an ADPCM stream
 *   -d  decode an ADPCM stream back into raw 16-bit PCM
 *   -r  round trip: encode and decode in memory and report the error (SNR)
 *   -i  input file (default standard input), -o output file (default standard output)
 *   -b  samples per block, 16..4096 (default 505); each block restarts from a stored
 *       predictor and step index so blocks decode independently
 * Stream layout: "IMA1", u32 sample count, u16 block size, then per block: s16 predictor,
 * u8 step index, u8 zero, then ceil((n-1)/2) bytes of codes, low nibble first.
 * A one-line report goes to standard output unless the data itself goes there.
 * exit status: 0 ok, 1 I/O or format error, 2 usage error. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int step_table[89] = {
    7,     8,     9,     10,    11,    12,    13,    14,    16,    17,    19,    21,    23,    25,   28,
    31,    34,    37,    41,    45,    50,    55,    60,    66,    73,    80,    88,    97,    107,  118,
    130,   143,   157,   173,   190,   209,   230,   253,   279,   307,   337,   371,   408,   449,  494,
    544,   598,   658,   724,   796,   876,   963,   1060,  1166,  1282,  1411,  1552,  1707,  1878, 2066,
    2272,  2499,  2749,  3024,  3327,  3660,  4026,  4428,  4871,  5358,  5894,  6484,  7132,  7845, 8630,
    9493,  10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767};
static const int index_adjust[16] = {-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8};

typedef struct {
    int predictor;
    int index;
} CodecState;

typedef struct {
    uint8_t *data;
    size_t len, cap;
} Buf;

_Noreturn static void fail(int code, const char *msg, const char *arg) {
    printf("adpcm_codec: %s%s\n", msg, arg ? arg : "");
    exit(code);
}

static void buf_put(Buf *b, uint8_t v) {
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4096;
        b->data = realloc(b->data, b->cap);
        if (!b->data) fail(1, "out of memory", NULL);
    }
    b->data[b->len++] = v;
}

static Buf read_all(const char *path) {
    FILE *f = path ? fopen(path, "rb") : stdin;
    if (!f) fail(1, "cannot open input ", path);
    Buf b = {NULL, 0, 0};
    int c;
    while ((c = fgetc(f)) != EOF) buf_put(&b, (uint8_t)c);
    if (path) fclose(f);
    return b;
}

static void write_all(const char *path, const uint8_t *data, size_t len) {
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) fail(1, "cannot create output ", path);
    if (len && fwrite(data, 1, len, f) != len) fail(1, "write error", NULL);
    if (path) fclose(f);
    else fflush(stdout);
}

static int encode_sample(CodecState *st, int sample) {
    int step = step_table[st->index];
    int diff = sample - st->predictor;
    int code = 0;
    if (diff < 0) {
        code = 8;
        diff = -diff;
    }
    int delta = step >> 3;
    if (diff >= step) {
        code |= 4;
        diff -= step;
        delta += step;
    }
    step >>= 1;
    if (diff >= step) {
        code |= 2;
        diff -= step;
        delta += step;
    }
    step >>= 1;
    if (diff >= step) {
        code |= 1;
        delta += step;
    }
    st->predictor += (code & 8) ? -delta : delta;
    if (st->predictor > 32767) st->predictor = 32767;
    if (st->predictor < -32768) st->predictor = -32768;
    st->index += index_adjust[code];
    if (st->index < 0) st->index = 0;
    if (st->index > 88) st->index = 88;
    return code;
}

static int decode_sample(CodecState *st, int code) {
    int step = step_table[st->index];
    int delta = step >> 3;
    if (code & 4) delta += step;
    if (code & 2) delta += step >> 1;
    if (code & 1) delta += step >> 2;
    st->predictor += (code & 8) ? -delta : delta;
    if (st->predictor > 32767) st->predictor = 32767;
    if (st->predictor < -32768) st->predictor = -32768;
    st->index += index_adjust[code];
    if (st->index < 0) st->index = 0;
    if (st->index > 88) st->index = 88;
    return st->predictor;
}

static void put_le(Buf *b, uint32_t v, int nbytes) {
    for (int i = 0; i < nbytes; i++) buf_put(b, (uint8_t)(v >> (8 * i)));
}
static uint32_t get_le(const uint8_t *p, int nbytes) {
    uint32_t v = 0;
    for (int i = 0; i < nbytes; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static Buf encode(const int16_t *pcm, size_t n, int block) {
    Buf out = {NULL, 0, 0};
    buf_put(&out, 'I'), buf_put(&out, 'M'), buf_put(&out, 'A'), buf_put(&out, '1');
    put_le(&out, (uint32_t)n, 4);
    put_le(&out, (uint32_t)block, 2);
    CodecState st = {0, 0};
    for (size_t start = 0; start < n; start += (size_t)block) {
        size_t cnt = n - start < (size_t)block ? n - start : (size_t)block;
        /* the first sample of a block is stored verbatim as the predictor;
           the step index carries over from the previous block */
        st.predictor = pcm[start];
        put_le(&out, (uint16_t)pcm[start], 2);
        buf_put(&out, (uint8_t)st.index);
        buf_put(&out, 0);
        int pending = -1;
        for (size_t i = 1; i < cnt; i++) {
            int code = encode_sample(&st, pcm[start + i]);
            if (pending < 0) {
                pending = code;
            } else {
                buf_put(&out, (uint8_t)(pending | (code << 4)));
                pending = -1;
            }
        }
        if (pending >= 0) buf_put(&out, (uint8_t)pending);
    }
    return out;
}

/* returns the number of samples decoded into *pcm (malloc'd) */
static size_t decode(const Buf *in, int16_t **pcm_out) {
    if (in->len < 10 || memcmp(in->data, "IMA1", 4) != 0) fail(1, "input is not an IMA1 ADPCM stream", NULL);
    size_t n = get_le(in->data + 4, 4);
    size_t block = get_le(in->data + 8, 2);
    if (block < 16 || block > 4096 || n > 50000000) fail(1, "bad stream header", NULL);
    int16_t *pcm = malloc((n ? n : 1) * sizeof *pcm);
    if (!pcm) fail(1, "out of memory", NULL);
    size_t pos = 10;
    for (size_t start = 0; start < n; start += block) {
        size_t cnt = n - start < block ? n - start : block;
        size_t need = 4 + cnt / 2;
        if (pos + need > in->len) fail(1, "truncated stream", NULL);
        CodecState st;
        st.predictor = (int16_t)get_le(in->data + pos, 2);
        st.index = in->data[pos + 2];
        if (st.index > 88 || in->data[pos + 3] != 0) fail(1, "corrupt block header", NULL);
        pos += 4;
        pcm[start] = (int16_t)st.predictor;
        for (size_t i = 1; i < cnt; i++) {
            uint8_t byte = in->data[pos + (i - 1) / 2];
            int code = ((i - 1) & 1) ? byte >> 4 : byte & 15;
            pcm[start + i] = (int16_t)decode_sample(&st, code);
        }
        pos += cnt / 2;
    }
    if (pos != in->len) fail(1, "trailing data after last block", NULL);
    *pcm_out = pcm;
    return n;
}

static int16_t *pcm_from_bytes(const Buf *b, size_t *n) {
    if (b->len % 2) fail(1, "PCM input has an odd number of bytes", NULL);
    *n = b->len / 2;
    int16_t *pcm = malloc((*n ? *n : 1) * sizeof *pcm);
    if (!pcm) fail(1, "out of memory", NULL);
    for (size_t i = 0; i < *n; i++) pcm[i] = (int16_t)get_le(b->data + 2 * i, 2);
    return pcm;
}

static uint32_t checksum16(const int16_t *pcm, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a over the little-endian samples */
    for (size_t i = 0; i < n; i++) {
        h = (h ^ ((uint16_t)pcm[i] & 255u)) * 16777619u;
        h = (h ^ ((uint16_t)pcm[i] >> 8)) * 16777619u;
    }
    return h;
}

_Noreturn static void usage(const char *msg) {
    printf("adpcm_codec: %s\nusage: adpcm_codec -e|-d|-r [-i INPUT] [-o OUTPUT] [-b BLOCK]\n", msg);
    exit(2);
}

int main(int argc, char **argv) {
    int mode = 0, block = 505;
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-e") == 0 || strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "-r") == 0) {
            if (mode) usage("only one of -e, -d, -r");
            mode = argv[i][1];
        } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
            in = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            block = atoi(argv[++i]);
            if (block < 16 || block > 4096) usage("block size must be 16..4096");
        } else {
            usage("bad argument");
        }
    }
    if (!mode) usage("need -e, -d or -r");

    Buf input = read_all(in);
    if (mode == 'e') {
        size_t n;
        int16_t *pcm = pcm_from_bytes(&input, &n);
        Buf enc = encode(pcm, n, block);
        write_all(out, enc.data, enc.len);
        if (out)
            printf("encoded %zu samples into %zu bytes, pcm fnv %08X\n", n, enc.len, (unsigned)checksum16(pcm, n));
        free(enc.data);
        free(pcm);
    } else if (mode == 'd') {
        int16_t *pcm;
        size_t n = decode(&input, &pcm);
        Buf raw = {NULL, 0, 0};
        for (size_t i = 0; i < n; i++) put_le(&raw, (uint16_t)pcm[i], 2);
        write_all(out, raw.data, raw.len);
        if (out) printf("decoded %zu samples, pcm fnv %08X\n", n, (unsigned)checksum16(pcm, n));
        free(raw.data);
        free(pcm);
    } else {
        size_t n;
        int16_t *pcm = pcm_from_bytes(&input, &n);
        Buf enc = encode(pcm, n, block);
        int16_t *dec;
        size_t m = decode(&enc, &dec);
        double sig = 0.0, noise = 0.0;
        long max_err = 0, sum_err = 0;
        for (size_t i = 0; i < m; i++) {
            long e = (long)pcm[i] - dec[i];
            if (e < 0) e = -e;
            if (e > max_err) max_err = e;
            sum_err += e;
            sig += (double)pcm[i] * pcm[i];
            noise += (double)e * (double)e;
        }
        printf("samples %zu, block %d, %zu -> %zu bytes\n", n, block, input.len, enc.len);
        printf("max abs error %ld, mean abs error %ld.%02ld\n", max_err, m ? sum_err / (long)m : 0,
               m ? (sum_err % (long)m) * 100 / (long)m : 0);
        if (noise > 0.0 && sig > 0.0)
            printf("snr %.2f dB\n", 10.0 * log10(sig / noise));
        else
            printf("snr inf\n");
        printf("decoded fnv %08X\n", (unsigned)checksum16(dec, m));
        if (out) write_all(out, enc.data, enc.len);
        free(enc.data);
        free(pcm);
        free(dec);
    }
    free(input.data);
    return 0;
}
