/* Knapsack and coin change dynamic programming.
 *
 * Input lines:
 *   zeroone <n> <capacity> <seed> <maxweight> <maxvalue>    generated 0/1 knapsack instance
 *   unbounded <n> <capacity> <seed> <maxweight> <maxvalue>  generated unbounded instance
 *   list <capacity> <w>:<v> [<w>:<v> ...]                    literal 0/1 instance (up to 64 items)
 *   coins <amount> <c1> [<c2> ...]                           coin change over literal coins
 *   coinsgen <amount> <k> <seed>                             coin change over k generated coins
 * '#' starts a comment line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOD 1000000007u
#define MAX_ITEMS 5000
#define MAX_CAPACITY 1000000
#define MAX_CELLS 40000000ULL    /* n * capacity for one instance */
#define MAX_WORK 400000000ULL    /* over the whole input */
#define MAX_COINS 64
#define BNB_LIMIT 40              /* branch and bound cross-check for at most this many items */
#define BNB_NODE_LIMIT 5000000ULL

typedef struct {
    uint32_t w, v;
    int id;
} Item;

typedef struct {
    uint64_t best;
    uint32_t weight;
    int count;
    uint64_t chosen_hash;
} Solution;

static unsigned long long work_done;
static Item items[MAX_ITEMS];
static int nitems;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static int charge(unsigned long long cost) {
    if (cost > MAX_WORK || work_done + cost > MAX_WORK)
        return 0;
    work_done += cost;
    return 1;
}

/* ---------- generator: 64-bit LCG with output permutation (PCG-XSH-RR) ---------- */

static uint64_t pcg_state;

static void pcg_seed(uint64_t s) {
    pcg_state = 0;
    pcg_state = pcg_state * 6364136223846793005ULL + (s | 1);
    pcg_state += s;
}

static uint32_t pcg32(void) {
    uint64_t old = pcg_state;
    pcg_state = old * 6364136223846793005ULL + 1442695040888963407ULL;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

static uint32_t range(uint32_t lo, uint32_t hi) { return lo + pcg32() % (hi - lo + 1); }

static void generate_items(int n, uint64_t seed, uint32_t maxw, uint32_t maxv) {
    pcg_seed(seed);
    nitems = n;
    for (int i = 0; i < n; i++) {
        items[i].w = range(1 + maxw / 8, maxw);
        /* correlated values make instances harder for branch and bound */
        uint32_t base = (uint32_t)((uint64_t)items[i].w * maxv / maxw);
        items[i].v = base / 4 * 3 + range(1, maxv / 4 + 1);
        items[i].id = i;
    }
}

/* ---------- 0/1 knapsack with reconstruction ---------- */

static Solution solve_zeroone(const Item *it, int n, uint32_t cap) {
    uint64_t *best = calloc((size_t)cap + 1, sizeof *best);
    size_t row_words = ((size_t)cap + 64) / 64;
    uint64_t *take = calloc((size_t)n * row_words, sizeof *take);
    if (!best || !take)
        die("out of memory");
    for (int i = 0; i < n; i++) {
        uint32_t w = it[i].w;
        uint64_t v = it[i].v;
        uint64_t *row = take + (size_t)i * row_words;
        for (uint32_t c = cap; c >= w && w > 0; c--) {
            uint64_t cand = best[c - w] + v;
            if (cand > best[c]) {
                best[c] = cand;
                row[c >> 6] |= 1ULL << (c & 63);
            }
        }
    }
    Solution s = {best[cap], 0, 0, 0};
    uint32_t c = cap;
    for (int i = n - 1; i >= 0; i--) {
        const uint64_t *row = take + (size_t)i * row_words;
        if (row[c >> 6] >> (c & 63) & 1) {
            c -= it[i].w;
            s.weight += it[i].w;
            s.count++;
            s.chosen_hash = s.chosen_hash * 0x9E3779B1u + (uint64_t)it[i].id + 1;
        }
    }
    free(best);
    free(take);
    return s;
}

/* ---------- branch and bound (depth-first, fractional bound) ---------- */

static Item sorted_items[BNB_LIMIT];
static int bnb_n;
static uint64_t bnb_best;
static unsigned long long bnb_nodes;

static int by_density(const void *a, const void *b) {
    const Item *x = a, *y = b;
    /* compare v_x / w_x against v_y / w_y without division */
    uint64_t l = (uint64_t)x->v * y->w, r = (uint64_t)y->v * x->w;
    if (l != r)
        return l > r ? -1 : 1;
    return x->id - y->id;
}

static uint64_t fractional_bound(int i, uint32_t room, uint64_t value) {
    /* scaled by the weight of the split item to stay in integers: returns floor of the bound */
    for (; i < bnb_n; i++) {
        if (sorted_items[i].w <= room) {
            room -= sorted_items[i].w;
            value += sorted_items[i].v;
        } else {
            value += (uint64_t)sorted_items[i].v * room / sorted_items[i].w;
            break;
        }
    }
    return value;
}

static void bnb(int i, uint32_t room, uint64_t value) {
    if (++bnb_nodes > BNB_NODE_LIMIT)
        return;
    if (value > bnb_best)
        bnb_best = value;
    if (i == bnb_n || fractional_bound(i, room, value) <= bnb_best)
        return;
    if (sorted_items[i].w <= room)
        bnb(i + 1, room - sorted_items[i].w, value + sorted_items[i].v);
    bnb(i + 1, room, value);
}

static int branch_and_bound(const Item *it, int n, uint32_t cap, uint64_t *out) {
    memcpy(sorted_items, it, (size_t)n * sizeof *it);
    qsort(sorted_items, (size_t)n, sizeof *sorted_items, by_density);
    bnb_n = n;
    bnb_best = 0;
    bnb_nodes = 0;
    bnb(0, cap, 0);
    *out = bnb_best;
    return bnb_nodes <= BNB_NODE_LIMIT;
}

static void report_zeroone(const Item *it, int n, uint32_t cap) {
    Solution s = solve_zeroone(it, n, cap);
    printf("  best=%llu weight=%u/%u items=%d chosen=%016llx\n", (unsigned long long)s.best, s.weight, cap, s.count,
           (unsigned long long)s.chosen_hash);
    if (n <= BNB_LIMIT) {
        uint64_t b;
        if (branch_and_bound(it, n, cap, &b))
            printf("  branch-and-bound=%llu nodes=%llu %s\n", (unsigned long long)b, bnb_nodes,
                   b == s.best ? "agree" : "DISAGREE");
        else
            printf("  branch-and-bound gave up after %llu nodes\n", BNB_NODE_LIMIT);
    }
}

/* ---------- unbounded knapsack ---------- */

static void report_unbounded(const Item *it, int n, uint32_t cap) {
    uint64_t *best = calloc((size_t)cap + 1, sizeof *best);
    int32_t *last = malloc(((size_t)cap + 1) * sizeof *last);
    if (!best || !last)
        die("out of memory");
    for (uint32_t c = 0; c <= cap; c++) {
        last[c] = -1;
        if (c > 0 && best[c - 1] > best[c]) { /* allow unused capacity */
            best[c] = best[c - 1];
            last[c] = -2;
        }
        for (int i = 0; i < n; i++) {
            if (it[i].w <= c && best[c - it[i].w] + it[i].v > best[c]) {
                best[c] = best[c - it[i].w] + it[i].v;
                last[c] = i;
            }
        }
    }
    /* walk back to count how often each item is used */
    uint32_t c = cap, used_weight = 0, pieces = 0, distinct = 0;
    uint64_t h = 0;
    static uint32_t uses[MAX_ITEMS];
    memset(uses, 0, sizeof uses);
    while (c > 0 && last[c] != -1) {
        if (last[c] == -2) {
            c--;
            continue;
        }
        int i = last[c];
        if (uses[i]++ == 0)
            distinct++;
        pieces++;
        used_weight += it[i].w;
        c -= it[i].w;
    }
    for (int i = 0; i < n; i++)
        h = h * 1315423911u + uses[i];
    printf("  best=%llu weight=%u/%u pieces=%u distinct=%u uses=%016llx\n", (unsigned long long)best[cap], used_weight,
           cap, pieces, distinct, (unsigned long long)h);
    free(best);
    free(last);
}

/* ---------- coin change ---------- */

static void report_coins(const uint32_t *coins, int k, uint32_t amount) {
    uint32_t *ways = calloc((size_t)amount + 1, sizeof *ways);
    uint32_t *perms = calloc((size_t)amount + 1, sizeof *perms);
    uint32_t *minc = malloc(((size_t)amount + 1) * sizeof *minc);
    if (!ways || !perms || !minc)
        die("out of memory");
    ways[0] = perms[0] = 1;
    for (int i = 0; i < k; i++) /* combinations: coins in the outer loop */
        for (uint32_t a = coins[i]; a <= amount; a++)
            ways[a] = (ways[a] + ways[a - coins[i]]) % MOD;
    minc[0] = 0;
    for (uint32_t a = 1; a <= amount; a++) { /* permutations and minimum: amounts outermost */
        uint64_t p = 0;
        uint32_t m = UINT32_MAX;
        for (int i = 0; i < k; i++) {
            if (coins[i] > a)
                continue;
            p += perms[a - coins[i]];
            if (minc[a - coins[i]] != UINT32_MAX && minc[a - coins[i]] + 1 < m)
                m = minc[a - coins[i]] + 1;
        }
        perms[a] = (uint32_t)(p % MOD);
        minc[a] = m;
    }
    uint64_t sample = 0;
    for (uint32_t a = 0; a <= amount; a += 1 + amount / 97)
        sample = sample * 31 + ways[a] + (uint64_t)perms[a] * 7;
    if (minc[amount] == UINT32_MAX)
        printf("  combinations=%u permutations=%u min=impossible sample=%016llx\n", ways[amount], perms[amount],
               (unsigned long long)sample);
    else
        printf("  combinations=%u permutations=%u min=%u sample=%016llx\n", ways[amount], perms[amount], minc[amount],
               (unsigned long long)sample);
    free(ways);
    free(perms);
    free(minc);
}

/* ---------- parsing ---------- */

static int to_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out) {
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > hi)
            return 0;
    }
    if (v < lo)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

static int to_u64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

enum { CMD_ZEROONE, CMD_UNBOUNDED, CMD_LIST, CMD_COINS, CMD_COINSGEN, CMD_UNKNOWN };

static int command_of(const char *s) {
    static const char *const names[] = {"zeroone", "unbounded", "list", "coins", "coinsgen"};
    for (int i = 0; i < CMD_UNKNOWN; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return CMD_UNKNOWN;
}

static int execute(char **tok, int nt) {
    uint32_t n, cap, maxw, maxv, amount, k;
    uint64_t seed;
    uint32_t coins[MAX_COINS];
    switch (command_of(tok[0])) {
    case CMD_ZEROONE:
    case CMD_UNBOUNDED: {
        int zo = command_of(tok[0]) == CMD_ZEROONE;
        if (nt != 6 || !to_u32(tok[1], 1, MAX_ITEMS, &n) || !to_u32(tok[2], 1, MAX_CAPACITY, &cap) ||
            !to_u64(tok[3], &seed) || !to_u32(tok[4], 1, 1000000, &maxw) || !to_u32(tok[5], 1, 1000000, &maxv))
            return 0;
        if ((uint64_t)n * cap > MAX_CELLS || !charge((uint64_t)n * cap))
            return 0;
        generate_items((int)n, seed, maxw, maxv);
        printf("%s n=%u cap=%u seed=%llu\n", tok[0], n, cap, (unsigned long long)seed);
        if (zo)
            report_zeroone(items, nitems, cap);
        else
            report_unbounded(items, nitems, cap);
        return 1;
    }
    case CMD_LIST:
        if (nt < 3 || nt - 2 > 64 || !to_u32(tok[1], 0, MAX_CAPACITY, &cap))
            return 0;
        nitems = nt - 2;
        for (int i = 0; i < nitems; i++) {
            char *colon = strchr(tok[i + 2], ':');
            if (!colon)
                return 0;
            *colon = '\0';
            if (!to_u32(tok[i + 2], 1, 1000000, &items[i].w) || !to_u32(colon + 1, 0, 1000000, &items[i].v))
                return 0;
            items[i].id = i;
        }
        if (!charge((uint64_t)nitems * (cap + 1)))
            return 0;
        printf("list n=%d cap=%u\n", nitems, cap);
        report_zeroone(items, nitems, cap);
        return 1;
    case CMD_COINS:
        if (nt < 3 || nt - 2 > MAX_COINS || !to_u32(tok[1], 0, 10000000, &amount))
            return 0;
        k = (uint32_t)(nt - 2);
        for (uint32_t i = 0; i < k; i++)
            if (!to_u32(tok[i + 2], 1, 10000000, &coins[i]))
                return 0;
        if (!charge((uint64_t)k * ((uint64_t)amount + 1) * 2))
            return 0;
        printf("coins amount=%u k=%u\n", amount, k);
        report_coins(coins, (int)k, amount);
        return 1;
    case CMD_COINSGEN:
        if (nt != 4 || !to_u32(tok[1], 0, 10000000, &amount) || !to_u32(tok[2], 1, MAX_COINS, &k) ||
            !to_u64(tok[3], &seed))
            return 0;
        if (!charge((uint64_t)k * ((uint64_t)amount + 1) * 2))
            return 0;
        pcg_seed(seed);
        printf("coinsgen amount=%u k=%u seed=%llu coins:", amount, k, (unsigned long long)seed);
        for (uint32_t i = 0; i < k; i++) {
            coins[i] = i == 0 ? range(1, 5) : coins[i - 1] + range(1, 3 + 2 * i);
            printf(" %u", coins[i]);
        }
        printf("\n");
        report_coins(coins, (int)k, amount);
        return 1;
    default:
        return 0;
    }
}

/* Split a line in place at blanks; returns the field count or -1 when there are too many. */
static int split_fields(char *s, char **out, int max) {
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            *s++ = '\0';
        if (!*s)
            return n;
        if (n == max)
            return -1;
        out[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            s++;
    }
}

int main(void) {
    static char line[4096];
    int lineno = 0, done = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin))
            die("line too long");
        char *tok[80];
        int nt = split_fields(line, tok, 80);
        if (nt < 0)
            die("too many fields");
        if (nt == 0 || tok[0][0] == '#')
            continue;
        if (!execute(tok, nt)) {
            fprintf(stderr, "line %d: bad command, arguments or limits\n", lineno);
            return 1;
        }
        done++;
    }
    if (!done)
        die("no commands");
    printf("work=%llu\n", work_done);
    return 0;
}
