/* Order-2 word Markov chain: tokenizes a corpus, interns words, builds a hashed table of
 * (w1, w2) states with weighted successor lists, then generates text with an xorshift PRNG.
 *
 * Input: first line "seed S words N [width W]", then the corpus text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 19)
#define MAX_WORD 40
#define MAX_GENERATE 20000000ull
#define SHOW_WORDS 60

typedef struct {
    uint32_t off, len; /* into the word text pool */
    uint32_t count;
    uint64_t hash;
} WordEntry;

typedef struct {
    uint32_t word;
    uint32_t count;
} Succ;

typedef struct {
    uint32_t w1, w2;
    uint32_t total;
    uint32_t nsucc, cap;
    Succ *succ;
} State;

typedef struct {
    uint32_t *slots; /* index+1, 0 = empty */
    uint32_t cap;
} Index;

static char input[MAX_INPUT + 1];
static char *pool;
static size_t pool_len, pool_cap;
static WordEntry *word_list;
static uint32_t nwords, words_cap;
static Index word_index;
static State *states;
static uint32_t nstates, states_cap;
static Index state_index;
static uint32_t *corpus;
static uint32_t ncorpus, corpus_cap;
static uint64_t rng_state;

static _Noreturn void die(const char *msg) {
    fprintf(stderr, "markov: %s\n", msg);
    exit(1);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) die("out of memory");
    return q;
}

#define GROW(arr, count, cap, type)                                   \
    do {                                                              \
        if ((count) >= (cap)) {                                       \
            (cap) = (cap) ? (cap) * 2 : 64;                           \
            (arr) = (type *)xrealloc((arr), sizeof(type) * (cap));    \
        }                                                             \
    } while (0)

static uint64_t xorshift(void) {
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t hash_pair(uint32_t a, uint32_t b) {
    uint64_t z = ((uint64_t)a << 32 | b) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void index_init(Index *ix, uint32_t cap) {
    ix->cap = cap;
    ix->slots = calloc(cap, sizeof(uint32_t));
    if (!ix->slots) die("out of memory");
}

typedef uint64_t (*KeyHash)(uint32_t item);

static uint64_t word_key_hash(uint32_t item) { return word_list[item].hash; }
static uint64_t state_key_hash(uint32_t item) { return hash_pair(states[item].w1, states[item].w2); }

static void index_rehash(Index *ix, uint32_t count, KeyHash kh) {
    Index bigger;
    index_init(&bigger, ix->cap * 2);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t h = (uint32_t)kh(i) & (bigger.cap - 1);
        while (bigger.slots[h]) h = (h + 1) & (bigger.cap - 1);
        bigger.slots[h] = i + 1;
    }
    free(ix->slots);
    *ix = bigger;
}

static uint32_t intern_word(const char *s, uint32_t len) {
    uint64_t h = hash_bytes(s, len);
    uint32_t slot = (uint32_t)h & (word_index.cap - 1);
    while (word_index.slots[slot]) {
        WordEntry *w = &word_list[word_index.slots[slot] - 1];
        if (w->hash == h && w->len == len && memcmp(pool + w->off, s, len) == 0) return word_index.slots[slot] - 1;
        slot = (slot + 1) & (word_index.cap - 1);
    }
    GROW(word_list, nwords, words_cap, WordEntry);
    while (pool_len + len + 1 > pool_cap) {
        pool_cap = pool_cap ? pool_cap * 2 : 4096;
        pool = xrealloc(pool, pool_cap);
    }
    memcpy(pool + pool_len, s, len);
    pool[pool_len + len] = '\0';
    WordEntry *w = &word_list[nwords];
    w->off = (uint32_t)pool_len;
    w->len = len;
    w->count = 0;
    w->hash = h;
    pool_len += len + 1;
    word_index.slots[slot] = nwords + 1;
    nwords++;
    if (nwords * 2 > word_index.cap) index_rehash(&word_index, nwords, word_key_hash);
    return nwords - 1;
}

static uint32_t find_state(uint32_t w1, uint32_t w2, int create) {
    uint32_t slot = (uint32_t)hash_pair(w1, w2) & (state_index.cap - 1);
    while (state_index.slots[slot]) {
        State *s = &states[state_index.slots[slot] - 1];
        if (s->w1 == w1 && s->w2 == w2) return state_index.slots[slot] - 1;
        slot = (slot + 1) & (state_index.cap - 1);
    }
    if (!create) return UINT32_MAX;
    GROW(states, nstates, states_cap, State);
    State *s = &states[nstates];
    memset(s, 0, sizeof *s);
    s->w1 = w1;
    s->w2 = w2;
    state_index.slots[slot] = nstates + 1;
    nstates++;
    if (nstates * 2 > state_index.cap) index_rehash(&state_index, nstates, state_key_hash);
    return nstates - 1;
}

static void add_successor(State *s, uint32_t word) {
    s->total++;
    for (uint32_t i = 0; i < s->nsucc; i++) {
        if (s->succ[i].word == word) {
            s->succ[i].count++;
            /* keep the list roughly sorted by count: bubble the entry forward */
            while (i > 0 && s->succ[i - 1].count < s->succ[i].count) {
                Succ t = s->succ[i - 1];
                s->succ[i - 1] = s->succ[i];
                s->succ[i] = t;
                i--;
            }
            return;
        }
    }
    GROW(s->succ, s->nsucc, s->cap, Succ);
    s->succ[s->nsucc].word = word;
    s->succ[s->nsucc].count = 1;
    s->nsucc++;
}

/* Splits into lowercase words; sentence punctuation becomes its own token. */
static void tokenize(const char *text, size_t len) {
    char buf[MAX_WORD];
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        uint32_t n = 0;
        if (isalnum(c) || c == '\'') {
            while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '\'' || text[i] == '-')) {
                if (n + 1 < MAX_WORD) buf[n++] = (char)tolower((unsigned char)text[i]);
                i++;
            }
        } else if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?') {
            buf[n++] = (char)c;
            i++;
        } else {
            i++;
            continue;
        }
        uint32_t id = intern_word(buf, n);
        word_list[id].count++;
        GROW(corpus, ncorpus, corpus_cap, uint32_t);
        corpus[ncorpus++] = id;
    }
}

static uint32_t pick_successor(const State *s) {
    uint64_t r = xorshift() % s->total;
    for (uint32_t i = 0; i < s->nsucc; i++) {
        if (r < s->succ[i].count) return s->succ[i].word;
        r -= s->succ[i].count;
    }
    return s->succ[s->nsucc - 1].word;
}

static int cmp_word_freq(const void *a, const void *b) {
    const WordEntry *x = &word_list[*(const uint32_t *)a], *y = &word_list[*(const uint32_t *)b];
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(pool + x->off, pool + y->off);
}

static const char *word_text(uint32_t id) { return pool + word_list[id].off; }

static int parse_header(const char *line, uint64_t *seed, uint64_t *count, uint64_t *width) {
    unsigned long long s, n, w = 12;
    int used = 0;
    if (sscanf(line, "seed %llu words %llu%n", &s, &n, &used) != 2) return -1;
    const char *rest = line + used;
    while (*rest == ' ') rest++;
    if (*rest && *rest != '\n') {
        if (sscanf(rest, "width %llu", &w) != 1 || w == 0 || w > 200) return -1;
    }
    *seed = s;
    *count = n;
    *width = w;
    return 0;
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) die("input too large");
    input[len] = '\0';
    char *nl = memchr(input, '\n', len);
    if (!nl) die("missing header line");
    *nl = '\0';
    uint64_t seed, count, width;
    if (parse_header(input, &seed, &count, &width) < 0) die("header must be 'seed S words N [width W]'");
    if (count > MAX_GENERATE) die("too many words requested");
    rng_state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    if (rng_state == 0) rng_state = 1;

    index_init(&word_index, 1024);
    index_init(&state_index, 1024);
    const char *text = nl + 1;
    tokenize(text, len - (size_t)(text - input));
    if (ncorpus < 3) die("corpus needs at least three words");
    for (uint32_t i = 0; i + 2 < ncorpus; i++) {
        uint32_t si = find_state(corpus[i], corpus[i + 1], 1);
        add_successor(&states[si], corpus[i + 2]);
    }

    uint32_t max_succ = 0, dead_ends = 0, singletons = 0;
    uint64_t transitions = 0;
    for (uint32_t i = 0; i < nstates; i++) {
        if (states[i].nsucc > max_succ) max_succ = states[i].nsucc;
        if (states[i].nsucc == 1) singletons++;
        transitions += states[i].nsucc;
    }
    uint32_t last = find_state(corpus[ncorpus - 2], corpus[ncorpus - 1], 0);
    if (last == UINT32_MAX) dead_ends++;
    printf("corpus %u tokens, %u distinct words, %u states, %llu transitions\n", ncorpus, nwords, nstates,
           (unsigned long long)transitions);
    printf("max successors %u, deterministic states %u, dead ends %u\n", max_succ, singletons, dead_ends);

    uint32_t *order = malloc(sizeof(uint32_t) * nwords);
    if (!order) die("out of memory");
    for (uint32_t i = 0; i < nwords; i++) order[i] = i;
    qsort(order, nwords, sizeof(uint32_t), cmp_word_freq);
    printf("top words:");
    for (uint32_t i = 0; i < nwords && i < 10; i++) printf(" %s:%u", word_text(order[i]), word_list[order[i]].count);
    printf("\n");

    /* generation */
    uint32_t st = (uint32_t)(xorshift() % nstates);
    uint32_t w1 = states[st].w1, w2 = states[st].w2;
    uint64_t gen_hash = 0xcbf29ce484222325ull, restarts = 0, chars = 0;
    uint32_t len_hist[8] = {0};
    uint32_t *visits = calloc(nwords, sizeof(uint32_t));
    if (!visits) die("out of memory");
    uint32_t col = 0;
    for (uint64_t k = 0; k < count; k++) {
        uint32_t si = find_state(w1, w2, 0);
        if (si == UINT32_MAX || states[si].total == 0) {
            restarts++;
            si = (uint32_t)(xorshift() % nstates);
        }
        uint32_t next = pick_successor(&states[si]);
        w1 = states[si].w2;
        w2 = next;
        const WordEntry *we = &word_list[next];
        gen_hash = (gen_hash ^ we->hash) * 0x100000001b3ull;
        chars += we->len;
        len_hist[we->len < 8 ? we->len : 7]++;
        visits[next]++;
        if (k < SHOW_WORDS) {
            printf("%s%s", col ? " " : "", word_text(next));
            if (++col == width) {
                printf("\n");
                col = 0;
            }
        }
    }
    if (col) printf("\n");
    uint32_t most = 0;
    for (uint32_t i = 1; i < nwords; i++) {
        if (visits[i] > visits[most]) most = i;
    }
    printf("generated %llu words, %llu chars, restarts %llu, hash %016llx\n", (unsigned long long)count,
           (unsigned long long)chars, (unsigned long long)restarts, (unsigned long long)gen_hash);
    printf("length histogram:");
    for (int i = 0; i < 8; i++) printf(" %u", len_hist[i]);
    printf("\nmost generated: %s x%u\n", word_text(most), visits[most]);
    for (uint32_t i = 0; i < nstates; i++) free(states[i].succ);
    free(states);
    free(visits);
    free(order);
    free(word_list);
    free(pool);
    free(corpus);
    free(word_index.slots);
    free(state_index.slots);
    return 0;
}
