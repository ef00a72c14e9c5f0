/* arpack: a tiny file archiver with LZSS compression and CRC-32 integrity checks.
 *
 * usage: arpack c ARCHIVE [-0] FILE...          create an archive (-0: store only)
 *        arpack t ARCHIVE                       list the members
 *        arpack x ARCHIVE [-p PREFIX] [NAME...] extract all or the named members
 *        arpack v ARCHIVE                       verify every member
 * Archive layout (little endian): "ARPK", u16 member count, then per member: u8 name
 * length, name, u8 method (0 stored, 1 LZSS), u32 size, u32 packed size, u32 CRC-32
 * of the original bytes, packed bytes.  LZSS: a flag byte announces 8 items, bit set
 * = literal byte, clear = u16 (12-bit distance - 1, 4-bit length - 3).
 * exit status: 0 ok, 1 I/O error or corrupt member, 2 usage error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH 18
#define HASH_SIZE 4096
#define MAX_CHAIN 24
#define MAX_MEMBERS 64

typedef struct {
    uint8_t *p;
    size_t len, cap;
} Buf;

static uint32_t crc_table[256];

_Noreturn static void fail(int code, const char *msg, const char *arg) {
    printf("arpack: %s%s\n", msg, arg ? arg : "");
    exit(code);
}

static void put(Buf *b, uint8_t v) {
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->p = realloc(b->p, b->cap);
        if (!b->p) fail(1, "out of memory", NULL);
    }
    b->p[b->len++] = v;
}
static void put_le(Buf *b, uint32_t v, int n) {
    for (int i = 0; i < n; i++) put(b, (uint8_t)(v >> (8 * i)));
}
static uint32_t get_le(const uint8_t *p, int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 255u] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static Buf read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fail(1, "cannot open ", path);
    Buf b = {NULL, 0, 0};
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        for (size_t i = 0; i < n; i++) put(&b, chunk[i]);
    fclose(f);
    return b;
}

static unsigned hash3(const uint8_t *p) { return ((unsigned)p[0] << 4 ^ (unsigned)p[1] << 2 ^ p[2]) & (HASH_SIZE - 1); }

static Buf lzss_compress(const uint8_t *in, size_t n) {
    Buf out = {NULL, 0, 0};
    int *head = malloc(sizeof(int) * HASH_SIZE);
    int *prev = malloc(sizeof(int) * (n ? n : 1));
    if (!head || !prev) fail(1, "out of memory", NULL);
    for (int i = 0; i < HASH_SIZE; i++) head[i] = -1;
    size_t pos = 0, flag_at = 0;
    int nitems = 8;
    while (pos < n) {
        if (nitems == 8) {
            flag_at = out.len;
            put(&out, 0);
            nitems = 0;
        }
        size_t best_len = 0, best_dist = 0;
        if (pos + MIN_MATCH <= n) {
            int cand = head[hash3(in + pos)];
            for (int chain = 0; cand >= 0 && chain < MAX_CHAIN; chain++) {
                size_t dist = pos - (size_t)cand;
                if (dist > WINDOW) break;
                size_t l = 0;
                while (l < MAX_MATCH && pos + l < n && in[cand + l] == in[pos + l]) l++;
                if (l > best_len) {
                    best_len = l;
                    best_dist = dist;
                    if (l == MAX_MATCH) break;
                }
                cand = prev[cand];
            }
        }
        size_t step = 1;
        if (best_len >= MIN_MATCH) {
            uint32_t code = (uint32_t)((best_dist - 1) << 4 | (best_len - MIN_MATCH));
            put_le(&out, code, 2);
            step = best_len;
        } else {
            out.p[flag_at] |= (uint8_t)(1u << nitems);
            put(&out, in[pos]);
        }
        nitems++;
        for (size_t k = 0; k < step; k++, pos++) {
            if (pos + MIN_MATCH <= n) {
                unsigned h = hash3(in + pos);
                prev[pos] = head[h];
                head[h] = (int)pos;
            }
        }
    }
    free(head);
    free(prev);
    return out;
}

/* returns 0 on success, -1 if the packed data is malformed */
static int lzss_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t size) {
    size_t ip = 0, op = 0;
    while (op < size) {
        if (ip >= n) return -1;
        unsigned flags = in[ip++];
        for (int k = 0; k < 8 && op < size; k++) {
            if (flags & (1u << k)) {
                if (ip >= n) return -1;
                out[op++] = in[ip++];
            } else {
                if (ip + 2 > n) return -1;
                uint32_t code = get_le(in + ip, 2);
                ip += 2;
                size_t dist = (code >> 4) + 1, len = (code & 15u) + MIN_MATCH;
                if (dist > op || op + len > size) return -1;
                for (size_t i = 0; i < len; i++, op++) out[op] = out[op - dist];
            }
        }
    }
    return ip == n ? 0 : -1;
}

typedef struct {
    char name[256];
    int method;
    uint32_t size, packed, crc;
    const uint8_t *data;
} Member;

static int parse_archive(const Buf *a, Member *m, const char *path) {
    if (a->len < 6 || memcmp(a->p, "ARPK", 4) != 0) fail(1, "not an arpack archive: ", path);
    int count = (int)get_le(a->p + 4, 2);
    if (count > MAX_MEMBERS) fail(1, "too many members in ", path);
    size_t pos = 6;
    for (int i = 0; i < count; i++) {
        if (pos + 1 > a->len) fail(1, "truncated archive ", path);
        size_t nl = a->p[pos++];
        if (nl == 0 || pos + nl + 13 > a->len) fail(1, "truncated archive ", path);
        memcpy(m[i].name, a->p + pos, nl);
        m[i].name[nl] = '\0';
        pos += nl;
        m[i].method = a->p[pos++];
        m[i].size = get_le(a->p + pos, 4);
        m[i].packed = get_le(a->p + pos + 4, 4);
        m[i].crc = get_le(a->p + pos + 8, 4);
        pos += 12;
        if (m[i].packed > a->len - pos || m[i].method > 1) fail(1, "corrupt member header in ", path);
        m[i].data = a->p + pos;
        pos += m[i].packed;
    }
    if (pos != a->len) fail(1, "trailing garbage in ", path);
    return count;
}

/* unpacks a member into a fresh buffer; returns NULL if it is damaged */
static uint8_t *unpack(const Member *m) {
    uint8_t *out = malloc(m->size ? m->size : 1);
    if (!out) fail(1, "out of memory", NULL);
    int ok;
    if (m->method == 0) {
        ok = m->packed == m->size;
        if (ok) memcpy(out, m->data, m->size);
    } else {
        ok = lzss_decompress(m->data, m->packed, out, m->size) == 0;
    }
    if (!ok || crc32(out, m->size) != m->crc) {
        free(out);
        return NULL;
    }
    return out;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

_Noreturn static void usage(void) {
    printf("usage: arpack c ARCHIVE [-0] FILE... | t ARCHIVE | x ARCHIVE [-p PREFIX] [NAME...] | v ARCHIVE\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3 || strlen(argv[1]) != 1) usage();
    crc_init();
    char cmd = argv[1][0];
    const char *archive = argv[2];
    if (cmd == 'c') {
        int store = 0, first = 3;
        if (argc > 3 && strcmp(argv[3], "-0") == 0) store = 1, first = 4;
        if (first >= argc || argc - first > MAX_MEMBERS) usage();
        Buf a = {NULL, 0, 0};
        for (const char *s = "ARPK"; *s; s++) put(&a, (uint8_t)*s);
        put_le(&a, (uint32_t)(argc - first), 2);
        uint64_t total_in = 0;
        for (int i = first; i < argc; i++) {
            const char *name = base_name(argv[i]);
            size_t nl = strlen(name);
            if (nl == 0 || nl > 255) fail(1, "bad member name ", argv[i]);
            Buf data = read_file(argv[i]);
            Buf packed = {NULL, 0, 0};
            int method = 0;
            if (!store) {
                packed = lzss_compress(data.p, data.len);
                method = packed.len < data.len;
            }
            const uint8_t *body = method ? packed.p : data.p;
            size_t body_len = method ? packed.len : data.len;
            put(&a, (uint8_t)nl);
            for (size_t k = 0; k < nl; k++) put(&a, (uint8_t)name[k]);
            put(&a, (uint8_t)method);
            put_le(&a, (uint32_t)data.len, 4);
            put_le(&a, (uint32_t)body_len, 4);
            put_le(&a, crc32(data.p, data.len), 4);
            for (size_t k = 0; k < body_len; k++) put(&a, body[k]);
            printf("added %-20s %7zu -> %7zu bytes (%s)\n", name, data.len, body_len, method ? "lzss" : "stored");
            total_in += data.len;
            free(data.p);
            free(packed.p);
        }
        FILE *f = fopen(archive, "wb");
        if (!f) fail(1, "cannot create ", archive);
        if (fwrite(a.p, 1, a.len, f) != a.len || fclose(f) != 0) fail(1, "write error on ", archive);
        printf("%d members, %llu bytes in, archive %zu bytes, crc %08X\n", argc - first,
               (unsigned long long)total_in, a.len, (unsigned)crc32(a.p, a.len));
        free(a.p);
        return 0;
    }

    Buf a = read_file(archive);
    static Member m[MAX_MEMBERS];
    int count = parse_archive(&a, m, archive);
    int bad = 0;
    if (cmd == 't') {
        if (argc != 3) usage();
        printf("%-24s %8s %8s %-6s %s\n", "name", "size", "packed", "method", "crc32");
        for (int i = 0; i < count; i++)
            printf("%-24s %8u %8u %-6s %08X\n", m[i].name, (unsigned)m[i].size, (unsigned)m[i].packed,
                   m[i].method ? "lzss" : "stored", (unsigned)m[i].crc);
        printf("%d members\n", count);
    } else if (cmd == 'v') {
        if (argc != 3) usage();
        for (int i = 0; i < count; i++) {
            uint8_t *d = unpack(&m[i]);
            printf("%s: %s\n", m[i].name, d ? "OK" : "CORRUPT");
            if (!d) bad++;
            free(d);
        }
        printf("%d of %d members damaged\n", bad, count);
    } else if (cmd == 'x') {
        const char *prefix = "";
        int first = 3;
        if (argc > 4 && strcmp(argv[3], "-p") == 0) prefix = argv[4], first = 5;
        int extracted = 0;
        for (int i = 0; i < count; i++) {
            int wanted = first == argc;
            for (int k = first; k < argc; k++)
                if (strcmp(argv[k], m[i].name) == 0) wanted = 1;
            if (!wanted) continue;
            if (strchr(m[i].name, '/')) {
                printf("%s: unsafe name, skipped\n", m[i].name);
                bad++;
                continue;
            }
            uint8_t *d = unpack(&m[i]);
            if (!d) {
                printf("%s: CORRUPT, not extracted\n", m[i].name);
                bad++;
                continue;
            }
            char path[600];
            size_t pl = strlen(prefix), nl = strlen(m[i].name);
            if (pl + nl >= sizeof path) fail(1, "path too long for ", m[i].name);
            memcpy(path, prefix, pl);
            memcpy(path + pl, m[i].name, nl + 1);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(d, 1, m[i].size, f) != m[i].size) fail(1, "cannot write ", path);
            fclose(f);
            printf("extracted %s (%u bytes)\n", path, (unsigned)m[i].size);
            extracted++;
            free(d);
        }
        printf("%d extracted\n", extracted);
    } else {
        usage();
    }
    free(a.p);
    return bad ? 1 : 0;
}
