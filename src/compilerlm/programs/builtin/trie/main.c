/* Prefix tree (trie) over pseudo-random words from a small alphabet.
 *
 * Input lines ('#' starts a comment); the first command must be build:
 *   build <seed> <nwords> <alphabet> <minlen> <maxlen>
 *                          insert nwords generated words (alphabet 2..26, len 1..64)
 *   lookup <n> <seed>      look up n freshly generated words, report hits
 *   delete <n> <seed>      remove one occurrence of n generated words if present
 *   prefix <p>             number of stored words (with multiplicity) starting with p
 *   complete <p> <k>       the k lexicographically first distinct words starting with p
 *   stats                  node count, distinct words, depth, ordered-walk hash
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEN 64
#define MAX_WORDS 5000000UL
#define MAX_K 1000UL
#define MAX_NODES (1u << 23)

typedef struct {
    uint32_t child[26];
    uint32_t pass;  /* words (with multiplicity) passing through this node */
    uint32_t end;   /* words ending exactly here */
} Node;

static Node *nodes;
static uint32_t node_count, node_cap;
static unsigned alpha, minlen, maxlen;
static uint64_t rng;

static uint64_t next_rand(void) {
    /* splitmix64 */
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t new_node(void) {
    if (node_count == node_cap) {
        if (node_cap >= MAX_NODES) {
            fprintf(stderr, "too many trie nodes\n");
            exit(1);
        }
        node_cap = node_cap ? node_cap * 2 : 1024;
        nodes = realloc(nodes, (size_t)node_cap * sizeof(Node));
        if (!nodes) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    memset(&nodes[node_count], 0, sizeof(Node));
    return node_count++;
}

/* Skewed letters (minimum of two draws) so that prefixes are shared often. */
static unsigned gen_word(char *w) {
    uint64_t r = next_rand();
    unsigned len = minlen + (unsigned)(r % (maxlen - minlen + 1));
    for (unsigned i = 0; i < len; i++) {
        uint64_t x = next_rand();
        unsigned a = (unsigned)(x % alpha), b = (unsigned)((x >> 32) % alpha);
        w[i] = (char)('a' + (a < b ? a : b));
    }
    w[len] = '\0';
    return len;
}

static void insert(const char *w) {
    uint32_t cur = 0;
    nodes[cur].pass++;
    for (; *w; w++) {
        unsigned c = (unsigned)(*w - 'a');
        if (!nodes[cur].child[c]) {
            uint32_t n = new_node(); /* may move nodes */
            nodes[cur].child[c] = n;
        }
        cur = nodes[cur].child[c];
        nodes[cur].pass++;
    }
    nodes[cur].end++;
}

/* Node index for prefix p, or UINT32_MAX when absent. */
static uint32_t find(const char *p) {
    uint32_t cur = 0;
    for (; *p; p++) {
        uint32_t nx = nodes[cur].child[(unsigned)(*p - 'a')];
        if (!nx)
            return UINT32_MAX;
        cur = nx;
    }
    return cur;
}

static int remove_word(const char *w) {
    uint32_t cur = find(w);
    if (cur == UINT32_MAX || nodes[cur].end == 0)
        return 0;
    nodes[cur].end--;
    cur = 0;
    nodes[cur].pass--;
    for (; *w; w++) {
        cur = nodes[cur].child[(unsigned)(*w - 'a')];
        nodes[cur].pass--;
    }
    return 1;
}

typedef struct {
    char buf[MAX_LEN + 1];
    uint64_t hash, distinct, total;
    unsigned depth;
    unsigned long k, found;
    int print;
} Walk;

/* Depth-first walk in lexicographic order; stops once walk->k words are seen
 * (k == 0 means unlimited). Subtrees with pass == 0 are pruned. */
static void walk(uint32_t n, unsigned len, Walk *wk) {
    if (nodes[n].pass == 0 || (wk->k && wk->found >= wk->k))
        return;
    if (len > wk->depth)
        wk->depth = len;
    if (nodes[n].end) {
        wk->buf[len] = '\0';
        wk->found++;
        wk->distinct++;
        wk->total += nodes[n].end;
        for (unsigned i = 0; i < len; i++)
            wk->hash = (wk->hash ^ (uint8_t)wk->buf[i]) * 0x100000001B3ULL;
        wk->hash = (wk->hash ^ nodes[n].end) * 0x100000001B3ULL;
        wk->hash = (wk->hash ^ 0xFF) * 0x100000001B3ULL;
        if (wk->print)
            printf(" %s(%u)", wk->buf, nodes[n].end);
    }
    for (unsigned c = 0; c < alpha; c++) {
        uint32_t ch = nodes[n].child[c];
        if (ch && len < MAX_LEN) {
            wk->buf[len] = (char)('a' + c);
            walk(ch, len + 1, wk);
        }
    }
}

static int valid_word(const char *p) {
    size_t n = strlen(p);
    if (n > MAX_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 'a' || (unsigned)(p[i] - 'a') >= alpha)
            return 0;
    return 1;
}

static int fail(const char *msg, const char *line) {
    fprintf(stderr, "%s: %s\n", msg, line);
    return 1;
}

int main(void) {
    char line[512], cmd[32], arg[128];
    char w[MAX_LEN + 1];
    int built = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        if (sscanf(line, "%31s", cmd) != 1)
            continue;
        unsigned long long a, b, c, d, e;
        char extra;
        if (strcmp(cmd, "build") == 0) {
            if (built)
                return fail("trie already built", line);
            if (sscanf(line, "%*s %llu %llu %llu %llu %llu %c", &a, &b, &c, &d, &e, &extra) != 5 ||
                b > MAX_WORDS || c < 2 || c > 26 || d < 1 || e > MAX_LEN || d > e)
                return fail("bad build line", line);
            alpha = (unsigned)c;
            minlen = (unsigned)d;
            maxlen = (unsigned)e;
            rng = a;
            new_node();
            for (unsigned long long i = 0; i < b; i++) {
                gen_word(w);
                insert(w);
            }
            built = 1;
            printf("build: words=%llu nodes=%u root.pass=%u\n", b, node_count, nodes[0].pass);
            continue;
        }
        if (!built)
            return fail("build must come first", line);
        if (strcmp(cmd, "lookup") == 0 || strcmp(cmd, "delete") == 0) {
            if (sscanf(line, "%*s %llu %llu %c", &a, &b, &extra) != 2 || a > MAX_WORDS)
                return fail("bad lookup/delete line", line);
            int del = cmd[0] == 'd';
            rng = b;
            unsigned long long hits = 0, prefix_hits = 0;
            uint64_t sig = 0;
            for (unsigned long long i = 0; i < a; i++) {
                unsigned len = gen_word(w);
                if (del) {
                    hits += (unsigned long long)remove_word(w);
                } else {
                    uint32_t n = find(w);
                    if (n != UINT32_MAX) {
                        prefix_hits++;
                        if (nodes[n].end) {
                            hits++;
                            sig = sig * 31 + nodes[n].end + len;
                        }
                    }
                }
            }
            if (del)
                printf("delete %llu: removed=%llu remaining=%u\n", a, hits, nodes[0].pass);
            else
                printf("lookup %llu: hits=%llu prefix-only=%llu sig=%016llx\n", a, hits,
                       prefix_hits - hits, (unsigned long long)sig);
        } else if (strcmp(cmd, "prefix") == 0) {
            if (sscanf(line, "%*s %127s %c", arg, &extra) != 1 || !valid_word(arg))
                return fail("bad prefix line", line);
            uint32_t n = find(arg);
            printf("prefix %s: %u\n", arg, n == UINT32_MAX ? 0u : nodes[n].pass);
        } else if (strcmp(cmd, "complete") == 0) {
            unsigned long k;
            if (sscanf(line, "%*s %127s %lu %c", arg, &k, &extra) != 2 || !valid_word(arg) ||
                k == 0 || k > MAX_K)
                return fail("bad complete line", line);
            printf("complete %s %lu:", arg, k);
            uint32_t n = find(arg);
            if (n != UINT32_MAX) {
                Walk wk;
                memset(&wk, 0, sizeof wk);
                size_t plen = strlen(arg);
                memcpy(wk.buf, arg, plen);
                wk.k = k;
                wk.print = 1;
                walk(n, (unsigned)plen, &wk);
            }
            printf("\n");
        } else if (strcmp(cmd, "stats") == 0) {
            Walk wk;
            memset(&wk, 0, sizeof wk);
            wk.hash = 0xCBF29CE484222325ULL;
            walk(0, 0, &wk);
            printf("stats: nodes=%u distinct=%llu total=%llu depth=%u hash=%016llx\n", node_count,
                   (unsigned long long)wk.distinct, (unsigned long long)wk.total, wk.depth,
                   (unsigned long long)wk.hash);
        } else {
            return fail("unknown command", line);
        }
    }
    if (!built) {
        fprintf(stderr, "no build command\n");
        return 1;
    }
    free(nodes);
    return 0;
}
