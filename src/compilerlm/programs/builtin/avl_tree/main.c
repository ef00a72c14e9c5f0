/* Order-statistic AVL tree over a node pool: insert, delete, find, rank and select, driven by a
 * few explicit commands followed by a bulk PRNG-generated operation stream. Periodic full
 * invariant checks (BST order, balance factors, heights, subtree sizes) and running checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 1000000
#define MAX_OPS 20000000u
#define NIL 0

typedef struct {
    uint32_t key;
    uint32_t value;
    int left, right;
    int height;
    int size;
} Node;

static Node *pool;
static int pool_used = 1; /* index 0 is the NIL sentinel */
static int free_list = NIL;
static uint64_t rng_state;
static uint64_t rotations;

static void fail(const char *msg) {
    fprintf(stderr, "error: %s\n", msg);
    exit(1);
}

static uint32_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static int height(int n) { return n ? pool[n].height : 0; }
static int size(int n) { return n ? pool[n].size : 0; }

static void update(int n) {
    int hl = height(pool[n].left), hr = height(pool[n].right);
    pool[n].height = (hl > hr ? hl : hr) + 1;
    pool[n].size = size(pool[n].left) + size(pool[n].right) + 1;
}

static int new_node(uint32_t key, uint32_t value) {
    int n;
    if (free_list != NIL) {
        n = free_list;
        free_list = pool[n].left;
    } else {
        if (pool_used >= MAX_NODES) fail("node pool exhausted");
        n = pool_used++;
    }
    pool[n].key = key;
    pool[n].value = value;
    pool[n].left = pool[n].right = NIL;
    pool[n].height = 1;
    pool[n].size = 1;
    return n;
}

static void free_node(int n) {
    pool[n].left = free_list;
    free_list = n;
}

static int rotate_right(int y) {
    int x = pool[y].left;
    pool[y].left = pool[x].right;
    pool[x].right = y;
    update(y);
    update(x);
    rotations++;
    return x;
}

static int rotate_left(int x) {
    int y = pool[x].right;
    pool[x].right = pool[y].left;
    pool[y].left = x;
    update(x);
    update(y);
    rotations++;
    return y;
}

static int rebalance(int n) {
    update(n);
    int bf = height(pool[n].left) - height(pool[n].right);
    if (bf > 1) {
        if (height(pool[pool[n].left].left) < height(pool[pool[n].left].right))
            pool[n].left = rotate_left(pool[n].left);
        return rotate_right(n);
    }
    if (bf < -1) {
        if (height(pool[pool[n].right].right) < height(pool[pool[n].right].left))
            pool[n].right = rotate_right(pool[n].right);
        return rotate_left(n);
    }
    return n;
}

/* Inserts key or updates its value; *added is set to 1 when a new node was created. */
static int insert(int n, uint32_t key, uint32_t value, int *added) {
    if (n == NIL) {
        *added = 1;
        return new_node(key, value);
    }
    if (key < pool[n].key) {
        int c = insert(pool[n].left, key, value, added);
        pool[n].left = c;
    } else if (key > pool[n].key) {
        int c = insert(pool[n].right, key, value, added);
        pool[n].right = c;
    } else {
        pool[n].value = value;
        return n;
    }
    return rebalance(n);
}

static int remove_min(int n, int *min_node) {
    if (pool[n].left == NIL) {
        *min_node = n;
        return pool[n].right;
    }
    int c = remove_min(pool[n].left, min_node);
    pool[n].left = c;
    return rebalance(n);
}

static int erase(int n, uint32_t key, int *removed) {
    if (n == NIL) return NIL;
    if (key < pool[n].key) {
        int c = erase(pool[n].left, key, removed);
        pool[n].left = c;
    } else if (key > pool[n].key) {
        int c = erase(pool[n].right, key, removed);
        pool[n].right = c;
    } else {
        *removed = 1;
        int l = pool[n].left, r = pool[n].right;
        free_node(n);
        if (r == NIL) return l;
        int m = NIL;
        int rest = remove_min(r, &m);
        pool[m].left = l;
        pool[m].right = rest;
        return rebalance(m);
    }
    return rebalance(n);
}

static int find(int n, uint32_t key) {
    while (n != NIL && pool[n].key != key) n = key < pool[n].key ? pool[n].left : pool[n].right;
    return n;
}

/* Number of keys strictly less than key. */
static int rank_of(int n, uint32_t key) {
    int r = 0;
    while (n != NIL) {
        if (key <= pool[n].key) {
            n = pool[n].left;
        } else {
            r += size(pool[n].left) + 1;
            n = pool[n].right;
        }
    }
    return r;
}

/* k-th smallest (0-based); returns NIL when out of range. */
static int select_kth(int n, int k) {
    while (n != NIL) {
        int ls = size(pool[n].left);
        if (k < ls) {
            n = pool[n].left;
        } else if (k == ls) {
            return n;
        } else {
            k -= ls + 1;
            n = pool[n].right;
        }
    }
    return NIL;
}

/* Returns subtree height, or -1 on violation. Checks keys lie in (lo, hi) exclusive bounds. */
static int check(int n, int64_t lo, int64_t hi, uint64_t *sum) {
    if (n == NIL) return 0;
    int64_t k = pool[n].key;
    if (k <= lo || k >= hi) return -1;
    int hl = check(pool[n].left, lo, k, sum);
    int hr = check(pool[n].right, k, hi, sum);
    if (hl < 0 || hr < 0) return -1;
    if (hl - hr > 1 || hr - hl > 1) return -1;
    int h = (hl > hr ? hl : hr) + 1;
    if (pool[n].height != h) return -1;
    if (pool[n].size != size(pool[n].left) + size(pool[n].right) + 1) return -1;
    *sum = *sum * 1000003u + (uint64_t)k * 31u + pool[n].value;
    return h;
}

typedef struct {
    uint64_t hash;
    uint32_t inserts, updates, deletes, misses, finds, found, ranks, selects, checks;
} Stats;

static int root = NIL;

static void mix(Stats *s, uint64_t v) { s->hash = (s->hash ^ v) * 0x100000001B3ULL; }

static void do_op(Stats *s, char op, uint32_t arg, int verbose) {
    int flag = 0;
    switch (op) {
    case 'i':
        root = insert(root, arg, arg * 2654435761u, &flag);
        if (flag) s->inserts++; else s->updates++;
        mix(s, (uint64_t)size(root));
        if (verbose) printf("insert %u -> %s size=%d\n", arg, flag ? "new" : "update", size(root));
        break;
    case 'd':
        root = erase(root, arg, &flag);
        if (flag) s->deletes++; else s->misses++;
        mix(s, (uint64_t)size(root) + 7u);
        if (verbose) printf("delete %u -> %s size=%d\n", arg, flag ? "ok" : "missing", size(root));
        break;
    case 'f': {
        int n = find(root, arg);
        s->finds++;
        if (n) s->found++;
        mix(s, n ? pool[n].value : 0xFFFFFFFFu);
        if (verbose) printf("find %u -> %s\n", arg, n ? "yes" : "no");
        break;
    }
    case 'r': {
        int r = rank_of(root, arg);
        s->ranks++;
        mix(s, (uint64_t)r);
        if (verbose) printf("rank %u -> %d\n", arg, r);
        break;
    }
    case 'k': {
        int n = size(root) ? select_kth(root, (int)(arg % (uint32_t)size(root))) : NIL;
        s->selects++;
        mix(s, n ? pool[n].key : 0u);
        if (verbose) printf("select %u -> %u\n", arg, n ? pool[n].key : 0u);
        break;
    }
    default:
        fail("unknown command");
    }
}

static void full_check(Stats *s, const char *when) {
    uint64_t sum = 0;
    int h = check(root, -1, (int64_t)UINT32_MAX + 1, &sum);
    s->checks++;
    if (h < 0) {
        printf("INVARIANT VIOLATION %s\n", when);
        exit(1);
    }
    mix(s, sum);
}

int main(void) {
    unsigned long long seed;
    unsigned ops, key_range, check_every;
    if (scanf("%llu %u %u %u", &seed, &ops, &key_range, &check_every) != 4) fail("bad header");
    if (ops > MAX_OPS || key_range < 1 || key_range > 0xFFFFFFFEu || check_every < 1)
        fail("bad parameters");
    pool = calloc(MAX_NODES, sizeof *pool);
    if (!pool) fail("out of memory");
    rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1u;
    Stats st;
    memset(&st, 0, sizeof st);
    st.hash = 0xCBF29CE484222325ULL;

    char cmd[16];
    for (;;) {
        if (scanf("%15s", cmd) != 1) fail("missing 'end'");
        if (strcmp(cmd, "end") == 0) break;
        unsigned arg;
        if (strlen(cmd) != 1 || scanf("%u", &arg) != 1)
            fail("bad explicit command");
        do_op(&st, cmd[0], arg, 1);
    }
    full_check(&st, "after explicit commands");

    /* Bulk phase: insert-heavy first half, delete-heavy second half. */
    static const char kinds[] = "iiiidffrk";
    static const char kinds2[] = "iddddffrk";
    for (uint32_t t = 0; t < ops; t++) {
        uint32_t r = rng_next();
        const char *tab = t < ops / 2 ? kinds : kinds2;
        char op = tab[r % 9u];
        uint32_t key = 1u + rng_next() % key_range;
        do_op(&st, op, key, 0);
        if ((t + 1) % check_every == 0) full_check(&st, "in bulk phase");
    }
    full_check(&st, "at end");

    printf("size=%d height=%d rotations=%llu pool_used=%d\n", size(root), height(root),
           (unsigned long long)rotations, pool_used - 1);
    printf("inserts=%u updates=%u deletes=%u misses=%u\n", st.inserts, st.updates, st.deletes,
           st.misses);
    printf("finds=%u found=%u ranks=%u selects=%u checks=%u\n", st.finds, st.found, st.ranks,
           st.selects, st.checks);
    if (size(root) > 0) {
        int n = size(root);
        printf("min=%u median=%u max=%u\n", pool[select_kth(root, 0)].key,
               pool[select_kth(root, n / 2)].key, pool[select_kth(root, n - 1)].key);
    }
    printf("hash=%016llx\n", (unsigned long long)st.hash);
    free(pool);
    return 0;
}
