/* Trie with sorted first-child/next-sibling node lists and a node free list. Supports insert,
 * lookup, prefix counting, frequency-ranked autocomplete, delete with pruning, ordered traversal,
 * and a randomized benchmark command.
 *
 * Input: a line "words", one word per line (repeats raise the frequency), then a line "queries"
 * followed by commands:
 *   lookup W | prefix P | complete P K | delete W | insert W | dump P N | stats | bench N SEED
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_WORD 64
#define MAX_NODES (1u << 21)
#define MAX_K 32
#define MAX_BENCH 5000000u

typedef struct {
    uint8_t ch;
    uint32_t child;   /* first child, 0 = none */
    uint32_t sibling; /* next sibling (sorted by ch), 0 = none */
    uint32_t parent;
    uint32_t ends;    /* number of times a word ends here */
    uint32_t below;   /* number of word occurrences in this subtree */
} Node;

typedef struct {
    char word[MAX_WORD];
    uint32_t freq;
} Hit;

typedef struct {
    Hit hits[MAX_K];
    int n, k;
    uint64_t visited;
} TopK;

static Node *nodes;
static uint32_t nnodes = 2; /* node 0 is unused, node 1 is the root */
static uint32_t free_list, live_nodes;
static uint64_t total_words, distinct_words;
static char input[MAX_INPUT + 1];
static char **word_list;
static uint32_t nlist, list_cap;

static _Noreturn void die(const char *msg) {
    fprintf(stderr, "trie: %s\n", msg);
    exit(1);
}

static uint32_t new_node(uint8_t ch, uint32_t parent) {
    uint32_t id;
    if (free_list) {
        id = free_list;
        free_list = nodes[id].sibling;
    } else {
        if (nnodes >= MAX_NODES) die("too many nodes");
        id = nnodes++;
    }
    Node *n = &nodes[id];
    memset(n, 0, sizeof *n);
    n->ch = ch;
    n->parent = parent;
    live_nodes++;
    return id;
}

static void free_node(uint32_t id) {
    nodes[id].sibling = free_list;
    nodes[id].child = 0;
    free_list = id;
    live_nodes--;
}

/* Finds the child of `parent` with character ch; optionally creates it in sorted position. */
static uint32_t child_of(uint32_t parent, uint8_t ch, int create) {
    uint32_t prev = 0, cur = nodes[parent].child;
    while (cur && nodes[cur].ch < ch) {
        prev = cur;
        cur = nodes[cur].sibling;
    }
    if (cur && nodes[cur].ch == ch) return cur;
    if (!create) return 0;
    uint32_t n = new_node(ch, parent);
    nodes[n].sibling = cur;
    if (prev) nodes[prev].sibling = n;
    else nodes[parent].child = n;
    return n;
}

static uint32_t walk(const char *w, size_t len) {
    uint32_t n = 1;
    for (size_t i = 0; i < len && n; i++) n = child_of(n, (uint8_t)w[i], 0);
    return n;
}

static void insert(const char *w, size_t len) {
    uint32_t n = 1;
    nodes[1].below++;
    for (size_t i = 0; i < len; i++) {
        n = child_of(n, (uint8_t)w[i], 1);
        nodes[n].below++;
    }
    if (nodes[n].ends++ == 0) distinct_words++;
    total_words++;
}

static void unlink_child(uint32_t parent, uint32_t child) {
    uint32_t prev = 0, cur = nodes[parent].child;
    while (cur && cur != child) {
        prev = cur;
        cur = nodes[cur].sibling;
    }
    if (!cur) return;
    if (prev) nodes[prev].sibling = nodes[cur].sibling;
    else nodes[parent].child = nodes[cur].sibling;
}

/* Removes one occurrence; prunes nodes whose subtree becomes empty. Returns 1 if removed. */
static int delete_word(const char *w, size_t len) {
    uint32_t n = walk(w, len);
    if (!n || nodes[n].ends == 0) return 0;
    if (--nodes[n].ends == 0) distinct_words--;
    total_words--;
    while (n) {
        nodes[n].below--;
        uint32_t parent = nodes[n].parent;
        if (n != 1 && nodes[n].below == 0) {
            unlink_child(parent, n);
            free_node(n);
        }
        n = parent;
    }
    return 1;
}

static void topk_offer(TopK *t, const char *word, uint32_t freq) {
    int pos = t->n;
    while (pos > 0) {
        const Hit *h = &t->hits[pos - 1];
        if (h->freq > freq || (h->freq == freq && strcmp(h->word, word) <= 0)) break;
        pos--;
    }
    if (pos >= t->k) return;
    int last = t->n < t->k ? t->n : t->k - 1;
    for (int i = last; i > pos; i--) t->hits[i] = t->hits[i - 1];
    snprintf(t->hits[pos].word, MAX_WORD, "%s", word);
    t->hits[pos].freq = freq;
    if (t->n < t->k) t->n++;
}

static void collect(uint32_t n, char *buf, int depth, TopK *t) {
    t->visited++;
    buf[depth] = '\0';
    if (nodes[n].ends) topk_offer(t, buf, nodes[n].ends);
    if (depth + 1 >= MAX_WORD) return;
    for (uint32_t c = nodes[n].child; c; c = nodes[c].sibling) {
        buf[depth] = (char)nodes[c].ch;
        collect(c, buf, depth + 1, t);
    }
}

typedef void (*Visitor)(const char *word, uint32_t ends, void *ctx);

/* Iterative pre-order traversal in lexicographic order, using parent links. */
static void traverse(uint32_t start, const char *prefix, size_t plen, Visitor visit, void *ctx, uint64_t limit) {
    char buf[MAX_WORD + 1];
    size_t depth = plen;
    memcpy(buf, prefix, plen);
    uint32_t n = start;
    uint64_t seen = 0;
    for (;;) {
        if (nodes[n].ends) {
            buf[depth] = '\0';
            visit(buf, nodes[n].ends, ctx);
            if (++seen >= limit) return;
        }
        if (nodes[n].child && depth < MAX_WORD) {
            n = nodes[n].child;
            buf[depth++] = (char)nodes[n].ch;
            continue;
        }
        while (n != start && !nodes[n].sibling) {
            n = nodes[n].parent;
            depth--;
        }
        if (n == start) return;
        n = nodes[n].sibling;
        buf[depth - 1] = (char)nodes[n].ch;
    }
}

static void print_visit(const char *word, uint32_t ends, void *ctx) {
    (void)ctx;
    printf(" %s:%u", word, ends);
}

static void hash_visit(const char *word, uint32_t ends, void *ctx) {
    uint64_t *h = ctx;
    for (const char *p = word; *p; p++) *h = (*h ^ (unsigned char)*p) * 0x100000001b3ull;
    *h = (*h ^ ends) * 0x100000001b3ull;
}

static uint64_t rng;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void bench(uint64_t count, uint64_t seed) {
    char key[MAX_WORD];
    uint64_t found = 0, prefix_total = 0, inserted = 0, deleted = 0, h = 0;
    rng = seed * 2654435761u + 88172645463325252ull;
    if (nlist == 0) die("bench needs words");
    for (uint64_t i = 0; i < count; i++) {
        const char *w = word_list[next_rand() % nlist];
        size_t len = strlen(w);
        memcpy(key, w, len + 1);
        uint64_t r = next_rand();
        switch (r % 5) {
        case 0: /* exact lookup */
            break;
        case 1: /* truncated prefix */
            len = len ? (size_t)(r >> 8) % len + 1 : 0;
            key[len] = '\0';
            break;
        case 2: /* mutate one character */
            if (len) key[(r >> 8) % len] = (char)('a' + (r >> 20) % 26);
            break;
        case 3: /* insert a mutated word */
            if (len) key[(r >> 8) % len] = (char)('a' + (r >> 20) % 26);
            insert(key, len);
            inserted++;
            break;
        default: /* delete a word */
            deleted += (uint64_t)delete_word(key, len);
            break;
        }
        uint32_t n = walk(key, len);
        if (n) {
            prefix_total += nodes[n].below;
            if (nodes[n].ends) found++;
        }
        h = h * 31 + (n ? nodes[n].below * 7u + nodes[n].ends : 1);
    }
    printf("bench %llu: found %llu, prefix total %llu, inserted %llu, deleted %llu, hash %016llx\n",
           (unsigned long long)count, (unsigned long long)found, (unsigned long long)prefix_total,
           (unsigned long long)inserted, (unsigned long long)deleted, (unsigned long long)h);
}

static void print_stats(void) {
    uint64_t h = 0xcbf29ce484222325ull;
    traverse(1, "", 0, hash_visit, &h, UINT64_MAX);
    uint32_t depth = 0, n = 1;
    while (nodes[n].child && !nodes[n].sibling && !nodes[n].ends && nodes[nodes[n].child].sibling == 0 && n != 0) {
        n = nodes[n].child;
        depth++;
    }
    printf("stats: %llu words, %llu distinct, %u live nodes, %u allocated, common prefix %u, order hash %016llx\n",
           (unsigned long long)total_words, (unsigned long long)distinct_words, live_nodes, nnodes - 1, depth,
           (unsigned long long)h);
}

static int valid_word(const char *w, size_t len) {
    if (len == 0 || len >= MAX_WORD) return 0;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)w[i] < 0x21 || (unsigned char)w[i] > 0x7e) return 0;
    }
    return 1;
}

static uint64_t parse_u64(const char *s) {
    uint64_t v = 0;
    if (!*s) die("expected a number");
    for (; *s; s++) {
        if (*s < '0' || *s > '9') die("expected a number");
        if (v > 1000000000000ull) die("number too large");
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

static void run_query(char *line) {
    char *argv[4];
    int argc = 0;
    for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
        if (argc >= 4) die("too many arguments");
        argv[argc++] = tok;
    }
    if (argc == 0) return;
    const char *cmd = argv[0];
    if (strcmp(cmd, "stats") == 0 && argc == 1) {
        print_stats();
    } else if (strcmp(cmd, "bench") == 0 && argc == 3) {
        uint64_t n = parse_u64(argv[1]);
        if (n > MAX_BENCH) die("bench count too large");
        bench(n, parse_u64(argv[2]));
    } else if (argc >= 2) {
        const char *w = argv[1];
        size_t len = strlen(w);
        if (!valid_word(w, len)) die("bad word in query");
        if (strcmp(cmd, "lookup") == 0 && argc == 2) {
            uint32_t n = walk(w, len);
            printf("lookup %s: %u\n", w, n ? nodes[n].ends : 0);
        } else if (strcmp(cmd, "prefix") == 0 && argc == 2) {
            uint32_t n = walk(w, len);
            printf("prefix %s: %u\n", w, n ? nodes[n].below : 0);
        } else if (strcmp(cmd, "insert") == 0 && argc == 2) {
            insert(w, len);
            printf("insert %s\n", w);
        } else if (strcmp(cmd, "delete") == 0 && argc == 2) {
            printf("delete %s: %s\n", w, delete_word(w, len) ? "ok" : "missing");
        } else if (strcmp(cmd, "complete") == 0 && argc == 3) {
            TopK t;
            t.n = 0;
            t.k = (int)parse_u64(argv[2]);
            t.visited = 0;
            if (t.k < 1 || t.k > MAX_K) die("bad completion count");
            char buf[MAX_WORD + 1];
            memcpy(buf, w, len + 1);
            uint32_t n = walk(w, len);
            if (n) collect(n, buf, (int)len, &t);
            printf("complete %s (%llu nodes):", w, (unsigned long long)t.visited);
            for (int i = 0; i < t.n; i++) printf(" %s:%u", t.hits[i].word, t.hits[i].freq);
            printf("\n");
        } else if (strcmp(cmd, "dump") == 0 && argc == 3) {
            uint64_t limit = parse_u64(argv[2]);
            uint32_t n = walk(w, len);
            printf("dump %s:", w);
            if (n && limit) traverse(n, w, len, print_visit, NULL, limit);
            printf("\n");
        } else {
            die("unknown query");
        }
    } else {
        die("unknown query");
    }
}

int main(void) {
    size_t len = fread(input, 1, MAX_INPUT, stdin);
    if (len == MAX_INPUT) die("input too large");
    input[len] = '\0';
    if (memchr(input, '\0', len)) die("NUL byte in input");
    nodes = calloc(MAX_NODES, sizeof(Node));
    if (!nodes) die("out of memory");
    live_nodes = 1;
    char *p = input;
    int section = 0; /* 0: expect "words", 1: words, 2: queries */
    while (*p) {
        char *end = strchr(p, '\n');
        if (end) *end = '\0';
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r') p[--l] = '\0';
        if (section == 0) {
            if (strcmp(p, "words") != 0) die("input must start with 'words'");
            section = 1;
        } else if (section == 1) {
            if (strcmp(p, "queries") == 0) {
                section = 2;
                printf("loaded %llu words (%llu distinct), %u nodes\n", (unsigned long long)total_words,
                       (unsigned long long)distinct_words, live_nodes);
            } else if (l) {
                if (!valid_word(p, l)) die("bad word");
                insert(p, l);
                if (nlist >= list_cap) {
                    list_cap = list_cap ? list_cap * 2 : 1024;
                    word_list = realloc(word_list, sizeof(char *) * list_cap);
                    if (!word_list) die("out of memory");
                }
                word_list[nlist++] = p;
            }
        } else {
            run_query(p);
        }
        if (!end) break;
        p = end + 1;
    }
    if (section != 2) die("missing 'queries' section");
    print_stats();
    free(word_list);
    free(nodes);
    return 0;
}
