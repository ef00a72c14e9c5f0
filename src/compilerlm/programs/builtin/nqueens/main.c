/* N-queens: bitmask counting with mirror symmetry, plain array backtracking, brute force over
 * permutations, fundamental solutions under the dihedral group, boards with blocked squares,
 * and the lexicographically first solution. Methods are cross-checked where they overlap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 32
#define MAX_BITMASK_N 15
#define MAX_PLAIN_N 12
#define MAX_PERM_N 9
#define MAX_UNIQUE_N 10
#define MAX_COMMANDS 12

typedef enum { CMD_COUNT, CMD_PLAIN, CMD_PERM, CMD_UNIQUE, CMD_BLOCKED, CMD_FIRST, CMD_ALL, CMD_INVALID } CommandKind;

typedef struct {
    const char *name;
    CommandKind kind;
    int max_n;
} CommandInfo;

static const CommandInfo command_table[] = {
    {"count", CMD_COUNT, MAX_BITMASK_N}, {"plain", CMD_PLAIN, MAX_PLAIN_N},   {"perm", CMD_PERM, MAX_PERM_N},
    {"unique", CMD_UNIQUE, MAX_UNIQUE_N}, {"blocked", CMD_BLOCKED, 14},      {"first", CMD_FIRST, 29},
    {"all", CMD_ALL, MAX_PERM_N},
};

/* ---------------- bitmask solver ---------------- */

static uint64_t nodes_visited;

static uint64_t bitmask_rec(uint32_t full, uint32_t cols, uint32_t ld, uint32_t rd) {
    if (cols == full)
        return 1;
    uint64_t total = 0;
    uint32_t avail = full & ~(cols | ld | rd);
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        nodes_visited++;
        total += bitmask_rec(full, cols | bit, ((ld | bit) << 1) & full, (rd | bit) >> 1);
    }
    return total;
}

/* use left/right mirror symmetry: place the first queen in the left half only */
static uint64_t count_bitmask(int n) {
    uint32_t full = (1u << n) - 1u;
    uint64_t total = 0;
    for (int c = 0; c < n / 2; c++) {
        uint32_t bit = 1u << c;
        total += bitmask_rec(full, bit, (bit << 1) & full, bit >> 1);
    }
    total *= 2;
    if (n & 1) {
        uint32_t bit = 1u << (n / 2);
        total += bitmask_rec(full, bit, (bit << 1) & full, bit >> 1);
    }
    return total;
}

/* board with blocked squares: blocked[r] has bit c set if (r,c) may not hold a queen */
static uint64_t blocked_rec(int n, int row, const uint32_t *blocked, uint32_t cols, uint32_t ld, uint32_t rd) {
    if (row == n)
        return 1;
    uint32_t full = (1u << n) - 1u;
    uint32_t avail = full & ~(cols | ld | rd | blocked[row]);
    uint64_t total = 0;
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        total += blocked_rec(n, row + 1, blocked, cols | bit, ((ld | bit) << 1) & full, (rd | bit) >> 1);
    }
    return total;
}

/* ---------------- plain backtracking ---------------- */

static int queen_col[MAX_N];
static int col_used[MAX_N], diag1_used[2 * MAX_N], diag2_used[2 * MAX_N];

static uint64_t plain_rec(int n, int row) {
    if (row == n)
        return 1;
    uint64_t total = 0;
    for (int c = 0; c < n; c++) {
        if (col_used[c] || diag1_used[row + c] || diag2_used[row - c + n - 1])
            continue;
        col_used[c] = diag1_used[row + c] = diag2_used[row - c + n - 1] = 1;
        queen_col[row] = c;
        total += plain_rec(n, row + 1);
        col_used[c] = diag1_used[row + c] = diag2_used[row - c + n - 1] = 0;
    }
    return total;
}

static uint64_t count_plain(int n) {
    memset(col_used, 0, sizeof col_used);
    memset(diag1_used, 0, sizeof diag1_used);
    memset(diag2_used, 0, sizeof diag2_used);
    return plain_rec(n, 0);
}

/* ---------------- permutations ---------------- */

static int perm_is_solution(const int *p, int n) {
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (abs(p[i] - p[j]) == j - i)
                return 0;
    return 1;
}

/* lexicographic next permutation; returns 0 after the last one */
static int next_permutation(int *p, int n) {
    int i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (p[j] <= p[i])
        j--;
    int t = p[i];
    p[i] = p[j];
    p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) {
        t = p[a];
        p[a] = p[b];
        p[b] = t;
    }
    return 1;
}

typedef void (*SolutionVisitor)(const int *p, int n, void *ctx);

static uint64_t for_each_solution_perm(int n, SolutionVisitor visit, void *ctx) {
    int p[MAX_N];
    uint64_t count = 0;
    for (int i = 0; i < n; i++)
        p[i] = i;
    do {
        if (perm_is_solution(p, n)) {
            count++;
            if (visit)
                visit(p, n, ctx);
        }
    } while (next_permutation(p, n));
    return count;
}

/* ---------------- symmetry classes ---------------- */

typedef struct {
    uint64_t *keys;
    size_t count, cap;
} KeySet;

static uint64_t encode(const int *p, int n) {
    uint64_t k = 0;
    for (int i = 0; i < n; i++)
        k = k * 16 + (uint64_t)p[i];
    return k;
}

/* apply one of the 8 symmetries of the square to permutation p */
static void transform(const int *p, int *out, int n, int sym) {
    for (int r = 0; r < n; r++) {
        int c = p[r], nr, nc;
        switch (sym) {
        case 0: nr = r; nc = c; break;
        case 1: nr = c; nc = n - 1 - r; break;
        case 2: nr = n - 1 - r; nc = n - 1 - c; break;
        case 3: nr = n - 1 - c; nc = r; break;
        case 4: nr = r; nc = n - 1 - c; break;
        case 5: nr = n - 1 - r; nc = c; break;
        case 6: nr = c; nc = r; break;
        default: nr = n - 1 - c; nc = n - 1 - r; break;
        }
        out[nr] = nc;
    }
}

static void collect_canonical(const int *p, int n, void *ctx) {
    KeySet *set = ctx;
    uint64_t best = UINT64_MAX;
    int t[MAX_N];
    for (int s = 0; s < 8; s++) {
        transform(p, t, n, s);
        uint64_t k = encode(t, n);
        if (k < best)
            best = k;
    }
    for (size_t i = 0; i < set->count; i++)
        if (set->keys[i] == best)
            return;
    if (set->count == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        uint64_t *nk = realloc(set->keys, set->cap * sizeof(uint64_t));
        if (!nk) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        set->keys = nk;
    }
    set->keys[set->count++] = best;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    uint64_t hash;
    int printed;
} PrintCtx;

static void print_solution(const int *p, int n, void *ctx) {
    PrintCtx *pc = ctx;
    pc->hash = pc->hash * 1000003u + encode(p, n);
    if (pc->printed < 3) {
        printf("   ");
        for (int i = 0; i < n; i++)
            printf(" %c", 'a' + p[i]);
        printf("\n");
        pc->printed++;
    }
}

/* first solution in lexicographic order via plain backtracking that stops early */
static int first_rec(int n, int row) {
    if (row == n)
        return 1;
    for (int c = 0; c < n; c++) {
        if (col_used[c] || diag1_used[row + c] || diag2_used[row - c + n - 1])
            continue;
        col_used[c] = diag1_used[row + c] = diag2_used[row - c + n - 1] = 1;
        queen_col[row] = c;
        nodes_visited++;
        if (first_rec(n, row + 1))
            return 1;
        col_used[c] = diag1_used[row + c] = diag2_used[row - c + n - 1] = 0;
    }
    return 0;
}

static uint32_t lcg;
static uint32_t lcg_next(void) {
    lcg = lcg * 1103515245u + 12345u;
    return (lcg >> 16) & 0x7fffu;
}

static void run_command(CommandKind kind, int n, unsigned arg) {
    switch (kind) {
    case CMD_COUNT: {
        nodes_visited = 0;
        uint64_t c = count_bitmask(n);
        printf("count %d: %llu solutions (%llu nodes)\n", n, (unsigned long long)c, (unsigned long long)nodes_visited);
        if (n <= MAX_PLAIN_N) {
            uint64_t p = count_plain(n);
            printf("  plain check: %s\n", p == c ? "ok" : "MISMATCH");
        }
        break;
    }
    case CMD_PLAIN:
        printf("plain %d: %llu solutions\n", n, (unsigned long long)count_plain(n));
        break;
    case CMD_PERM: {
        uint64_t c = for_each_solution_perm(n, NULL, NULL);
        printf("perm %d: %llu solutions, bitmask %s\n", n, (unsigned long long)c, c == count_bitmask(n) ? "agrees" : "DISAGREES");
        break;
    }
    case CMD_UNIQUE: {
        KeySet set = {NULL, 0, 0};
        uint64_t total = for_each_solution_perm(n, collect_canonical, &set);
        if (set.count)
            qsort(set.keys, set.count, sizeof(uint64_t), cmp_u64);
        printf("unique %d: %zu fundamental of %llu total", n, set.count, (unsigned long long)total);
        if (set.count)
            printf(", smallest key %llx", (unsigned long long)set.keys[0]);
        printf("\n");
        free(set.keys);
        break;
    }
    case CMD_BLOCKED: {
        uint32_t blocked[MAX_N] = {0};
        lcg = arg;
        int nblocked = 0;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                if (lcg_next() % 100u < 12u) {
                    blocked[r] |= 1u << c;
                    nblocked++;
                }
        uint64_t c = blocked_rec(n, 0, blocked, 0, 0, 0);
        printf("blocked %d seed %u: %d squares blocked, %llu solutions\n", n, arg, nblocked, (unsigned long long)c);
        break;
    }
    case CMD_FIRST: {
        memset(col_used, 0, sizeof col_used);
        memset(diag1_used, 0, sizeof diag1_used);
        memset(diag2_used, 0, sizeof diag2_used);
        nodes_visited = 0;
        if (first_rec(n, 0)) {
            printf("first %d (%llu placements):", n, (unsigned long long)nodes_visited);
            for (int i = 0; i < n; i++)
                printf(" %d", queen_col[i]);
            printf("\n");
        } else {
            printf("first %d: none\n", n);
        }
        break;
    }
    case CMD_ALL: {
        PrintCtx pc = {0, 0};
        printf("all %d:\n", n);
        uint64_t c = for_each_solution_perm(n, print_solution, &pc);
        printf("  %llu listed, hash %016llx\n", (unsigned long long)c, (unsigned long long)pc.hash);
        break;
    }
    case CMD_INVALID:
        break;
    }
}

/* Input: commands "NAME N" (blocked takes an extra seed: "blocked N SEED"). */
int main(void) {
    char name[16];
    int ncmd = 0;
    int r;
    while ((r = scanf("%15s", name)) == 1) {
        const CommandInfo *info = NULL;
        for (size_t i = 0; i < sizeof(command_table) / sizeof(command_table[0]); i++)
            if (strcmp(command_table[i].name, name) == 0)
                info = &command_table[i];
        int n;
        unsigned arg = 0;
        if (!info || scanf("%d", &n) != 1 || n < 1 || n > info->max_n ||
            (info->kind == CMD_BLOCKED && scanf("%u", &arg) != 1) || ++ncmd > MAX_COMMANDS) {
            fprintf(stderr, "bad command\n");
            return 1;
        }
        run_command(info->kind, n, arg);
    }
    if (ncmd == 0) {
        fprintf(stderr, "no commands\n");
        return 1;
    }
    return 0;
}
