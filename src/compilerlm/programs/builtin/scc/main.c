/* Strongly connected components: iterative Tarjan cross-checked against iterative Kosaraju,
 * then the condensation DAG (deduplicated), Kahn topological order, vertex-weighted longest path
 * and path counting over the DAG. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_V 300000
#define MAX_E 1500000
#define MAX_CASES 10

typedef struct {
    int n, m;
    int *src, *dst;      /* edge list */
    int *out_start, *out_adj;
    int *in_start, *in_adj;
} Digraph;

typedef struct {
    int count;
    int *comp; /* component id per vertex */
} SccResult;

typedef uint32_t (*RandFn)(void);

static uint32_t xs32 = 2463534242u;

static uint32_t xorshift32(void) {
    xs32 ^= xs32 << 13;
    xs32 ^= xs32 >> 17;
    xs32 ^= xs32 << 5;
    return xs32;
}

static RandFn rnd = xorshift32;

static void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

#define NEW_ARRAY(type, count) ((type *)xmalloc((size_t)(count) * sizeof(type)))

static void build_csr(int n, int m, const int *from, const int *to, int **start_out, int **adj_out) {
    int *start = NEW_ARRAY(int, n + 1);
    int *adj = NEW_ARRAY(int, m);
    memset(start, 0, (size_t)(n + 1) * sizeof(int));
    for (int i = 0; i < m; i++)
        start[from[i] + 1]++;
    for (int i = 0; i < n; i++)
        start[i + 1] += start[i];
    int *pos = NEW_ARRAY(int, n);
    memcpy(pos, start, (size_t)n * sizeof(int));
    for (int i = 0; i < m; i++)
        adj[pos[from[i]]++] = to[i];
    free(pos);
    *start_out = start;
    *adj_out = adj;
}

static void digraph_finish(Digraph *g) {
    build_csr(g->n, g->m, g->src, g->dst, &g->out_start, &g->out_adj);
    build_csr(g->n, g->m, g->dst, g->src, &g->in_start, &g->in_adj);
}

static void digraph_free(Digraph *g) {
    free(g->src);
    free(g->dst);
    free(g->out_start);
    free(g->out_adj);
    free(g->in_start);
    free(g->in_adj);
}

static void digraph_alloc(Digraph *g, int n, int max_m) {
    g->n = n;
    g->m = 0;
    g->src = NEW_ARRAY(int, max_m);
    g->dst = NEW_ARRAY(int, max_m);
}

static void add_arc(Digraph *g, int u, int v) {
    g->src[g->m] = u;
    g->dst[g->m] = v;
    g->m++;
}

/* ---------------- generators ---------------- */

static void gen_random(Digraph *g, int n, int m) {
    digraph_alloc(g, n, m);
    for (int i = 0; i < m; i++) {
        int u = (int)(rnd() % (uint32_t)n);
        int v = (int)(rnd() % (uint32_t)n);
        add_arc(g, u, v);
    }
}

/* clusters of size k, each a cycle plus chords; sparse forward links between clusters
 * (and a few backward ones that merge clusters) */
static void gen_clustered(Digraph *g, int n, int k, int back_links) {
    int clusters = (n + k - 1) / k;
    digraph_alloc(g, n, 3 * n + clusters * 2 + back_links);
    for (int c = 0; c < clusters; c++) {
        int lo = c * k, hi = lo + k < n ? lo + k : n, size = hi - lo;
        for (int v = lo; v < hi; v++) {
            if (size > 1)
                add_arc(g, v, lo + (v - lo + 1) % size);
            add_arc(g, v, lo + (int)(rnd() % (uint32_t)size));
            if ((rnd() & 3u) == 0 && c + 1 < clusters) {
                int tc = c + 1 + (int)(rnd() % (uint32_t)(clusters - c - 1 < 4 ? clusters - c - 1 : 4));
                int tlo = tc * k, thi = tlo + k < n ? tlo + k : n;
                add_arc(g, v, tlo + (int)(rnd() % (uint32_t)(thi - tlo)));
            }
        }
    }
    for (int i = 0; i < back_links; i++) {
        int u = (int)(rnd() % (uint32_t)n), v = (int)(rnd() % (uint32_t)n);
        if (u > v)
            add_arc(g, u, v);
    }
}

/* a long path with occasional short back edges: one very deep DFS */
static void gen_chain(Digraph *g, int n, int every) {
    digraph_alloc(g, n, 2 * n);
    for (int v = 0; v + 1 < n; v++) {
        add_arc(g, v, v + 1);
        if (every > 0 && v % every == every - 1) {
            int back = (int)(rnd() % (uint32_t)every);
            add_arc(g, v, v - back);
        }
    }
}

/* ---------------- Tarjan (iterative) ---------------- */

static SccResult tarjan(const Digraph *g) {
    int n = g->n;
    SccResult r = {0, NEW_ARRAY(int, n)};
    int *index = NEW_ARRAY(int, n), *low = NEW_ARRAY(int, n);
    int *stack = NEW_ARRAY(int, n), *call = NEW_ARRAY(int, n), *edge_pos = NEW_ARRAY(int, n);
    char *on_stack = NEW_ARRAY(char, n);
    for (int i = 0; i < n; i++) {
        index[i] = -1;
        on_stack[i] = 0;
    }
    int next_index = 0, sp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0)
            continue;
        int depth = 0;
        call[depth++] = root;
        index[root] = low[root] = next_index++;
        edge_pos[root] = g->out_start[root];
        stack[sp++] = root;
        on_stack[root] = 1;
        while (depth > 0) {
            int v = call[depth - 1];
            if (edge_pos[v] < g->out_start[v + 1]) {
                int w = g->out_adj[edge_pos[v]++];
                if (index[w] < 0) {
                    index[w] = low[w] = next_index++;
                    edge_pos[w] = g->out_start[w];
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    call[depth++] = w;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            /* v is finished */
            if (low[v] == index[v]) {
                int w;
                do {
                    w = stack[--sp];
                    on_stack[w] = 0;
                    r.comp[w] = r.count;
                } while (w != v);
                r.count++;
            }
            depth--;
            if (depth > 0) {
                int parent = call[depth - 1];
                if (low[v] < low[parent])
                    low[parent] = low[v];
            }
        }
    }
    free(index);
    free(low);
    free(stack);
    free(call);
    free(edge_pos);
    free(on_stack);
    return r;
}

/* ---------------- Kosaraju (iterative) ---------------- */

static SccResult kosaraju(const Digraph *g) {
    int n = g->n;
    SccResult r = {0, NEW_ARRAY(int, n)};
    int *order = NEW_ARRAY(int, n), *stack = NEW_ARRAY(int, n), *pos = NEW_ARRAY(int, n);
    char *seen = NEW_ARRAY(char, n);
    memset(seen, 0, (size_t)n);
    int nord = 0;
    for (int root = 0; root < n; root++) {
        if (seen[root])
            continue;
        int sp = 0;
        stack[sp++] = root;
        seen[root] = 1;
        pos[root] = g->out_start[root];
        while (sp > 0) {
            int v = stack[sp - 1];
            if (pos[v] < g->out_start[v + 1]) {
                int w = g->out_adj[pos[v]++];
                if (!seen[w]) {
                    seen[w] = 1;
                    pos[w] = g->out_start[w];
                    stack[sp++] = w;
                }
            } else {
                order[nord++] = v;
                sp--;
            }
        }
    }
    for (int i = 0; i < n; i++)
        r.comp[i] = -1;
    for (int i = n - 1; i >= 0; i--) {
        int root = order[i];
        if (r.comp[root] >= 0)
            continue;
        int sp = 0;
        stack[sp++] = root;
        r.comp[root] = r.count;
        while (sp > 0) {
            int v = stack[--sp];
            for (int k = g->in_start[v]; k < g->in_start[v + 1]; k++) {
                int w = g->in_adj[k];
                if (r.comp[w] < 0) {
                    r.comp[w] = r.count;
                    stack[sp++] = w;
                }
            }
        }
        r.count++;
    }
    free(order);
    free(stack);
    free(pos);
    free(seen);
    return r;
}

/* two labelings describe the same partition iff the map between labels is a bijection */
static int same_partition(const SccResult *a, const SccResult *b, int n) {
    if (a->count != b->count)
        return 0;
    int *map = NEW_ARRAY(int, a->count);
    for (int i = 0; i < a->count; i++)
        map[i] = -1;
    int ok = 1;
    for (int v = 0; v < n && ok; v++) {
        if (map[a->comp[v]] < 0)
            map[a->comp[v]] = b->comp[v];
        else if (map[a->comp[v]] != b->comp[v])
            ok = 0;
    }
    free(map);
    return ok;
}

/* ---------------- condensation ---------------- */

static int cmp_pair(const void *pa, const void *pb) {
    const uint64_t *a = pa, *b = pb;
    return (*a > *b) - (*a < *b);
}

typedef struct {
    int n, m;
    int *start, *adj;
    int *weight; /* vertices per component */
} Dag;

static Dag condense(const Digraph *g, const SccResult *s) {
    Dag d;
    d.n = s->count;
    d.weight = NEW_ARRAY(int, d.n);
    memset(d.weight, 0, (size_t)d.n * sizeof(int));
    for (int v = 0; v < g->n; v++)
        d.weight[s->comp[v]]++;
    uint64_t *pairs = NEW_ARRAY(uint64_t, g->m);
    int np = 0;
    for (int i = 0; i < g->m; i++) {
        int a = s->comp[g->src[i]], b = s->comp[g->dst[i]];
        if (a != b)
            pairs[np++] = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    }
    if (np > 0)
        qsort(pairs, (size_t)np, sizeof(uint64_t), cmp_pair);
    int *from = NEW_ARRAY(int, np), *to = NEW_ARRAY(int, np);
    d.m = 0;
    for (int i = 0; i < np; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1])
            continue;
        from[d.m] = (int)(pairs[i] >> 32);
        to[d.m] = (int)(pairs[i] & 0xffffffffu);
        d.m++;
    }
    build_csr(d.n, d.m, from, to, &d.start, &d.adj);
    free(pairs);
    free(from);
    free(to);
    return d;
}

static void dag_free(Dag *d) {
    free(d->start);
    free(d->adj);
    free(d->weight);
}

typedef struct {
    int sources, sinks;
    int topo_ok;
    int64_t longest;
    int longest_end;
    uint64_t paths; /* number of source-to-sink paths, mod 2^64 */
    uint64_t order_hash;
} DagStats;

static DagStats analyse_dag(const Dag *d) {
    DagStats st = {0, 0, 1, 0, -1, 0, 1469598103934665603ull};
    int *indeg = NEW_ARRAY(int, d->n), *queue = NEW_ARRAY(int, d->n), *rank = NEW_ARRAY(int, d->n);
    int64_t *best = NEW_ARRAY(int64_t, d->n);
    uint64_t *ways = NEW_ARRAY(uint64_t, d->n);
    memset(indeg, 0, (size_t)d->n * sizeof(int));
    for (int i = 0; i < d->m; i++)
        indeg[d->adj[i]]++;
    int qh = 0, qt = 0;
    for (int v = 0; v < d->n; v++) {
        best[v] = d->weight[v];
        ways[v] = 0;
        if (indeg[v] == 0) {
            queue[qt++] = v;
            st.sources++;
            ways[v] = 1;
        }
        if (d->start[v] == d->start[v + 1])
            st.sinks++;
    }
    while (qh < qt) {
        int v = queue[qh];
        rank[v] = qh++;
        st.order_hash = (st.order_hash ^ (uint64_t)v) * 1099511628211ull;
        if (d->start[v] == d->start[v + 1])
            st.paths += ways[v];
        if (best[v] > st.longest || (best[v] == st.longest && v < st.longest_end)) {
            st.longest = best[v];
            st.longest_end = v;
        }
        for (int k = d->start[v]; k < d->start[v + 1]; k++) {
            int w = d->adj[k];
            if (best[v] + d->weight[w] > best[w])
                best[w] = best[v] + d->weight[w];
            ways[w] += ways[v];
            if (--indeg[w] == 0)
                queue[qt++] = w;
        }
    }
    if (qt != d->n)
        st.topo_ok = 0;
    /* Tarjan numbers components in reverse topological order: every DAG edge goes from a higher
     * component id to a lower one */
    for (int v = 0; v < d->n && st.topo_ok; v++)
        for (int k = d->start[v]; k < d->start[v + 1]; k++)
            if (d->adj[k] >= v || rank[d->adj[k]] <= rank[v])
                st.topo_ok = 0;
    free(indeg);
    free(queue);
    free(rank);
    free(best);
    free(ways);
    return st;
}

static void run(Digraph *g) {
    digraph_finish(g);
    SccResult t = tarjan(g), k = kosaraju(g);
    int *sizes = NEW_ARRAY(int, t.count);
    memset(sizes, 0, (size_t)t.count * sizeof(int));
    for (int v = 0; v < g->n; v++)
        sizes[t.comp[v]]++;
    int largest = 0, singletons = 0;
    for (int c = 0; c < t.count; c++) {
        if (sizes[c] > largest)
            largest = sizes[c];
        if (sizes[c] == 1)
            singletons++;
    }
    uint64_t h = 0;
    for (int v = 0; v < g->n; v++)
        h = h * 31 + (uint64_t)t.comp[v];
    printf("  vertices=%d arcs=%d\n", g->n, g->m);
    printf("  sccs=%d largest=%d singletons=%d labels=%016llx kosaraju %s\n", t.count, largest, singletons,
           (unsigned long long)h, same_partition(&t, &k, g->n) ? "agrees" : "DISAGREES");
    Dag d = condense(g, &t);
    DagStats st = analyse_dag(&d);
    printf("  dag edges=%d sources=%d sinks=%d topo=%s order=%016llx\n", d.m, st.sources, st.sinks,
           st.topo_ok ? "ok" : "BROKEN", (unsigned long long)st.order_hash);
    printf("  longest weighted path=%lld ending at component %d, paths=%016llx\n", (long long)st.longest,
           st.longest_end, (unsigned long long)st.paths);
    dag_free(&d);
    free(sizes);
    free(t.comp);
    free(k.comp);
}

/* Input: SEED then cases:
 *   random V E | clustered V CLUSTER_SIZE BACK_LINKS | chain V BACK_EVERY
 *   explicit V E followed by E pairs "u v" */
int main(void) {
    unsigned seed;
    if (scanf("%u", &seed) != 1) {
        fprintf(stderr, "missing seed\n");
        return 1;
    }
    xs32 = seed ? seed : 1u;
    char kind[16];
    int cases = 0;
    while (scanf("%15s", kind) == 1) {
        Digraph g;
        long long a, b, c;
        if (++cases > MAX_CASES)
            goto bad;
        if (strcmp(kind, "random") == 0) {
            if (scanf("%lld %lld", &a, &b) != 2 || a < 1 || a > MAX_V || b < 0 || b > MAX_E)
                goto bad;
            gen_random(&g, (int)a, (int)b);
        } else if (strcmp(kind, "clustered") == 0) {
            if (scanf("%lld %lld %lld", &a, &b, &c) != 3 || a < 1 || a > MAX_V || b < 1 || b > a || c < 0 ||
                c > MAX_E - 3 * MAX_V)
                goto bad;
            gen_clustered(&g, (int)a, (int)b, (int)c);
        } else if (strcmp(kind, "chain") == 0) {
            if (scanf("%lld %lld", &a, &b) != 2 || a < 1 || a > MAX_V || b < 0 || b > a)
                goto bad;
            gen_chain(&g, (int)a, (int)b);
        } else if (strcmp(kind, "explicit") == 0) {
            if (scanf("%lld %lld", &a, &b) != 2 || a < 1 || a > MAX_V || b < 0 || b > 20000)
                goto bad;
            digraph_alloc(&g, (int)a, (int)b);
            for (long long i = 0; i < b; i++) {
                int u, v;
                if (scanf("%d %d", &u, &v) != 2 || u < 0 || v < 0 || u >= a || v >= a) {
                    free(g.src);
                    free(g.dst);
                    goto bad;
                }
                add_arc(&g, u, v);
            }
        } else {
            goto bad;
        }
        printf("case %d: %s\n", cases, kind);
        run(&g);
        digraph_free(&g);
    }
    if (cases == 0)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
