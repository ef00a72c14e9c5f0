/* Minimum spanning forests: Kruskal with union-find (path compression + union by rank) and Prim
 * with a binary heap over a CSR adjacency, cross-checked; then bottleneck (minimax) path queries
 * answered with binary lifting on the spanning forest and verified offline with union-find. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_V 200000
#define MAX_E 800000
#define MAX_QUERIES 20000
#define LOG_V 18
#define OFFLINE_CHECKS 24

typedef struct {
    int u, v;
    uint32_t w;
} Edge;

typedef struct {
    int *parent;
    unsigned char *rank;
    int n, sets;
    uint64_t finds;
} UnionFind;

typedef struct {
    int n, m;
    Edge *edges;
} Graph;

typedef struct {
    int *start; /* n + 1 */
    int *to;
    uint32_t *w;
} Csr;

typedef struct {
    uint32_t key;
    int vertex;
} HeapItem;

typedef struct {
    HeapItem *items;
    int size, cap;
} Heap;

static uint64_t prng;

static uint32_t prng_next(void) {
    /* splitmix64 */
    uint64_t z = (prng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 16);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

/* ---------------- union-find ---------------- */

static void uf_init(UnionFind *uf, int n) {
    uf->parent = xmalloc((size_t)n * sizeof(int));
    uf->rank = xmalloc((size_t)n);
    uf->n = uf->sets = n;
    uf->finds = 0;
    for (int i = 0; i < n; i++) {
        uf->parent[i] = i;
        uf->rank[i] = 0;
    }
}

static void uf_free(UnionFind *uf) {
    free(uf->parent);
    free(uf->rank);
}

static int uf_find(UnionFind *uf, int x) {
    uf->finds++;
    int root = x;
    while (uf->parent[root] != root)
        root = uf->parent[root];
    while (uf->parent[x] != root) { /* path compression */
        int next = uf->parent[x];
        uf->parent[x] = root;
        x = next;
    }
    return root;
}

static int uf_union(UnionFind *uf, int a, int b) {
    a = uf_find(uf, a);
    b = uf_find(uf, b);
    if (a == b)
        return 0;
    if (uf->rank[a] < uf->rank[b]) {
        int t = a;
        a = b;
        b = t;
    }
    uf->parent[b] = a;
    if (uf->rank[a] == uf->rank[b])
        uf->rank[a]++;
    uf->sets--;
    return 1;
}

/* ---------------- graph generation ---------------- */

static void graph_alloc(Graph *g, int n, int m) {
    g->n = n;
    g->m = 0;
    g->edges = xmalloc((size_t)m * sizeof(Edge));
}

static void add_edge(Graph *g, int u, int v, uint32_t w) {
    g->edges[g->m].u = u;
    g->edges[g->m].v = v;
    g->edges[g->m].w = w;
    g->m++;
}

static void gen_random(Graph *g, int n, int m, uint32_t maxw) {
    graph_alloc(g, n, m);
    for (int i = 0; i < m; i++) {
        int u = (int)(prng_next() % (uint32_t)n), v = (int)(prng_next() % (uint32_t)n);
        add_edge(g, u, v, 1 + prng_next() % maxw);
    }
}

static void gen_grid(Graph *g, int rows, int cols, uint32_t maxw) {
    graph_alloc(g, rows * cols, 2 * rows * cols);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int id = r * cols + c;
            if (c + 1 < cols)
                add_edge(g, id, id + 1, 1 + prng_next() % maxw);
            if (r + 1 < rows)
                add_edge(g, id, id + cols, 1 + prng_next() % maxw);
        }
}

/* points on a plane, edges to the k following points in x order, weight = squared distance */
static void gen_geometric(Graph *g, int n, int k) {
    int *xs = xmalloc((size_t)n * sizeof(int)), *ys = xmalloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) {
        xs[i] = (int)(prng_next() % 30000u);
        ys[i] = (int)(prng_next() % 30000u);
    }
    graph_alloc(g, n, n * k);
    for (int i = 0; i < n; i++)
        for (int d = 1; d <= k; d++) {
            int j = (i + d * d) % n;
            int64_t dx = xs[i] - xs[j], dy = ys[i] - ys[j];
            add_edge(g, i, j, (uint32_t)(dx * dx + dy * dy));
        }
    free(xs);
    free(ys);
}

/* ---------------- Kruskal ---------------- */

static int edge_cmp(const void *a, const void *b) {
    const Edge *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

typedef struct {
    uint64_t weight;
    int edges_used;
    int components;
    uint64_t finds;
    uint64_t weight_hash; /* order-independent over the chosen weights */
} MstResult;

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static MstResult kruskal(Graph *g, Edge *tree) {
    MstResult res = {0, 0, 0, 0, 0};
    qsort(g->edges, (size_t)g->m, sizeof(Edge), edge_cmp);
    UnionFind uf;
    uf_init(&uf, g->n);
    for (int i = 0; i < g->m && uf.sets > 1; i++) {
        Edge *e = &g->edges[i];
        if (uf_union(&uf, e->u, e->v)) {
            tree[res.edges_used++] = *e;
            res.weight += e->w;
            res.weight_hash += mix64(e->w);
        }
    }
    res.components = uf.sets;
    res.finds = uf.finds;
    uf_free(&uf);
    return res;
}

/* ---------------- Prim ---------------- */

static void build_csr(const Edge *edges, int m, int n, Csr *c) {
    c->start = xmalloc((size_t)(n + 1) * sizeof(int));
    c->to = xmalloc((size_t)2 * m * sizeof(int));
    c->w = xmalloc((size_t)2 * m * sizeof(uint32_t));
    memset(c->start, 0, (size_t)(n + 1) * sizeof(int));
    for (int i = 0; i < m; i++) {
        c->start[edges[i].u + 1]++;
        c->start[edges[i].v + 1]++;
    }
    for (int i = 0; i < n; i++)
        c->start[i + 1] += c->start[i];
    int *fill = xmalloc((size_t)n * sizeof(int));
    memcpy(fill, c->start, (size_t)n * sizeof(int));
    for (int i = 0; i < m; i++) {
        int u = edges[i].u, v = edges[i].v;
        c->to[fill[u]] = v;
        c->w[fill[u]++] = edges[i].w;
        c->to[fill[v]] = u;
        c->w[fill[v]++] = edges[i].w;
    }
    free(fill);
}

static void csr_free(Csr *c) {
    free(c->start);
    free(c->to);
    free(c->w);
}

static void heap_push(Heap *h, uint32_t key, int vertex) {
    if (h->size == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        HeapItem *ni = realloc(h->items, (size_t)h->cap * sizeof(HeapItem));
        if (!ni) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        h->items = ni;
    }
    int i = h->size++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->items[p].key <= key)
            break;
        h->items[i] = h->items[p];
        i = p;
    }
    h->items[i].key = key;
    h->items[i].vertex = vertex;
}

static HeapItem heap_pop(Heap *h) {
    HeapItem top = h->items[0], last = h->items[--h->size];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->size)
            break;
        if (c + 1 < h->size && h->items[c + 1].key < h->items[c].key)
            c++;
        if (last.key <= h->items[c].key)
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->size > 0)
        h->items[i] = last;
    return top;
}

static MstResult prim(const Csr *c, int n) {
    MstResult res = {0, 0, 0, 0, 0};
    unsigned char *done = xmalloc((size_t)n);
    memset(done, 0, (size_t)n);
    Heap h = {NULL, 0, 0};
    for (int s = 0; s < n; s++) {
        if (done[s])
            continue;
        res.components++;
        heap_push(&h, 0, s);
        int first = 1;
        while (h.size > 0) {
            HeapItem it = heap_pop(&h);
            if (done[it.vertex])
                continue;
            done[it.vertex] = 1;
            if (!first) {
                res.weight += it.key;
                res.weight_hash += mix64(it.key);
                res.edges_used++;
            }
            first = 0;
            for (int k = c->start[it.vertex]; k < c->start[it.vertex + 1]; k++)
                if (!done[c->to[k]])
                    heap_push(&h, c->w[k], c->to[k]);
        }
    }
    free(h.items);
    free(done);
    return res;
}

/* ---------------- bottleneck queries on the forest ---------------- */

typedef struct {
    int n;
    int *depth, *comp;
    int (*up)[LOG_V];
    uint32_t (*upmax)[LOG_V];
} Lifting;

static void lifting_build(Lifting *L, const Csr *tree, int n) {
    L->n = n;
    L->depth = xmalloc((size_t)n * sizeof(int));
    L->comp = xmalloc((size_t)n * sizeof(int));
    L->up = xmalloc((size_t)n * sizeof(*L->up));
    L->upmax = xmalloc((size_t)n * sizeof(*L->upmax));
    int *stack = xmalloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++)
        L->comp[i] = -1;
    for (int r = 0; r < n; r++) {
        if (L->comp[r] >= 0)
            continue;
        int sp = 0;
        stack[sp++] = r;
        L->comp[r] = r;
        L->depth[r] = 0;
        L->up[r][0] = r;
        L->upmax[r][0] = 0;
        while (sp > 0) { /* iterative DFS so deep trees are fine */
            int u = stack[--sp];
            for (int k = tree->start[u]; k < tree->start[u + 1]; k++) {
                int v = tree->to[k];
                if (L->comp[v] >= 0)
                    continue;
                L->comp[v] = r;
                L->depth[v] = L->depth[u] + 1;
                L->up[v][0] = u;
                L->upmax[v][0] = tree->w[k];
                stack[sp++] = v;
            }
        }
    }
    free(stack);
    for (int j = 1; j < LOG_V; j++)
        for (int v = 0; v < n; v++) {
            int mid = L->up[v][j - 1];
            L->up[v][j] = L->up[mid][j - 1];
            uint32_t a = L->upmax[v][j - 1], b = L->upmax[mid][j - 1];
            L->upmax[v][j] = a > b ? a : b;
        }
}

static void lifting_free(Lifting *L) {
    free(L->depth);
    free(L->comp);
    free(L->up);
    free(L->upmax);
}

/* maximum edge weight on the forest path u..v, or UINT32_MAX when disconnected */
static uint32_t bottleneck(const Lifting *L, int u, int v) {
    if (L->comp[u] != L->comp[v])
        return UINT32_MAX;
    uint32_t best = 0;
    if (L->depth[u] < L->depth[v]) {
        int t = u;
        u = v;
        v = t;
    }
    int diff = L->depth[u] - L->depth[v];
    for (int j = 0; diff; j++, diff >>= 1)
        if (diff & 1) {
            if (L->upmax[u][j] > best)
                best = L->upmax[u][j];
            u = L->up[u][j];
        }
    if (u == v)
        return best;
    for (int j = LOG_V - 1; j >= 0; j--)
        if (L->up[u][j] != L->up[v][j]) {
            if (L->upmax[u][j] > best)
                best = L->upmax[u][j];
            if (L->upmax[v][j] > best)
                best = L->upmax[v][j];
            u = L->up[u][j];
            v = L->up[v][j];
        }
    if (L->upmax[u][0] > best)
        best = L->upmax[u][0];
    if (L->upmax[v][0] > best)
        best = L->upmax[v][0];
    return best;
}

/* answer queries offline by replaying the sorted edges: the bottleneck is the weight of the
 * edge whose union first connects the pair */
static void offline_bottleneck(const Graph *g, int nq, const int *qu, const int *qv, uint32_t *ans) {
    UnionFind uf;
    uf_init(&uf, g->n);
    for (int q = 0; q < nq; q++)
        ans[q] = qu[q] == qv[q] ? 0 : UINT32_MAX;
    for (int i = 0; i < g->m; i++) {
        if (!uf_union(&uf, g->edges[i].u, g->edges[i].v))
            continue;
        for (int q = 0; q < nq; q++)
            if (ans[q] == UINT32_MAX && uf_find(&uf, qu[q]) == uf_find(&uf, qv[q]))
                ans[q] = g->edges[i].w;
    }
    uf_free(&uf);
}

static void run_case(Graph *g, int nqueries) {
    Edge *tree = xmalloc((size_t)(g->n > 1 ? g->n - 1 : 1) * sizeof(Edge));
    MstResult k = kruskal(g, tree);
    Csr full;
    build_csr(g->edges, g->m, g->n, &full);
    MstResult p = prim(&full, g->n);
    csr_free(&full);
    printf("  kruskal: weight=%llu edges=%d components=%d finds=%llu\n", (unsigned long long)k.weight, k.edges_used,
           k.components, (unsigned long long)k.finds);
    printf("  prim:    weight=%llu edges=%d components=%d %s\n", (unsigned long long)p.weight, p.edges_used,
           p.components,
           (p.weight == k.weight && p.edges_used == k.edges_used && p.weight_hash == k.weight_hash) ? "agree"
                                                                                                    : "DISAGREE");
    Csr tc;
    build_csr(tree, k.edges_used, g->n, &tc);
    Lifting L;
    lifting_build(&L, &tc, g->n);
    int *qu = xmalloc((size_t)nqueries * sizeof(int) + 1), *qv = xmalloc((size_t)nqueries * sizeof(int) + 1);
    uint64_t sum = 0;
    int disconnected = 0;
    uint32_t maxb = 0;
    for (int q = 0; q < nqueries; q++) {
        qu[q] = (int)(prng_next() % (uint32_t)g->n);
        qv[q] = (int)(prng_next() % (uint32_t)g->n);
        uint32_t b = bottleneck(&L, qu[q], qv[q]);
        if (b == UINT32_MAX)
            disconnected++;
        else {
            sum += b;
            if (b > maxb)
                maxb = b;
        }
    }
    int nc = nqueries < OFFLINE_CHECKS ? nqueries : OFFLINE_CHECKS;
    uint32_t ans[OFFLINE_CHECKS];
    offline_bottleneck(g, nc, qu, qv, ans);
    int bad = 0;
    for (int q = 0; q < nc; q++)
        if (ans[q] != bottleneck(&L, qu[q], qv[q]))
            bad++;
    printf("  queries=%d bottleneck_sum=%llu max=%u disconnected=%d offline_mismatch=%d\n", nqueries,
           (unsigned long long)sum, maxb, disconnected, bad);
    free(qu);
    free(qv);
    lifting_free(&L);
    csr_free(&tc);
    free(tree);
}

/* Input: seed, then cases:
 *   random V E MAXW QUERIES | grid ROWS COLS MAXW QUERIES | geometric V K QUERIES
 *   explicit V E QUERIES followed by E triples "u v w" */
int main(void) {
    unsigned long long seed;
    if (scanf("%llu", &seed) != 1) {
        fprintf(stderr, "missing seed\n");
        return 1;
    }
    prng = seed;
    char kind[16];
    int ncase = 0;
    while (scanf("%15s", kind) == 1) {
        Graph g;
        int a, b, q;
        unsigned maxw;
        if (++ncase > 10)
            goto bad;
        if (strcmp(kind, "random") == 0) {
            if (scanf("%d %d %u %d", &a, &b, &maxw, &q) != 4 || a < 1 || a > MAX_V || b < 0 || b > MAX_E || maxw < 1)
                goto bad;
            if (q < 0 || q > MAX_QUERIES)
                goto bad;
            gen_random(&g, a, b, maxw);
        } else if (strcmp(kind, "grid") == 0) {
            if (scanf("%d %d %u %d", &a, &b, &maxw, &q) != 4 || a < 1 || b < 1 || a > MAX_V || b > MAX_V ||
                (long long)a * b > MAX_V || maxw < 1 || q < 0 || q > MAX_QUERIES)
                goto bad;
            gen_grid(&g, a, b, maxw);
        } else if (strcmp(kind, "geometric") == 0) {
            if (scanf("%d %d %d", &a, &b, &q) != 3 || a < 2 || a > MAX_V || b < 1 || b > 8 || q < 0 || q > MAX_QUERIES)
                goto bad;
            gen_geometric(&g, a, b);
        } else if (strcmp(kind, "explicit") == 0) {
            if (scanf("%d %d %d", &a, &b, &q) != 3 || a < 1 || a > MAX_V || b < 0 || b > 10000 || q < 0 ||
                q > MAX_QUERIES)
                goto bad;
            graph_alloc(&g, a, b);
            for (int i = 0; i < b; i++) {
                int u, v;
                unsigned w;
                if (scanf("%d %d %u", &u, &v, &w) != 3 || u < 0 || v < 0 || u >= a || v >= a) {
                    free(g.edges);
                    goto bad;
                }
                add_edge(&g, u, v, w);
            }
        } else {
            goto bad;
        }
        printf("case %d: %s V=%d E=%d\n", ncase, kind, g.n, g.m);
        run_case(&g, q);
        free(g.edges);
    }
    if (ncase == 0)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
