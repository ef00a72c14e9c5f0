/* Word frequency counter.
 *
 * Input: header line "<passes 1-600> <top 1-100> [<minlen 1-20>]", then free text (at most 1 MiB).
 * Each pass tokenizes the whole text and counts one kind of key, cycling through
 *   words, word bigrams ("a b"), letter trigrams inside words.
 * The first pass of each kind prints its top list; later passes must reproduce the same digest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT (1u << 20)
#define MAX_PASS_BYTES 100000000ULL /* passes * text length */
#define MAX_WORD 48
#define INITIAL_BUCKETS 1024

typedef enum { CH_OTHER, CH_ALPHA, CH_DIGIT, CH_APOS, CH_SPACE, CH_SENTENCE } CharClass;
typedef enum { MODE_WORDS, MODE_BIGRAMS, MODE_TRIGRAMS, MODE_COUNT } Mode;

static const char *const mode_names[MODE_COUNT] = {"words", "bigrams", "trigrams"};

typedef struct Entry {
    struct Entry *next;
    const char *key;
    uint32_t hash;
    uint32_t len;
    uint64_t count;
} Entry;

typedef struct {
    Entry **buckets;
    size_t nbuckets, size;
    /* entries and key bytes come from simple bump arenas that are reset per pass */
    Entry *entries;
    size_t entries_used, entries_cap;
    char *pool;
    size_t pool_used, pool_cap;
} Map;

typedef struct {
    uint64_t tokens, numbers, sentences, longest;
    uint64_t len_hist[MAX_WORD + 1];
} TokenStats;

static unsigned char char_class[256];
static unsigned minlen = 1;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q)
        die("out of memory");
    return q;
}

static void init_classes(void) {
    for (int c = 0; c < 256; c++) {
        CharClass k = CH_OTHER;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            k = CH_ALPHA;
        else if (c >= '0' && c <= '9')
            k = CH_DIGIT;
        else if (c == '\'')
            k = CH_APOS;
        else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            k = CH_SPACE;
        else if (c == '.' || c == '!' || c == '?')
            k = CH_SENTENCE;
        char_class[c] = (unsigned char)k;
    }
}

/* ---------- hash map ---------- */

static uint32_t murmur_mix(const char *s, size_t n) {
    uint32_t h = 0x811C9DC5u ^ (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (unsigned char)s[i];
        k *= 0xCC9E2D51u;
        k = (k << 15) | (k >> 17);
        k *= 0x1B873593u;
        h ^= k;
        h = (h << 13) | (h >> 19);
        h = h * 5u + 0xE6546B64u;
    }
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    return h;
}

static void map_reset(Map *m) {
    if (!m->buckets) {
        m->nbuckets = INITIAL_BUCKETS;
        m->buckets = xrealloc(NULL, m->nbuckets * sizeof *m->buckets);
    }
    memset(m->buckets, 0, m->nbuckets * sizeof *m->buckets);
    m->size = 0;
    m->entries_used = 0;
    m->pool_used = 0;
}

static void map_grow(Map *m) {
    size_t nb = m->nbuckets * 2;
    Entry **b = xrealloc(NULL, nb * sizeof *b);
    memset(b, 0, nb * sizeof *b);
    for (size_t i = 0; i < m->nbuckets; i++) {
        Entry *e = m->buckets[i];
        while (e) {
            Entry *next = e->next;
            size_t j = e->hash & (nb - 1);
            e->next = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

static const char *pool_store(Map *m, const char *s, size_t n) {
    if (m->pool_used + n + 1 > m->pool_cap) {
        /* the pool is rebuilt only between passes, so grow by allocating a bigger one and failing
         * over is not possible mid-pass: size it generously up front instead */
        die("string pool exhausted");
    }
    char *dst = m->pool + m->pool_used;
    memcpy(dst, s, n);
    dst[n] = '\0';
    m->pool_used += n + 1;
    return dst;
}

static void map_add(Map *m, const char *key, size_t n) {
    uint32_t h = murmur_mix(key, n);
    size_t idx = h & (m->nbuckets - 1);
    for (Entry *e = m->buckets[idx]; e; e = e->next) {
        if (e->hash == h && e->len == n && memcmp(e->key, key, n) == 0) {
            e->count++;
            return;
        }
    }
    if (m->entries_used == m->entries_cap)
        die("entry arena exhausted");
    Entry *e = &m->entries[m->entries_used++];
    e->key = pool_store(m, key, n);
    e->hash = h;
    e->len = (uint32_t)n;
    e->count = 1;
    e->next = m->buckets[idx];
    m->buckets[idx] = e;
    if (++m->size > m->nbuckets)
        map_grow(m);
}

/* ---------- tokenizer ---------- */

typedef void (*TokenSink)(Map *m, const char *word, size_t n, int sentence_start);

static char prev_word[MAX_WORD + 1];
static size_t prev_len;

static void sink_words(Map *m, const char *w, size_t n, int sentence_start) {
    (void)sentence_start;
    map_add(m, w, n);
}

static void sink_bigrams(Map *m, const char *w, size_t n, int sentence_start) {
    if (!sentence_start && prev_len > 0) {
        char buf[2 * MAX_WORD + 2];
        memcpy(buf, prev_word, prev_len);
        buf[prev_len] = ' ';
        memcpy(buf + prev_len + 1, w, n);
        map_add(m, buf, prev_len + 1 + n);
    }
    memcpy(prev_word, w, n);
    prev_len = n;
}

static void sink_trigrams(Map *m, const char *w, size_t n, int sentence_start) {
    (void)sentence_start;
    char buf[3];
    for (size_t i = 0; i + 3 <= n; i++) {
        if (w[i] == '\'' || w[i + 1] == '\'' || w[i + 2] == '\'')
            continue;
        memcpy(buf, w + i, 3);
        map_add(m, buf, 3);
    }
}

static const TokenSink sinks[MODE_COUNT] = {sink_words, sink_bigrams, sink_trigrams};

static void tokenize(const unsigned char *text, size_t len, Map *m, Mode mode, TokenStats *st) {
    char word[MAX_WORD + 1];
    size_t wl = 0;
    int in_number = 0, sentence_start = 1;
    TokenSink sink = sinks[mode];
    memset(st, 0, sizeof *st);
    prev_len = 0;
    for (size_t i = 0; i <= len; i++) {
        CharClass c = i < len ? (CharClass)char_class[text[i]] : CH_SPACE;
        switch (c) {
        case CH_ALPHA:
            if (in_number)
                break; /* letters glued to digits belong to the number */
            if (wl < MAX_WORD)
                word[wl++] = (char)(text[i] | 0x20);
            continue;
        case CH_APOS:
            /* keep inner apostrophes (don't, o'clock), drop leading/trailing ones */
            if (wl > 0 && i + 1 < len && char_class[text[i + 1]] == CH_ALPHA) {
                if (wl < MAX_WORD)
                    word[wl++] = '\'';
                continue;
            }
            break;
        case CH_DIGIT:
            if (wl == 0) {
                if (!in_number)
                    st->numbers++;
                in_number = 1;
                continue;
            }
            break;
        case CH_SENTENCE:
        case CH_SPACE:
        case CH_OTHER:
        default:
            break;
        }
        /* token boundary */
        in_number = c == CH_DIGIT || (in_number && c == CH_ALPHA);
        if (wl >= minlen) {
            st->tokens++;
            st->len_hist[wl]++;
            if (wl > st->longest)
                st->longest = wl;
            sink(m, word, wl, sentence_start);
            sentence_start = 0;
        }
        wl = 0;
        if (c == CH_SENTENCE) {
            st->sentences++;
            sentence_start = 1;
            prev_len = 0;
        }
    }
}

/* ---------- ranking ---------- */

static int by_count(const void *a, const void *b) {
    const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static uint64_t rank_digest(Map *m, Entry ***sorted_out) {
    Entry **v = xrealloc(NULL, (m->size ? m->size : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < m->entries_used; i++)
        v[k++] = &m->entries[i];
    qsort(v, k, sizeof *v, by_count);
    uint64_t d = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < k; i++) {
        for (const char *p = v[i]->key; *p; p++)
            d = (d ^ (unsigned char)*p) * 0x100000001B3ULL;
        d = (d ^ v[i]->count) * 0x100000001B3ULL;
    }
    *sorted_out = v;
    return d;
}

static unsigned read_uint(const char **p, unsigned lo, unsigned hi, int *ok) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    unsigned long v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 9) {
        v = v * 10 + (unsigned long)(*s++ - '0');
        digits++;
    }
    if (digits == 0 || (*s >= '0' && *s <= '9') || v < lo || v > hi)
        *ok = 0;
    *p = s;
    return (unsigned)v;
}

int main(void) {
    char header[128];
    if (!fgets(header, sizeof header, stdin) || !strchr(header, '\n'))
        die("missing header line");
    const char *hp = header;
    int ok = 1;
    unsigned passes = read_uint(&hp, 1, 600, &ok);
    unsigned topk = read_uint(&hp, 1, 100, &ok);
    while (*hp == ' ' || *hp == '\t')
        hp++;
    if (ok && *hp != '\n' && *hp != '\r')
        minlen = read_uint(&hp, 1, 20, &ok);
    while (*hp == ' ' || *hp == '\t' || *hp == '\r')
        hp++;
    if (!ok || *hp != '\n')
        die("bad header: expected '<passes> <top> [<minlen>]'");

    unsigned char *text = xrealloc(NULL, MAX_TEXT + 1);
    size_t len = fread(text, 1, MAX_TEXT + 1, stdin);
    if (len > MAX_TEXT)
        die("text too large");
    if (len == 0)
        die("empty text");
    if ((unsigned long long)passes * len > MAX_PASS_BYTES)
        die("passes * text length too large");
    init_classes();

    Map m = {0};
    m.entries_cap = len + 16;                          /* at most one new key per input byte */
    m.entries = xrealloc(NULL, m.entries_cap * sizeof *m.entries);
    m.pool_cap = 4 * len + 3 * MAX_WORD + 64;          /* bigram keys duplicate each word at most twice */
    m.pool = xrealloc(NULL, m.pool_cap);

    uint64_t first_digest[MODE_COUNT] = {0};
    unsigned mismatches = 0;
    for (unsigned p = 0; p < passes; p++) {
        Mode mode = (Mode)(p % MODE_COUNT);
        TokenStats st;
        map_reset(&m);
        tokenize(text, len, &m, mode, &st);
        Entry **sorted;
        uint64_t d = rank_digest(&m, &sorted);
        if (p < MODE_COUNT) {
            first_digest[mode] = d;
            printf("== %s: tokens=%llu unique=%zu numbers=%llu sentences=%llu longest=%llu digest=%016llx\n",
                   mode_names[mode], (unsigned long long)st.tokens, m.size, (unsigned long long)st.numbers,
                   (unsigned long long)st.sentences, (unsigned long long)st.longest, (unsigned long long)d);
            if (mode == MODE_WORDS) {
                printf("length histogram:");
                for (int l = 1; l <= MAX_WORD; l++)
                    if (st.len_hist[l])
                        printf(" %d:%llu", l, (unsigned long long)st.len_hist[l]);
                printf("\n");
            }
            for (size_t i = 0; i < topk && i < m.size; i++)
                printf("%3zu %-24s %llu\n", i + 1, sorted[i]->key, (unsigned long long)sorted[i]->count);
            size_t singles = 0;
            for (size_t i = 0; i < m.size; i++)
                singles += sorted[i]->count == 1;
            printf("hapax: %zu\n", singles);
        } else if (d != first_digest[mode]) {
            mismatches++;
        }
        free(sorted);
    }
    printf("passes=%u mismatches=%u\n", passes, mismatches);
    free(m.buckets);
    free(m.entries);
    free(m.pool);
    free(text);
    return 0;
}
