/* Maximum flow (Dinic and Edmonds-Karp, cross-checked with a min-cut certificate and flow
 * conservation) on generated networks, and maximum bipartite matching solved both as a unit
 * capacity flow and with Kuhn's augmenting paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

#define MAX_VERTICES 200000
#define MAX_EDGES 1000000
#define EK_LIMIT_EDGES 60000
#define EK_BUDGET 8000000
#define MAX_CASES 12
#define MAX_GRID_CELLS 40000

typedef enum { NET_LAYERED, NET_RANDOM, NET_GRID, NET_BIPARTITE } NetKind;

static const char *const net_names[] = {"layered", "random", "grid", "bipartite"};

typedef struct {
    NetKind kind;
    int a, b, c;
    uint32_t maxcap;
} CaseSpec;

/* layers of `width` vertices; source feeds layer 0, last layer feeds sink */
static void build_layered(FlowGraph *g, int layers, int width, int degree, uint32_t maxcap, int *s, int *t) {
    int n = layers * width + 2;
    graph_init(g, n, layers * width * degree + 2 * width);
    *s = n - 2;
    *t = n - 1;
    for (int i = 0; i < width; i++) {
        graph_add_edge(g, *s, i, (int64_t)maxcap * degree);
        graph_add_edge(g, (layers - 1) * width + i, *t, (int64_t)maxcap * degree);
    }
    for (int l = 0; l + 1 < layers; l++)
        for (int i = 0; i < width; i++)
            for (int d = 0; d < degree; d++) {
                int j = (int)(gen_next() % (uint32_t)width);
                graph_add_edge(g, l * width + i, (l + 1) * width + j, 1 + gen_next() % maxcap);
            }
}

static void build_random(FlowGraph *g, int n, int m, uint32_t maxcap, int *s, int *t) {
    graph_init(g, n, m);
    *s = 0;
    *t = n - 1;
    for (int i = 0; i < m; i++) {
        int u = (int)(gen_next() % (uint32_t)n), v = (int)(gen_next() % (uint32_t)n);
        if (u == v)
            v = (v + 1) % n;
        graph_add_edge(g, u, v, 1 + gen_next() % maxcap);
    }
}

/* rows x cols grid with 4-neighbour arcs; super source on the left column, sink on the right */
static void build_grid(FlowGraph *g, int rows, int cols, uint32_t maxcap, int *s, int *t) {
    int n = rows * cols + 2;
    graph_init(g, n, rows * cols * 4 + 2 * rows);
    *s = n - 2;
    *t = n - 1;
    static const int dr[4] = {0, 1, 0, -1}, dc[4] = {1, 0, -1, 0};
    for (int r = 0; r < rows; r++) {
        graph_add_edge(g, *s, r * cols, (int64_t)maxcap * 4);
        graph_add_edge(g, r * cols + cols - 1, *t, (int64_t)maxcap * 4);
        for (int c = 0; c < cols; c++)
            for (int d = 0; d < 4; d++) {
                int nr = r + dr[d], nc = c + dc[d];
                if (nr < 0 || nr >= rows || nc < 0 || nc >= cols)
                    continue;
                graph_add_edge(g, r * cols + c, nr * cols + nc, 1 + gen_next() % maxcap);
            }
    }
}

static void report_flow(const char *name, FlowResult r) {
    printf("  %-13s flow=%lld phases=%d augments=%lld%s\n", name, (long long)r.value, r.phases, (long long)r.augments,
           r.complete ? "" : " (gave up: work budget)");
}

static void run_network(const CaseSpec *cs) {
    FlowGraph g;
    int s, t;
    switch (cs->kind) {
    case NET_LAYERED:
        build_layered(&g, cs->a, cs->b, cs->c, cs->maxcap, &s, &t);
        break;
    case NET_RANDOM:
        build_random(&g, cs->a, cs->b, cs->maxcap, &s, &t);
        break;
    case NET_GRID:
    default:
        build_grid(&g, cs->a, cs->b, cs->maxcap, &s, &t);
        break;
    }
    printf("  vertices=%d arcs=%d\n", g.n, g.arcs);
    static const struct {
        const char *name;
        MaxFlowFn fn;
    } algos[] = {{"dinic", dinic}, {"edmonds-karp", edmonds_karp}};
    int64_t first = -1;
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
        if (i > 0 && g.arcs / 2 > EK_LIMIT_EDGES) {
            printf("  %-13s skipped (network too large)\n", algos[i].name);
            continue;
        }
        graph_reset(&g);
        FlowResult r = algos[i].fn(&g, s, t);
        report_flow(algos[i].name, r);
        if (!r.complete)
            continue;
        int side;
        int64_t cut = min_cut(&g, s, &side);
        printf("    min-cut=%lld source-side=%d conserved=%s %s\n", (long long)cut, side,
               flow_is_conserved(&g, s, t) ? "yes" : "no", cut == r.value ? "certified" : "NOT-OPTIMAL");
        if (first < 0)
            first = r.value;
        else if (first != r.value)
            printf("    ALGORITHMS DISAGREE\n");
    }
    graph_free(&g);
}

/* left vertices 0..nl-1, right 0..nr-1, each left vertex gets `deg` random neighbours */
static void run_bipartite(int nl, int nr, int deg) {
    int *start = xmalloc((size_t)(nl + 1) * sizeof(int));
    int *adj = xmalloc((size_t)nl * deg * sizeof(int) + 1);
    int m = 0;
    for (int u = 0; u < nl; u++) {
        start[u] = m;
        /* skew: some left vertices only see a small prefix of the right side */
        uint32_t range = (u % 3 == 0) ? (uint32_t)(nr / 4 + 1) : (uint32_t)nr;
        for (int d = 0; d < deg; d++)
            adj[m++] = (int)(gen_next() % range);
    }
    start[nl] = m;
    FlowGraph g;
    graph_init(&g, nl + nr + 2, m + nl + nr);
    int s = nl + nr, t = nl + nr + 1;
    for (int u = 0; u < nl; u++) {
        graph_add_edge(&g, s, u, 1);
        for (int k = start[u]; k < start[u + 1]; k++)
            graph_add_edge(&g, u, nl + adj[k], 1);
    }
    for (int v = 0; v < nr; v++)
        graph_add_edge(&g, nl + v, t, 1);
    FlowResult fr = dinic(&g, s, t);
    int *match_right = xmalloc((size_t)nr * sizeof(int));
    int km = kuhn_matching(nl, nr, start, adj, match_right);
    uint64_t h = 1469598103934665603ull;
    int matched_right = 0;
    for (int v = 0; v < nr; v++) {
        if (match_right[v] >= 0)
            matched_right++;
        h = (h ^ (uint64_t)(match_right[v] + 1)) * 1099511628211ull;
    }
    printf("  left=%d right=%d edges=%d\n", nl, nr, m);
    printf("  dinic matching=%lld phases=%d, kuhn matching=%d (%d right matched) hash=%016llx %s\n",
           (long long)fr.value, fr.phases, km, matched_right, (unsigned long long)h,
           fr.value == km ? "agree" : "DISAGREE");
    free(match_right);
    graph_free(&g);
    free(start);
    free(adj);
}

static int parse_case(CaseSpec *cs) {
    char name[16];
    if (scanf("%15s", name) != 1)
        return 0;
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, net_names[i]) == 0)
            k = i;
    if (k < 0)
        return -1;
    cs->kind = (NetKind)k;
    cs->c = 0;
    cs->maxcap = 1;
    long long a, b, c = 1, cap = 1;
    switch (cs->kind) {
    case NET_LAYERED: /* layered LAYERS WIDTH DEGREE MAXCAP */
        if (scanf("%lld %lld %lld %lld", &a, &b, &c, &cap) != 4 || a < 2 || b < 1 || c < 1 || c > 16 ||
            a * b > MAX_VERTICES || a * b * c > MAX_EDGES)
            return -1;
        break;
    case NET_RANDOM: /* random V E MAXCAP */
        if (scanf("%lld %lld %lld", &a, &b, &cap) != 3 || a < 2 || a > MAX_VERTICES || b < 0 || b > MAX_EDGES)
            return -1;
        break;
    case NET_GRID: /* grid ROWS COLS MAXCAP */
        if (scanf("%lld %lld %lld", &a, &b, &cap) != 3 || a < 1 || b < 1 || a > MAX_VERTICES || b > MAX_VERTICES ||
            a * b > MAX_GRID_CELLS)
            return -1;
        break;
    case NET_BIPARTITE: /* bipartite LEFT RIGHT DEGREE */
    default:
        if (scanf("%lld %lld %lld", &a, &b, &c) != 3 || a < 1 || b < 1 || c < 1 || c > 32 || a > 20000 ||
            b > 20000 || a * c > MAX_EDGES)
            return -1;
        break;
    }
    if (cap < 1 || cap > 1000000000)
        return -1;
    cs->a = (int)a;
    cs->b = (int)b;
    cs->c = (int)c;
    cs->maxcap = (uint32_t)cap;
    return 1;
}

/* Input: SEED, then cases (see parse_case). */
int main(void) {
    unsigned long long seed;
    if (scanf("%llu", &seed) != 1) {
        fprintf(stderr, "missing seed\n");
        return 1;
    }
    gen_seed(seed);
    edmonds_karp_set_budget(EK_BUDGET);
    CaseSpec cs;
    int r, ncase = 0;
    while ((r = parse_case(&cs)) == 1) {
        if (++ncase > MAX_CASES)
            break;
        printf("case %d: %s %d %d %d cap<=%u\n", ncase, net_names[cs.kind], cs.a, cs.b, cs.c, cs.maxcap);
        if (cs.kind == NET_BIPARTITE)
            run_bipartite(cs.a, cs.b, cs.c);
        else
            run_network(&cs);
    }
    if (r < 0 || ncase == 0 || ncase > MAX_CASES) {
        fprintf(stderr, "malformed input\n");
        return 1;
    }
    return 0;
}
