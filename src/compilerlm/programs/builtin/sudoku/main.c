/* Sudoku solver: bitmask candidate tracking, naked/hidden single propagation,
 * and MRV backtracking with solution counting (up to 2 for uniqueness). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PUZZLES 64
#define ALL 0x1FFu

typedef struct {
    uint8_t cell[81];
    uint16_t row[9], col[9], box[9];
    int filled;
} Grid;

static int box_of[81];
static int units[27][9];
static int peers_of_unit[81][3];

static uint64_t nodes;
static uint8_t first_solution[81];
static int solutions_found;

static int popcount9(uint16_t m) {
    int c = 0;
    while (m) {
        m &= (uint16_t)(m - 1);
        c++;
    }
    return c;
}

static int lowbit_digit(uint16_t m) {
    int d = 0;
    while (!(m & 1u)) {
        m >>= 1;
        d++;
    }
    return d + 1;
}

static void init_tables(void) {
    for (int i = 0; i < 81; i++) {
        int r = i / 9, c = i % 9;
        box_of[i] = (r / 3) * 3 + c / 3;
        peers_of_unit[i][0] = r;
        peers_of_unit[i][1] = 9 + c;
        peers_of_unit[i][2] = 18 + box_of[i];
    }
    for (int u = 0; u < 9; u++) {
        for (int k = 0; k < 9; k++) {
            units[u][k] = u * 9 + k;
            units[9 + u][k] = k * 9 + u;
            units[18 + u][k] = ((u / 3) * 3 + k / 3) * 9 + (u % 3) * 3 + k % 3;
        }
    }
}

static uint16_t candidates(const Grid *g, int i) {
    int r = i / 9, c = i % 9;
    return (uint16_t)(ALL & ~(g->row[r] | g->col[c] | g->box[box_of[i]]));
}

/* Place digit d (1..9) at i; returns 0 if it conflicts. */
static int place(Grid *g, int i, int d) {
    uint16_t bit = (uint16_t)(1u << (d - 1));
    int r = i / 9, c = i % 9, b = box_of[i];
    if ((g->row[r] | g->col[c] | g->box[b]) & bit)
        return 0;
    g->cell[i] = (uint8_t)d;
    g->row[r] |= bit;
    g->col[c] |= bit;
    g->box[b] |= bit;
    g->filled++;
    return 1;
}

/* Repeatedly apply naked and hidden singles. Returns 0 on contradiction. */
static int propagate(Grid *g) {
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < 81; i++) {
            if (g->cell[i])
                continue;
            uint16_t m = candidates(g, i);
            if (m == 0)
                return 0;
            if ((m & (m - 1)) == 0) {
                if (!place(g, i, lowbit_digit(m)))
                    return 0;
                changed = 1;
            }
        }
        for (int u = 0; u < 27; u++) {
            for (int d = 1; d <= 9; d++) {
                uint16_t bit = (uint16_t)(1u << (d - 1));
                int where = -1, count = 0, present = 0;
                for (int k = 0; k < 9; k++) {
                    int i = units[u][k];
                    if (g->cell[i] == d) {
                        present = 1;
                        break;
                    }
                    if (!g->cell[i] && (candidates(g, i) & bit)) {
                        where = i;
                        count++;
                    }
                }
                if (present)
                    continue;
                if (count == 0)
                    return 0;
                if (count == 1) {
                    if (!place(g, where, d))
                        return 0;
                    changed = 1;
                }
            }
        }
    }
    return 1;
}

static void search(const Grid *in, int limit) {
    Grid g = *in;
    nodes++;
    if (!propagate(&g))
        return;
    if (g.filled == 81) {
        if (solutions_found == 0)
            memcpy(first_solution, g.cell, 81);
        solutions_found++;
        return;
    }
    int best = -1, best_count = 10;
    for (int i = 0; i < 81; i++) {
        if (g.cell[i])
            continue;
        int c = popcount9(candidates(&g, i));
        if (c < best_count) {
            best_count = c;
            best = i;
            if (c == 2)
                break;
        }
    }
    uint16_t m = candidates(&g, best);
    while (m && solutions_found < limit) {
        int d = lowbit_digit(m);
        m &= (uint16_t)(m - 1);
        Grid next = g;
        if (place(&next, best, d))
            search(&next, limit);
    }
}

static int parse_puzzle(const char *line, Grid *g) {
    memset(g, 0, sizeof *g);
    for (int i = 0; i < 81; i++) {
        char ch = line[i];
        if (ch == '.' || ch == '0')
            continue;
        if (ch < '1' || ch > '9')
            return -1;
        if (!place(g, i, ch - '0'))
            return 0; /* contradictory givens */
    }
    return 1;
}

static int verify(const uint8_t *s, const Grid *given) {
    for (int u = 0; u < 27; u++) {
        uint16_t seen = 0;
        for (int k = 0; k < 9; k++) {
            int v = s[units[u][k]];
            if (v < 1 || v > 9)
                return 0;
            seen |= (uint16_t)(1u << (v - 1));
        }
        if (seen != ALL)
            return 0;
    }
    for (int i = 0; i < 81; i++)
        if (given->cell[i] && given->cell[i] != s[i])
            return 0;
    return 1;
}

static uint64_t grid_hash(const uint8_t *s) {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 81; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int main(void) {
    static char lines[MAX_PUZZLES][128];
    char buf[256];
    long repeat;
    int n = 0;

    init_tables();
    if (!fgets(buf, sizeof buf, stdin) || sscanf(buf, "%ld", &repeat) != 1 || repeat < 1 ||
        repeat > 100000) {
        fprintf(stderr, "error: expected repeat count on first line\n");
        return 1;
    }
    while (fgets(buf, sizeof buf, stdin)) {
        size_t len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        if (len == 0 || buf[0] == '#')
            continue;
        if (len != 81) {
            fprintf(stderr, "error: puzzle line %d has length %zu, expected 81\n", n + 1, len);
            return 1;
        }
        if (n >= MAX_PUZZLES) {
            fprintf(stderr, "error: too many puzzles (max %d)\n", MAX_PUZZLES);
            return 1;
        }
        memcpy(lines[n++], buf, 82);
    }
    if (n == 0) {
        fprintf(stderr, "error: no puzzles\n");
        return 1;
    }

    uint64_t total = 0;
    int printed = 0;
    for (int p = 0; p < n; p++) {
        Grid g;
        int st = parse_puzzle(lines[p], &g);
        if (st < 0) {
            fprintf(stderr, "error: bad character in puzzle %d\n", p + 1);
            return 1;
        }
        if (st == 0) {
            printf("puzzle %d: givens=%d contradictory\n", p + 1, g.filled);
            continue;
        }
        uint64_t per_nodes = 0;
        for (long r = 0; r < repeat; r++) {
            nodes = 0;
            solutions_found = 0;
            search(&g, 2);
            per_nodes = nodes;
        }
        const char *status = solutions_found == 0 ? "none" : solutions_found == 1 ? "unique" : "multiple";
        if (solutions_found == 0) {
            printf("puzzle %d: givens=%d nodes=%llu status=%s\n", p + 1, g.filled,
                   (unsigned long long)per_nodes, status);
            continue;
        }
        if (!verify(first_solution, &g)) {
            fprintf(stderr, "internal error: invalid solution for puzzle %d\n", p + 1);
            return 1;
        }
        uint64_t h = grid_hash(first_solution);
        total = total * 31 + h;
        printf("puzzle %d: givens=%d nodes=%llu status=%s hash=%016llx\n", p + 1, g.filled,
               (unsigned long long)per_nodes, status, (unsigned long long)h);
        if (!printed) {
            printed = 1;
            for (int r = 0; r < 9; r++) {
                for (int c = 0; c < 9; c++)
                    putchar('0' + first_solution[r * 9 + c]);
                putchar('\n');
            }
        }
    }
    printf("combined=%016llx\n", (unsigned long long)total);
    return 0;
}
