/* Order-statistic AVL tree (index-based node pool with a free list) driven by a command stream:
 * insert/delete/find/rank/select/range-count, bulk PRNG workloads, and periodic invariant checks
 * (BST order, heights, balance factors, subtree sizes). A Fenwick tree over the key space acts as
 * the reference for every answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BITS 21
#define KEY_LIMIT (1u << KEY_BITS)
#define MAX_NODES (1 << 21)
#define NIL 0
#define MAX_BULK 3000000
#define MAX_BULK_TOTAL 4000000
#define MAX_COMMANDS 5000

typedef struct {
    uint32_t key;
    int left, right;
    int height;
    int size;
    uint32_t value; /* payload: updated on duplicate insert */
} Node;

typedef enum { OP_INSERT, OP_DELETE, OP_FIND, OP_RANK, OP_SELECT, OP_RANGE, OP_COUNT } OpKind;

typedef struct {
    const char *name;
    OpKind op;
    int nargs;
} CommandSpec;

static const CommandSpec command_specs[] = {
    {"insert", OP_INSERT, 1}, {"delete", OP_DELETE, 1}, {"find", OP_FIND, 1},
    {"rank", OP_RANK, 1},     {"select", OP_SELECT, 1}, {"range", OP_RANGE, 2},
};

static Node *pool;
static int pool_used = 1; /* slot 0 is the NIL sentinel */
static int free_list = NIL;
static int root = NIL;
static uint64_t rotations;

/* Fenwick tree reference */
static int32_t *fenwick;
static uint8_t *present;

static uint32_t lfsr_state = 0xACE1u;

/* 32-bit Galois LFSR steps mixed with a multiply for better low bits */
static uint32_t prng(void) {
    for (int i = 0; i < 3; i++)
        lfsr_state = (lfsr_state >> 1) ^ ((0u - (lfsr_state & 1u)) & 0xD0000001u);
    uint32_t x = lfsr_state * 0x9E3779B1u;
    return x ^ (x >> 15);
}

/* ---------------- Fenwick ---------------- */

static void fw_add(uint32_t key, int32_t delta) {
    for (uint32_t i = key + 1; i <= KEY_LIMIT; i += i & (0u - i))
        fenwick[i] += delta;
}

static int32_t fw_prefix(uint32_t n) { /* keys < n */
    int32_t s = 0;
    for (uint32_t i = n; i > 0; i -= i & (0u - i))
        s += fenwick[i];
    return s;
}

/* smallest key with prefix count > k (k is 0-based), via binary lifting */
static uint32_t fw_select(int32_t k) {
    uint32_t pos = 0;
    for (uint32_t step = KEY_LIMIT; step; step >>= 1)
        if (pos + step <= KEY_LIMIT && fenwick[pos + step] <= k) {
            pos += step;
            k -= fenwick[pos];
        }
    return pos;
}

/* ---------------- node pool ---------------- */

static int node_new(uint32_t key, uint32_t value) {
    int n;
    if (free_list != NIL) {
        n = free_list;
        free_list = pool[n].left;
    } else {
        if (pool_used >= MAX_NODES) {
            fprintf(stderr, "node pool exhausted\n");
            exit(1);
        }
        n = pool_used++;
    }
    pool[n].key = key;
    pool[n].value = value;
    pool[n].left = pool[n].right = NIL;
    pool[n].height = 1;
    pool[n].size = 1;
    return n;
}

static void node_free(int n) {
    pool[n].left = free_list;
    free_list = n;
}

#define H(n) (pool[n].height)
#define SZ(n) (pool[n].size)

static int max_int(int a, int b) { return a > b ? a : b; }

static void update(int n) {
    H(n) = 1 + max_int(H(pool[n].left), H(pool[n].right));
    SZ(n) = 1 + SZ(pool[n].left) + SZ(pool[n].right);
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

static int balance_factor(int n) { return H(pool[n].left) - H(pool[n].right); }

static int rebalance(int n) {
    update(n);
    int bf = balance_factor(n);
    if (bf > 1) {
        if (balance_factor(pool[n].left) < 0)
            pool[n].left = rotate_left(pool[n].left);
        return rotate_right(n);
    }
    if (bf < -1) {
        if (balance_factor(pool[n].right) > 0)
            pool[n].right = rotate_right(pool[n].right);
        return rotate_left(n);
    }
    return n;
}

static int inserted_flag;

static int insert_rec(int n, uint32_t key, uint32_t value) {
    if (n == NIL) {
        inserted_flag = 1;
        return node_new(key, value);
    }
    if (key < pool[n].key)
        pool[n].left = insert_rec(pool[n].left, key, value);
    else if (key > pool[n].key)
        pool[n].right = insert_rec(pool[n].right, key, value);
    else {
        pool[n].value ^= value;
        return n;
    }
    return rebalance(n);
}

static int removed_flag;

static int remove_min(int n, int *min_node) {
    if (pool[n].left == NIL) {
        *min_node = n;
        return pool[n].right;
    }
    pool[n].left = remove_min(pool[n].left, min_node);
    return rebalance(n);
}

static int delete_rec(int n, uint32_t key) {
    if (n == NIL)
        return NIL;
    if (key < pool[n].key)
        pool[n].left = delete_rec(pool[n].left, key);
    else if (key > pool[n].key)
        pool[n].right = delete_rec(pool[n].right, key);
    else {
        removed_flag = 1;
        int l = pool[n].left, r = pool[n].right;
        node_free(n);
        if (r == NIL)
            return l;
        if (l == NIL)
            return r;
        int m;
        int new_right = remove_min(r, &m);
        pool[m].left = l;
        pool[m].right = new_right;
        return rebalance(m);
    }
    return rebalance(n);
}

static int tree_find(uint32_t key) {
    int n = root;
    while (n != NIL && pool[n].key != key)
        n = key < pool[n].key ? pool[n].left : pool[n].right;
    return n;
}

static int tree_rank(uint32_t key) { /* number of keys < key */
    int n = root, r = 0;
    while (n != NIL) {
        if (key <= pool[n].key)
            n = pool[n].left;
        else {
            r += SZ(pool[n].left) + 1;
            n = pool[n].right;
        }
    }
    return r;
}

static int tree_select(int k) { /* 0-based, returns node */
    int n = root;
    while (n != NIL) {
        int ls = SZ(pool[n].left);
        if (k < ls)
            n = pool[n].left;
        else if (k == ls)
            return n;
        else {
            k -= ls + 1;
            n = pool[n].right;
        }
    }
    return NIL;
}

/* ---------------- invariants ---------------- */

typedef struct {
    int ok;
    long nodes;
    uint64_t key_hash;
    uint32_t last_key;
    int have_last;
} CheckState;

static int check_rec(int n, CheckState *st) {
    if (n == NIL)
        return 0;
    int hl = check_rec(pool[n].left, st);
    if (st->have_last && pool[n].key <= st->last_key)
        st->ok = 0;
    st->last_key = pool[n].key;
    st->have_last = 1;
    st->nodes++;
    st->key_hash = (st->key_hash ^ pool[n].key) * 0x100000001b3ull + pool[n].value;
    int hr = check_rec(pool[n].right, st);
    if (pool[n].height != 1 + max_int(hl, hr) || hl - hr > 1 || hr - hl > 1)
        st->ok = 0;
    if (pool[n].size != 1 + SZ(pool[n].left) + SZ(pool[n].right))
        st->ok = 0;
    return pool[n].height;
}

static void check_tree(const char *label) {
    CheckState st = {1, 0, 0xcbf29ce484222325ull, 0, 0};
    int h = check_rec(root, &st);
    int32_t ref = fw_prefix(KEY_LIMIT);
    if (st.nodes != ref)
        st.ok = 0;
    printf("check %s: size=%ld height=%d rotations=%llu hash=%016llx %s\n", label, st.nodes, h,
           (unsigned long long)rotations, (unsigned long long)st.key_hash, st.ok ? "valid" : "INVALID");
}

/* ---------------- operations with reference cross-check ---------------- */

static long mismatches;

static int64_t do_op(OpKind op, uint32_t a, uint32_t b) {
    switch (op) {
    case OP_INSERT: {
        inserted_flag = 0;
        root = insert_rec(root, a, b);
        if (inserted_flag != !present[a])
            mismatches++;
        if (!present[a]) {
            present[a] = 1;
            fw_add(a, 1);
        }
        return inserted_flag;
    }
    case OP_DELETE: {
        removed_flag = 0;
        root = delete_rec(root, a);
        if (removed_flag != present[a])
            mismatches++;
        if (present[a]) {
            present[a] = 0;
            fw_add(a, -1);
        }
        return removed_flag;
    }
    case OP_FIND: {
        int n = tree_find(a);
        if ((n != NIL) != present[a])
            mismatches++;
        return n != NIL ? (int64_t)pool[n].value : -1;
    }
    case OP_RANK: {
        int r = tree_rank(a);
        if (r != fw_prefix(a))
            mismatches++;
        return r;
    }
    case OP_SELECT: {
        int n = tree_select((int)a);
        if (n == NIL) {
            if ((int32_t)a < fw_prefix(KEY_LIMIT))
                mismatches++;
            return -1;
        }
        if (pool[n].key != fw_select((int32_t)a))
            mismatches++;
        return pool[n].key;
    }
    case OP_RANGE: {
        if (a > b)
            return 0;
        int c = tree_rank(b + 1) - tree_rank(a);
        if (c != fw_prefix(b + 1) - fw_prefix(a))
            mismatches++;
        return c;
    }
    default:
        return 0;
    }
}

/* bulk workload: mix is percentages insert/delete, the remainder split between queries */
static void bulk(long count, uint32_t key_range, int insert_pct, int delete_pct) {
    uint64_t acc = 0;
    long counts[OP_COUNT] = {0};
    for (long i = 0; i < count; i++) {
        uint32_t r = prng() % 100u, k = prng() % key_range;
        OpKind op;
        uint32_t b = 0;
        if ((int)r < insert_pct) {
            op = OP_INSERT;
            b = (uint32_t)i;
        } else if ((int)r < insert_pct + delete_pct) {
            op = OP_DELETE;
        } else {
            static const OpKind queries[4] = {OP_FIND, OP_RANK, OP_SELECT, OP_RANGE};
            op = queries[r % 4u];
            if (op == OP_SELECT) {
                int size = root == NIL ? 0 : SZ(root);
                k = size > 0 ? (uint32_t)((uint32_t)k % (uint32_t)size) : 0;
            } else if (op == OP_RANGE) {
                b = k + prng() % 1000u;
                if (b >= KEY_LIMIT - 1)
                    b = KEY_LIMIT - 2;
            }
        }
        counts[op]++;
        int64_t res = do_op(op, k, b);
        acc = acc * 31 + (uint64_t)(res + 1);
    }
    printf("bulk %ld ops range=%u: ins=%ld del=%ld find=%ld rank=%ld select=%ld range=%ld acc=%016llx\n", count,
           key_range, counts[OP_INSERT], counts[OP_DELETE], counts[OP_FIND], counts[OP_RANK], counts[OP_SELECT],
           counts[OP_RANGE], (unsigned long long)acc);
}

static void print_inorder_prefix(int limit) {
    printf("first keys:");
    int size = root == NIL ? 0 : SZ(root);
    for (int i = 0; i < size && i < limit; i++)
        printf(" %u", pool[tree_select(i)].key);
    printf("\n");
}

/* Input: one command per line
 *   insert K | delete K | find K | rank K | select I | range A B
 *   bulk COUNT KEY_RANGE INSERT_PCT DELETE_PCT SEED | check | show N | clear */
int main(void) {
    pool = calloc(MAX_NODES, sizeof(Node));
    fenwick = calloc(KEY_LIMIT + 1, sizeof(int32_t));
    present = calloc(KEY_LIMIT, 1);
    if (!pool || !fenwick || !present) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    char line[128];
    int commands = 0, checks = 0;
    unsigned long bulk_total = 0;
    while (fgets(line, sizeof line, stdin)) {
        char word[16];
        unsigned long a, b, c, d, e;
        if (sscanf(line, "%15s", word) != 1)
            continue;
        if (++commands > MAX_COMMANDS)
            goto bad;
        const CommandSpec *spec = NULL;
        for (size_t i = 0; i < sizeof(command_specs) / sizeof(command_specs[0]); i++)
            if (strcmp(word, command_specs[i].name) == 0)
                spec = &command_specs[i];
        if (spec) {
            b = 0;
            int got = sscanf(line, "%*s %lu %lu", &a, &b);
            if (got != spec->nargs || a >= KEY_LIMIT - 1 || b >= KEY_LIMIT - 1)
                goto bad;
            int64_t r = do_op(spec->op, (uint32_t)a, spec->op == OP_INSERT ? (uint32_t)commands : (uint32_t)b);
            printf("%s %lu", word, a);
            if (spec->nargs == 2)
                printf(" %lu", b);
            printf(" -> %lld\n", (long long)r);
        } else if (strcmp(word, "bulk") == 0) {
            if (sscanf(line, "%*s %lu %lu %lu %lu %lu", &a, &b, &c, &d, &e) != 5 || a > MAX_BULK || b < 1 ||
                b > KEY_LIMIT - 2 || c > 100 || d > 100 || c + d > 100 || (bulk_total += a) > MAX_BULK_TOTAL)
                goto bad;
            lfsr_state = (uint32_t)e ^ 0x5bd1e995u;
            if (lfsr_state == 0)
                lfsr_state = 1;
            bulk((long)a, (uint32_t)b, (int)c, (int)d);
        } else if (strcmp(word, "check") == 0) {
            char label[16];
            snprintf(label, sizeof label, "#%d", ++checks);
            check_tree(label);
        } else if (strcmp(word, "show") == 0) {
            if (sscanf(line, "%*s %lu", &a) != 1 || a > 100)
                goto bad;
            print_inorder_prefix((int)a);
        } else if (strcmp(word, "clear") == 0) {
            /* return every node to the free list by deleting keys in select order */
            while (root != NIL)
                do_op(OP_DELETE, pool[root].key, 0);
            printf("cleared\n");
        } else {
            goto bad;
        }
    }
    printf("final: size=%d mismatches=%ld rotations=%llu pool_high_water=%d\n", root == NIL ? 0 : SZ(root), mismatches,
           (unsigned long long)rotations, pool_used - 1);
    free(pool);
    free(fenwick);
    free(present);
    return 0;
bad:
    fprintf(stderr, "malformed input at command %d\n", commands);
    return 1;
}
