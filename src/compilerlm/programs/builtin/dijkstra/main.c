/* Graph shortest paths.
 *
 * Input lines (a graph command replaces the current graph):
 *   graph random <n> <m> <seed> <maxw>       n nodes, m random directed edges with weights 1..maxw
 *   graph grid <rows> <cols> <seed> <maxw>   4-neighbour grid, about 1/8 of the cells are walls
 *   graph edges <n>                          following "edge <u> <v> <w>" lines add directed edges
 *   edge <u> <v> <w>
 *   dijkstra <src>                           distances from src with a binary heap
 *   bfs <src>                                hop counts from src
 *   verify <src>                             heap Dijkstra against the O(n^2) array version
 *   sources <k> <seed>                       Dijkstra from k random sources, one checksum
 *   path <src> <dst>                         shortest path, printed node by node (up to 40 hops)
 * '#' starts a comment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 300000u
#define MAX_EDGES 1500000u
#define MAX_WORK 400000000ULL /* weighted work units over the whole input */
#define INF UINT64_MAX
#define NONE UINT32_MAX

typedef struct {
    uint32_t from, to, w;
} Edge;

typedef struct {
    uint32_t n;
    uint32_t *offset; /* n + 1 entries */
    uint32_t *target;
    uint32_t *weight;
    Edge *pending; /* edges not yet compiled into CSR form */
    uint32_t npending, cap_pending;
    int dirty;
} Graph;

typedef struct {
    uint32_t *nodes; /* heap array of node ids */
    uint32_t *pos;   /* position of each node in the heap, NONE if absent */
    const uint64_t *key;
    uint32_t size;
} IndexHeap;

static Graph g;
static uint64_t *dist;
static uint32_t *parent;
static unsigned long long work;

static void die(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static int charge(unsigned long long w) {
    work += w;
    return work <= MAX_WORK;
}

/* ---------- PRNG (xoshiro128**) ---------- */

static uint32_t xs[4];

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static uint32_t xoshiro(void) {
    uint32_t r = rotl(xs[1] * 5u, 7) * 9u;
    uint32_t t = xs[1] << 9;
    xs[2] ^= xs[0];
    xs[3] ^= xs[1];
    xs[1] ^= xs[2];
    xs[0] ^= xs[3];
    xs[2] ^= t;
    xs[3] = rotl(xs[3], 11);
    return r;
}

static void xoshiro_seed(uint64_t seed) {
    for (int i = 0; i < 4; i++) {
        seed += 0x9E3779B97F4A7C15ULL;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        xs[i] = (uint32_t)(z ^ (z >> 31));
    }
    if (!(xs[0] | xs[1] | xs[2] | xs[3]))
        xs[0] = 1;
}

/* ---------- graph construction ---------- */

static void graph_clear(uint32_t n) {
    free(g.offset);
    free(g.target);
    free(g.weight);
    free(g.pending);
    free(dist);
    free(parent);
    memset(&g, 0, sizeof g);
    g.n = n;
    g.dirty = 1;
    dist = xmalloc((size_t)n * sizeof *dist);
    parent = xmalloc((size_t)n * sizeof *parent);
}

static void graph_add(uint32_t u, uint32_t v, uint32_t w) {
    if (g.npending == g.cap_pending) {
        uint32_t cap = g.cap_pending ? g.cap_pending * 2 : 1024;
        Edge *p = realloc(g.pending, (size_t)cap * sizeof *p);
        if (!p)
            die("out of memory");
        g.pending = p;
        g.cap_pending = cap;
    }
    g.pending[g.npending++] = (Edge){u, v, w};
    g.dirty = 1;
}

/* Counting sort of the edge list by source into CSR arrays. */
static void graph_compile(void) {
    if (!g.dirty)
        return;
    free(g.offset);
    free(g.target);
    free(g.weight);
    g.offset = calloc((size_t)g.n + 1, sizeof *g.offset);
    g.target = xmalloc((size_t)g.npending * sizeof *g.target);
    g.weight = xmalloc((size_t)g.npending * sizeof *g.weight);
    if (!g.offset)
        die("out of memory");
    for (uint32_t i = 0; i < g.npending; i++)
        g.offset[g.pending[i].from + 1]++;
    for (uint32_t v = 0; v < g.n; v++)
        g.offset[v + 1] += g.offset[v];
    uint32_t *fill = xmalloc((size_t)g.n * sizeof *fill);
    memcpy(fill, g.offset, (size_t)g.n * sizeof *fill);
    for (uint32_t i = 0; i < g.npending; i++) {
        uint32_t at = fill[g.pending[i].from]++;
        g.target[at] = g.pending[i].to;
        g.weight[at] = g.pending[i].w;
    }
    free(fill);
    g.dirty = 0;
}

static void build_random(uint32_t n, uint32_t m, uint64_t seed, uint32_t maxw) {
    graph_clear(n);
    xoshiro_seed(seed);
    /* a sparse backbone: every node except the last few links forward to a nearby node */
    for (uint32_t v = 0; v + 1 < n && v < m / 2; v++) {
        uint32_t hop = 1 + xoshiro() % (n - v - 1 < 8 ? n - v - 1 : 8);
        uint32_t w = 1 + xoshiro() % maxw; /* separate statements: argument order is unspecified */
        graph_add(v, v + hop, w);
    }
    while (g.npending < m) {
        uint32_t u = xoshiro() % n, v = xoshiro() % n;
        if (u != v)
            graph_add(u, v, 1 + xoshiro() % maxw);
    }
}

static void build_grid(uint32_t rows, uint32_t cols, uint64_t seed, uint32_t maxw) {
    static const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    graph_clear(rows * cols);
    xoshiro_seed(seed);
    uint8_t *wall = xmalloc((size_t)rows * cols);
    uint32_t *cost = xmalloc((size_t)rows * cols * sizeof *cost);
    for (uint32_t i = 0; i < rows * cols; i++) {
        wall[i] = i != 0 && xoshiro() % 8 == 0;
        cost[i] = 1 + xoshiro() % maxw;
    }
    for (uint32_t r = 0; r < rows; r++) {
        for (uint32_t c = 0; c < cols; c++) {
            uint32_t u = r * cols + c;
            if (wall[u])
                continue;
            for (int d = 0; d < 4; d++) {
                int64_t nr = (int64_t)r + dr[d], nc = (int64_t)c + dc[d];
                if (nr < 0 || nc < 0 || nr >= rows || nc >= cols)
                    continue;
                uint32_t v = (uint32_t)nr * cols + (uint32_t)nc;
                if (!wall[v])
                    graph_add(u, v, cost[v]); /* entering a cell costs that cell's weight */
            }
        }
    }
    free(wall);
    free(cost);
}

/* ---------- indexed binary heap ---------- */

static void heap_swap(IndexHeap *h, uint32_t i, uint32_t j) {
    uint32_t a = h->nodes[i], b = h->nodes[j];
    h->nodes[i] = b;
    h->nodes[j] = a;
    h->pos[b] = i;
    h->pos[a] = j;
}

static void heap_up(IndexHeap *h, uint32_t i) {
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (h->key[h->nodes[p]] <= h->key[h->nodes[i]])
            break;
        heap_swap(h, i, p);
        i = p;
    }
}

static void heap_down(IndexHeap *h, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && h->key[h->nodes[l]] < h->key[h->nodes[m]])
            m = l;
        if (r < h->size && h->key[h->nodes[r]] < h->key[h->nodes[m]])
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

static void heap_push_or_decrease(IndexHeap *h, uint32_t v) {
    if (h->pos[v] == NONE) {
        h->nodes[h->size] = v;
        h->pos[v] = h->size++;
    }
    heap_up(h, h->pos[v]);
}

static uint32_t heap_pop(IndexHeap *h) {
    uint32_t top = h->nodes[0];
    heap_swap(h, 0, h->size - 1);
    h->size--;
    h->pos[top] = NONE;
    if (h->size)
        heap_down(h, 0);
    return top;
}

/* ---------- algorithms ---------- */

static uint64_t heap_ops;

static void dijkstra(uint32_t src) {
    IndexHeap h;
    h.nodes = xmalloc((size_t)g.n * sizeof *h.nodes);
    h.pos = xmalloc((size_t)g.n * sizeof *h.pos);
    h.key = dist;
    h.size = 0;
    for (uint32_t v = 0; v < g.n; v++) {
        dist[v] = INF;
        parent[v] = NONE;
        h.pos[v] = NONE;
    }
    dist[src] = 0;
    heap_push_or_decrease(&h, src);
    heap_ops = 1;
    while (h.size) {
        uint32_t u = heap_pop(&h);
        for (uint32_t e = g.offset[u]; e < g.offset[u + 1]; e++) {
            uint32_t v = g.target[e];
            uint64_t nd = dist[u] + g.weight[e];
            if (nd < dist[v]) {
                dist[v] = nd;
                parent[v] = u;
                heap_push_or_decrease(&h, v);
                heap_ops++;
            }
        }
    }
    free(h.nodes);
    free(h.pos);
}

static uint64_t *dense_dijkstra(uint32_t src) {
    uint64_t *d = xmalloc((size_t)g.n * sizeof *d);
    uint8_t *done = calloc(g.n, 1);
    if (!done)
        die("out of memory");
    for (uint32_t v = 0; v < g.n; v++)
        d[v] = INF;
    d[src] = 0;
    for (;;) {
        uint32_t u = NONE;
        for (uint32_t v = 0; v < g.n; v++)
            if (!done[v] && d[v] != INF && (u == NONE || d[v] < d[u]))
                u = v;
        if (u == NONE)
            break;
        done[u] = 1;
        for (uint32_t e = g.offset[u]; e < g.offset[u + 1]; e++)
            if (d[u] + g.weight[e] < d[g.target[e]])
                d[g.target[e]] = d[u] + g.weight[e];
    }
    free(done);
    return d;
}

static void summarize(const char *label, uint32_t src) {
    uint64_t sum = 0, hash = 0;
    uint64_t far = 0;
    uint32_t reached = 0, far_node = src;
    for (uint32_t v = 0; v < g.n; v++) {
        if (dist[v] == INF)
            continue;
        reached++;
        sum += dist[v];
        hash = (hash ^ (dist[v] + v)) * 0x100000001B3ULL;
        if (dist[v] > far) {
            far = dist[v];
            far_node = v;
        }
    }
    printf("%s %u: reached=%u sum=%llu max=%llu at=%u hash=%016llx\n", label, src, reached, (unsigned long long)sum,
           (unsigned long long)far, far_node, (unsigned long long)hash);
}

static void bfs(uint32_t src) {
    uint32_t *queue = xmalloc((size_t)g.n * sizeof *queue);
    uint32_t head = 0, tail = 0, levels = 0;
    uint32_t level_count[64] = {0};
    for (uint32_t v = 0; v < g.n; v++)
        dist[v] = INF;
    dist[src] = 0;
    queue[tail++] = src;
    while (head < tail) {
        uint32_t u = queue[head++];
        if (dist[u] + 1 > levels)
            levels = (uint32_t)dist[u] + 1;
        level_count[dist[u] < 63 ? dist[u] : 63]++;
        for (uint32_t e = g.offset[u]; e < g.offset[u + 1]; e++) {
            uint32_t v = g.target[e];
            if (dist[v] == INF) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    summarize("bfs", src);
    printf("  levels=%u widths:", levels);
    for (uint32_t l = 0; l < levels && l < 12; l++)
        printf(" %u", level_count[l]);
    printf("\n");
    free(queue);
}

static void print_path(uint32_t src, uint32_t dst) {
    dijkstra(src);
    if (dist[dst] == INF) {
        printf("path %u -> %u: unreachable\n", src, dst);
        return;
    }
    uint32_t hops = 0;
    for (uint32_t v = dst; v != src; v = parent[v])
        hops++;
    printf("path %u -> %u: cost=%llu hops=%u:", src, dst, (unsigned long long)dist[dst], hops);
    /* print from the source side: walk back into a small buffer */
    uint32_t shown[41];
    uint32_t k = 0, skip = hops > 40 ? hops - 40 : 0;
    for (uint32_t v = dst, i = 0; i <= hops; v = parent[v], i++)
        if (i >= skip) /* keep the 40 hops nearest the source */
            if (k < 41)
                shown[k++] = v;
    /* shown holds nodes from dst backwards; the last ones are nearest the source */
    for (uint32_t i = k; i-- > 0;)
        printf(" %u", shown[i]);
    printf("%s\n", hops > 40 ? " ..." : "");
}

/* ---------- parsing ---------- */

static int num(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t v = 0;
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int run(char **t, int nt) {
    uint64_t a, b, c, d;
    if (strcmp(t[0], "graph") == 0 && nt >= 3) {
        if (strcmp(t[1], "random") == 0 && nt == 6 && num(t[2], 2, MAX_NODES, &a) && num(t[3], 1, MAX_EDGES, &b) &&
            num(t[4], 0, UINT64_MAX / 2, &c) && num(t[5], 1, 1000000, &d) && charge(a + b)) {
            build_random((uint32_t)a, (uint32_t)b, c, (uint32_t)d);
        } else if (strcmp(t[1], "grid") == 0 && nt == 6 && num(t[2], 1, 2000, &a) && num(t[3], 1, 2000, &b) &&
                   a * b <= MAX_NODES && num(t[4], 0, UINT64_MAX / 2, &c) && num(t[5], 1, 1000000, &d) &&
                   charge(a * b * 5)) {
            build_grid((uint32_t)a, (uint32_t)b, c, (uint32_t)d);
        } else if (strcmp(t[1], "edges") == 0 && nt == 3 && num(t[2], 1, MAX_NODES, &a) && charge(a)) {
            graph_clear((uint32_t)a);
        } else {
            return 0;
        }
        graph_compile();
        printf("graph %s: nodes=%u edges=%u\n", t[1], g.n, g.npending);
        return 1;
    }
    if (g.n == 0)
        return 0; /* every other command needs a graph */
    if (strcmp(t[0], "edge") == 0 && nt == 4 && num(t[1], 0, g.n - 1, &a) && num(t[2], 0, g.n - 1, &b) &&
        num(t[3], 0, 1000000, &c) && g.npending < MAX_EDGES) {
        graph_add((uint32_t)a, (uint32_t)b, (uint32_t)c);
        return 1;
    }
    graph_compile();
    /* heap-based searches touch memory randomly: weight them well above the linear scans */
    unsigned long long cost = ((unsigned long long)g.n * 4 + g.npending) * 8;
    if (strcmp(t[0], "dijkstra") == 0 && nt == 2 && num(t[1], 0, g.n - 1, &a) && charge(cost)) {
        dijkstra((uint32_t)a);
        summarize("dijkstra", (uint32_t)a);
        printf("  heap operations=%llu\n", (unsigned long long)heap_ops);
        return 1;
    }
    if (strcmp(t[0], "bfs") == 0 && nt == 2 && num(t[1], 0, g.n - 1, &a) && charge(cost)) {
        bfs((uint32_t)a);
        return 1;
    }
    if (strcmp(t[0], "verify") == 0 && nt == 2 && num(t[1], 0, g.n - 1, &a) &&
        charge((unsigned long long)g.n * g.n + cost)) {
        dijkstra((uint32_t)a);
        uint64_t *d2 = dense_dijkstra((uint32_t)a);
        uint32_t bad = 0;
        for (uint32_t v = 0; v < g.n; v++)
            bad += d2[v] != dist[v];
        printf("verify %u: %u mismatches over %u nodes\n", (uint32_t)a, bad, g.n);
        free(d2);
        return 1;
    }
    if (strcmp(t[0], "sources") == 0 && nt == 3 && num(t[1], 1, 1000, &a) && num(t[2], 0, UINT64_MAX / 2, &b) &&
        charge(cost * a)) {
        xoshiro_seed(b);
        uint64_t total = 0, ops = 0;
        uint32_t unreached = 0;
        for (uint64_t k = 0; k < a; k++) {
            uint32_t s = xoshiro() % g.n;
            dijkstra(s);
            ops += heap_ops;
            for (uint32_t v = 0; v < g.n; v++) {
                if (dist[v] == INF)
                    unreached++;
                else
                    total = total * 31 + dist[v];
            }
        }
        printf("sources k=%llu: checksum=%016llx unreached=%u heap operations=%llu\n", (unsigned long long)a,
               (unsigned long long)total, unreached, (unsigned long long)ops);
        return 1;
    }
    if (strcmp(t[0], "path") == 0 && nt == 3 && num(t[1], 0, g.n - 1, &a) && num(t[2], 0, g.n - 1, &b) &&
        charge(cost)) {
        print_path((uint32_t)a, (uint32_t)b);
        return 1;
    }
    return 0;
}

int main(void) {
    static char line[512];
    int lineno = 0, n = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin))
            die("line too long");
        char *t[8];
        int nt = 0;
        char *p = line;
        while (nt < 8) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
            if (!*p)
                break;
            t[nt++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                p++;
            if (*p)
                *p++ = '\0';
        }
        if (nt == 0 || t[0][0] == '#')
            continue;
        if (!run(t, nt)) {
            fprintf(stderr, "line %d: bad command, arguments or work limit\n", lineno);
            return 1;
        }
        n++;
    }
    if (!n)
        die("no commands");
    graph_clear(0);
    return 0;
}
