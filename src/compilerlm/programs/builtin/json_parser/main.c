/* JSON tool: parse a document, print structural statistics, run path queries, and benchmark a
 * serialize / re-parse round trip a given number of times.
 *
 * Input: first line = iteration count; then one JSON value; then query lines such as
 *   $.store.book[*].price     $..id     $.a[2].*
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_INPUT (1 << 20)
#define KEY_TABLE_SIZE 4096
#define MAX_STEPS 32
#define TOP_KEYS 6

typedef struct {
    const char *key;
    uint32_t len;
    uint32_t count;
} KeyEntry;

typedef struct {
    uint64_t by_type[JSON_TYPE_COUNT];
    uint64_t members, max_depth, max_children;
    uint64_t int_sum, frac_count, string_bytes, longest_string;
    int64_t frac_mant_sum;
    int32_t min_exp, max_exp;
} Stats;

typedef enum { STEP_KEY, STEP_INDEX, STEP_WILD, STEP_DESCEND } StepKind;

typedef struct {
    StepKind kind;
    char key[64];
    uint32_t index;
} Step;

typedef struct {
    uint64_t matches, hash, int_sum;
    int first;
    char first_text[64];
} QueryResult;

static char input[MAX_INPUT + 1];
static char *ser_buf;
static size_t ser_cap;
static KeyEntry key_table[KEY_TABLE_SIZE];
static uint32_t distinct_keys;

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void count_key(const char *k, uint32_t len) {
    uint32_t h = (uint32_t)fnv(k, len) & (KEY_TABLE_SIZE - 1);
    for (uint32_t probes = 0; probes < KEY_TABLE_SIZE; probes++) {
        KeyEntry *e = &key_table[h];
        if (!e->key) {
            e->key = k;
            e->len = len;
            e->count = 1;
            distinct_keys++;
            return;
        }
        if (e->len == len && memcmp(e->key, k, len) == 0) {
            e->count++;
            return;
        }
        h = (h + 1) & (KEY_TABLE_SIZE - 1);
    }
}

static void walk(const JsonDoc *d, int ni, uint64_t depth, Stats *st) {
    const JsonNode *n = &d->nodes[ni];
    st->by_type[n->type]++;
    if (depth > st->max_depth) st->max_depth = depth;
    switch ((JsonType)n->type) {
    case JSON_NUMBER:
        if (n->is_int) {
            st->int_sum += (uint64_t)n->mant;
        } else {
            st->frac_count++;
            st->frac_mant_sum += n->mant % 1000000;
            if (n->exp10 < st->min_exp) st->min_exp = n->exp10;
            if (n->exp10 > st->max_exp) st->max_exp = n->exp10;
        }
        break;
    case JSON_STRING:
        st->string_bytes += n->str_len;
        if (n->str_len > st->longest_string) st->longest_string = n->str_len;
        break;
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (n->count > st->max_children) st->max_children = n->count;
        for (int c = n->first_child; c >= 0; c = d->nodes[c].next) {
            if (n->type == JSON_OBJECT) {
                st->members++;
                count_key(json_key(d, &d->nodes[c]), d->nodes[c].key_len);
            }
            walk(d, c, depth + 1, st);
        }
        break;
    default:
        break;
    }
}

static int cmp_keys(const void *a, const void *b) {
    const KeyEntry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    uint32_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, m);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

static size_t serialize(const JsonDoc *d, int root, int indent) {
    size_t n = json_serialize(d, root, ser_buf, ser_cap, indent);
    if (n + 1 > ser_cap) {
        ser_cap = n + 1;
        free(ser_buf);
        ser_buf = malloc(ser_cap);
        if (!ser_buf) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        n = json_serialize(d, root, ser_buf, ser_cap, indent);
    }
    return n;
}

/* ---------- path queries ---------- */

static int parse_path(const char *q, Step *steps, int *nsteps) {
    int n = 0;
    if (*q++ != '$') return -1;
    while (*q) {
        if (n >= MAX_STEPS) return -1;
        Step *s = &steps[n];
        if (q[0] == '.' && q[1] == '.') {
            s->kind = STEP_DESCEND;
            q += 2;
        } else if (q[0] == '.' && q[1] == '*') {
            s->kind = STEP_WILD;
            q += 2;
            n++;
            continue;
        } else if (q[0] == '.') {
            s->kind = STEP_KEY;
            q++;
        } else if (q[0] == '[') {
            q++;
            if (q[0] == '*' && q[1] == ']') {
                s->kind = STEP_WILD;
                q += 2;
            } else {
                uint32_t v = 0;
                if (!isdigit((unsigned char)*q)) return -1;
                while (isdigit((unsigned char)*q)) {
                    if (v > 100000000) return -1;
                    v = v * 10 + (uint32_t)(*q++ - '0');
                }
                if (*q++ != ']') return -1;
                s->kind = STEP_INDEX;
                s->index = v;
            }
            n++;
            continue;
        } else {
            return -1;
        }
        size_t len = 0;
        while (*q && *q != '.' && *q != '[') {
            if (len + 1 >= sizeof s->key) return -1;
            s->key[len++] = *q++;
        }
        if (len == 0) return -1;
        s->key[len] = '\0';
        n++;
    }
    *nsteps = n;
    return 0;
}

static void record(const JsonDoc *d, int ni, QueryResult *r) {
    size_t n = serialize(d, ni, -1);
    r->matches++;
    r->hash = (r->hash * 31) ^ fnv(ser_buf, n);
    if (d->nodes[ni].type == JSON_NUMBER && d->nodes[ni].is_int) r->int_sum += (uint64_t)d->nodes[ni].mant;
    if (r->first) {
        r->first = 0;
        snprintf(r->first_text, sizeof r->first_text, "%.60s", ser_buf);
    }
}

static void run_query(const JsonDoc *d, int ni, const Step *steps, int si, int nsteps, QueryResult *r) {
    if (si == nsteps) {
        record(d, ni, r);
        return;
    }
    const JsonNode *n = &d->nodes[ni];
    const Step *s = &steps[si];
    uint32_t idx = 0;
    for (int c = n->first_child; c >= 0; c = d->nodes[c].next, idx++) {
        const JsonNode *cn = &d->nodes[c];
        switch (s->kind) {
        case STEP_KEY:
            if (n->type == JSON_OBJECT && strlen(s->key) == cn->key_len && memcmp(s->key, json_key(d, cn), cn->key_len) == 0)
                run_query(d, c, steps, si + 1, nsteps, r);
            break;
        case STEP_INDEX:
            if (n->type == JSON_ARRAY && idx == s->index) run_query(d, c, steps, si + 1, nsteps, r);
            break;
        case STEP_WILD:
            run_query(d, c, steps, si + 1, nsteps, r);
            break;
        case STEP_DESCEND:
            if (n->type == JSON_OBJECT && strlen(s->key) == cn->key_len && memcmp(s->key, json_key(d, cn), cn->key_len) == 0)
                run_query(d, c, steps, si + 1, nsteps, r);
            run_query(d, c, steps, si, nsteps, r);
            break;
        }
    }
}

static long parse_count(const char *s, size_t *pos) {
    long v = 0;
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t') i++;
    if (!isdigit((unsigned char)s[i])) return -1;
    while (isdigit((unsigned char)s[i])) {
        v = v * 10 + (s[i] - '0');
        if (v > 1000000) return -1;
        i++;
    }
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') i++;
    if (s[i] != '\n') return -1;
    *pos = i + 1;
    return v;
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) {
        fprintf(stderr, "input too large\n");
        return 1;
    }
    input[len] = '\0';
    if (memchr(input, '\0', len)) {
        fprintf(stderr, "NUL byte in input\n");
        return 1;
    }
    size_t pos = 0;
    long iterations = parse_count(input, &pos);
    if (iterations < 0) {
        fprintf(stderr, "first line must be an iteration count\n");
        return 1;
    }

    JsonDoc doc, copy;
    JsonError err;
    json_doc_init(&doc);
    json_doc_init(&copy);
    size_t used;
    int root = json_parse(&doc, input + pos, len - pos, &used, &err);
    if (root < 0) {
        fprintf(stderr, "parse error at line %d offset %zu: %s\n", err.line, err.pos, err.msg);
        return 1;
    }
    const char *doc_text = input + pos;
    size_t doc_len = used;
    pos += used;

    Stats st;
    memset(&st, 0, sizeof st);
    walk(&doc, root, 0, &st);
    printf("nodes %zu, string pool %zu bytes, root %s\n", doc.nnodes, doc.str_len, json_type_name(doc.nodes[root].type));
    for (int t = 0; t < JSON_TYPE_COUNT; t++) printf("  %-6s %llu\n", json_type_name(t), (unsigned long long)st.by_type[t]);
    printf("depth %llu, widest %llu, members %llu, distinct keys %u\n", (unsigned long long)st.max_depth,
           (unsigned long long)st.max_children, (unsigned long long)st.members, distinct_keys);
    printf("int sum %lld, fractional %llu (mant sum %lld, exp %d..%d)\n", (long long)st.int_sum,
           (unsigned long long)st.frac_count, (long long)st.frac_mant_sum, st.min_exp, st.max_exp);
    printf("strings %llu bytes, longest %llu\n", (unsigned long long)st.string_bytes, (unsigned long long)st.longest_string);

    KeyEntry top[KEY_TABLE_SIZE];
    uint32_t ntop = 0;
    for (int i = 0; i < KEY_TABLE_SIZE; i++) {
        if (key_table[i].key) top[ntop++] = key_table[i];
    }
    qsort(top, ntop, sizeof top[0], cmp_keys);
    for (uint32_t i = 0; i < ntop && i < TOP_KEYS; i++) printf("  key %.*s x%u\n", (int)(top[i].len > 40 ? 40 : top[i].len), top[i].key, top[i].count);

    size_t clen = serialize(&doc, root, -1);
    char *compact = malloc(clen + 1);
    if (!compact) return 1;
    memcpy(compact, ser_buf, clen + 1);
    size_t plen = serialize(&doc, root, 2);
    printf("compact %zu bytes hash %016llx, pretty %zu bytes hash %016llx\n", clen, (unsigned long long)fnv(compact, clen),
           plen, (unsigned long long)fnv(ser_buf, plen));

    uint64_t bench_hash = 0, mismatches = 0;
    for (long i = 0; i < iterations; i++) {
        const char *text = (i & 1) ? compact : doc_text;
        size_t tlen = (i & 1) ? clen : doc_len;
        json_doc_reset(&copy);
        size_t u;
        int r2 = json_parse(&copy, text, tlen, &u, &err);
        if (r2 < 0 || !json_equal(&doc, root, &copy, r2)) {
            mismatches++;
            continue;
        }
        size_t n = serialize(&copy, r2, (int)(i % 3) - 1);
        bench_hash = bench_hash * 1099511628211ull + fnv(ser_buf, n) + copy.nnodes;
    }
    printf("roundtrips %ld, mismatches %llu, hash %016llx\n", iterations, (unsigned long long)mismatches,
           (unsigned long long)bench_hash);

    /* remaining lines are queries */
    int nq = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && input[end] != '\n') end++;
        char line[256];
        size_t ll = end - pos;
        while (ll > 0 && (input[pos + ll - 1] == '\r' || input[pos + ll - 1] == ' ')) ll--;
        if (ll >= sizeof line) {
            fprintf(stderr, "query too long\n");
            return 1;
        }
        memcpy(line, input + pos, ll);
        line[ll] = '\0';
        pos = end + 1;
        if (ll == 0) continue;
        Step steps[MAX_STEPS];
        int nsteps;
        if (parse_path(line, steps, &nsteps) < 0) {
            fprintf(stderr, "bad query: %s\n", line);
            return 1;
        }
        QueryResult r = {0, 0, 0, 1, ""};
        run_query(&doc, root, steps, 0, nsteps, &r);
        printf("%s => %llu matches, int sum %lld, hash %016llx, first %s\n", line, (unsigned long long)r.matches,
               (long long)r.int_sum, (unsigned long long)r.hash, r.matches ? r.first_text : "-");
        nq++;
    }
    printf("%d queries\n", nq);
    free(compact);
    free(ser_buf);
    json_doc_free(&doc);
    json_doc_free(&copy);
    return 0;
}
