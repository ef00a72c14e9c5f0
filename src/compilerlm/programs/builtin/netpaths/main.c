/* netpaths: all-pairs shortest paths over a weighted directed graph given as an
 * adjacency matrix file, answering route queries read from standard input.
 *
 * usage: netpaths GRAPH [-a floyd|dijkstra|bellman|all] [-o DIST_OUT] [-c] [-q QUERIES]
 *   GRAPH: '#' comment lines, then N (1..160), then N rows of N integers; entry (i,j) is
 *   the weight of edge i->j (1..1000000), 0 on the diagonal, -1 when there is no edge.
 *   -q names a file of queries "SRC DST" (0-based), one per line, "-" for standard input;
 *   each answer gives the distance and the route.  -a chooses the algorithm (default floyd); "all" runs the
 *   three and checks they agree.  -o writes the distance matrix in the input format.
 *   -c prints eccentricities: the graph centre and the five best-connected vertices.
 * exit status: 0 ok, 1 bad input, 2 usage error, 3 algorithms disagree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 160
#define INF INT64_MAX

static int n;
static int64_t w[MAXN][MAXN];     /* edge weights, -1 = none */
static int64_t dist[3][MAXN][MAXN]; /* per algorithm */
static int nxt[MAXN][MAXN];       /* floyd: next hop on a shortest route, -1 = none */
static int pred[3][MAXN][MAXN];   /* dijkstra / bellman: predecessor, per source */

_Noreturn static void fail(int code, const char *msg, const char *arg) {
    printf("netpaths: %s%s\n", msg, arg ? arg : "");
    exit(code);
}

static int next_int(FILE *f, long long *v) {
    int c;
    for (;;) {
        c = fgetc(f);
        if (c == '#') {
            while (c != '\n' && c != EOF) c = fgetc(f);
        }
        if (c == EOF) return 0;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',') break;
    }
    int neg = 0;
    if (c == '-') {
        neg = 1;
        c = fgetc(f);
    }
    if (c < '0' || c > '9') return 0;
    long long x = 0;
    while (c >= '0' && c <= '9') {
        if (x > 100000000LL) return 0;
        x = x * 10 + (c - '0');
        c = fgetc(f);
    }
    if (c != EOF) ungetc(c, f);
    *v = neg ? -x : x;
    return 1;
}

static void load(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) fail(1, "cannot open graph ", path);
    long long v;
    if (!next_int(f, &v) || v < 1 || v > MAXN) fail(1, "bad vertex count in ", path);
    n = (int)v;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (!next_int(f, &v)) fail(1, "matrix too short in ", path);
            if (i == j ? v != 0 : (v != -1 && (v < 1 || v > 1000000))) fail(1, "bad weight in ", path);
            w[i][j] = i == j ? 0 : v;
        }
    if (next_int(f, &v)) fail(1, "extra data after matrix in ", path);
    fclose(f);
}

static void floyd(int64_t d[MAXN][MAXN]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            d[i][j] = (i == j) ? 0 : (w[i][j] < 0 ? INF : w[i][j]);
            nxt[i][j] = (i == j || w[i][j] >= 0) ? j : -1;
        }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++) {
            if (d[i][k] == INF) continue;
            int64_t dik = d[i][k];
            for (int j = 0; j < n; j++) {
                if (d[k][j] == INF) continue;
                int64_t cand = dik + d[k][j];
                if (cand < d[i][j]) {
                    d[i][j] = cand;
                    nxt[i][j] = nxt[i][k];
                }
            }
        }
}

/* O(N^2) Dijkstra per source, ties broken by the lowest vertex number */
static void dijkstra(int64_t d[MAXN][MAXN], int p[MAXN][MAXN]) {
    static int done[MAXN];
    for (int s = 0; s < n; s++) {
        for (int v = 0; v < n; v++) {
            d[s][v] = INF;
            p[s][v] = -1;
            done[v] = 0;
        }
        d[s][s] = 0;
        for (int round = 0; round < n; round++) {
            int u = -1;
            for (int v = 0; v < n; v++)
                if (!done[v] && d[s][v] != INF && (u < 0 || d[s][v] < d[s][u])) u = v;
            if (u < 0) break;
            done[u] = 1;
            for (int v = 0; v < n; v++)
                if (w[u][v] > 0 && !done[v] && d[s][u] + w[u][v] < d[s][v]) {
                    d[s][v] = d[s][u] + w[u][v];
                    p[s][v] = u;
                }
        }
    }
}

/* Bellman-Ford per source over an edge list, stopping when a pass changes nothing */
static void bellman(int64_t d[MAXN][MAXN], int p[MAXN][MAXN]) {
    static int eu[MAXN * MAXN], ev[MAXN * MAXN];
    int m = 0;
    for (int u = 0; u < n; u++)
        for (int v = 0; v < n; v++)
            if (w[u][v] > 0) eu[m] = u, ev[m] = v, m++;
    for (int s = 0; s < n; s++) {
        for (int v = 0; v < n; v++) d[s][v] = INF, p[s][v] = -1;
        d[s][s] = 0;
        for (int pass = 1; pass < n; pass++) {
            int changed = 0;
            for (int e = 0; e < m; e++) {
                int u = eu[e], v = ev[e];
                if (d[s][u] != INF && d[s][u] + w[u][v] < d[s][v]) {
                    d[s][v] = d[s][u] + w[u][v];
                    p[s][v] = u;
                    changed = 1;
                }
            }
            if (!changed) break;
        }
    }
}

static int route(int alg, int s, int t, int *out) {
    int len = 0;
    if (alg == 0) {
        for (int v = s; v != t; v = nxt[v][t]) {
            if (len >= MAXN) return -1;
            out[len++] = v;
        }
        out[len++] = t;
        return len;
    }
    for (int v = t; v != s; v = pred[alg][s][v]) {
        if (len >= MAXN) return -1;
        out[len++] = v;
    }
    out[len++] = s;
    for (int i = 0; i < len / 2; i++) {
        int tmp = out[i];
        out[i] = out[len - 1 - i];
        out[len - 1 - i] = tmp;
    }
    return len;
}

static uint32_t matrix_digest(int64_t d[MAXN][MAXN]) {
    uint32_t h = 0x811C9DC5u;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            uint64_t x = d[i][j] == INF ? 0xFFFFFFFFu : (uint64_t)d[i][j];
            h = (h ^ (uint32_t)x) * 16777619u;
            h = (h ^ (uint32_t)(x >> 32)) * 16777619u;
        }
    return h;
}

_Noreturn static void usage(void) {
    printf("usage: netpaths GRAPH [-a floyd|dijkstra|bellman|all] [-o DIST_OUT] [-c] [-q QUERIES]\n");
    exit(2);
}

int main(int argc, char **argv) {
    static const char *names[3] = {"floyd", "dijkstra", "bellman"};
    const char *graph = NULL, *out = NULL, *queries = NULL;
    int alg = 0, all = 0, centre = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0 && i + 1 < argc) {
            i++;
            alg = -1;
            for (int k = 0; k < 3; k++)
                if (strcmp(argv[i], names[k]) == 0) alg = k;
            if (strcmp(argv[i], "all") == 0) alg = 0, all = 1;
            if (alg < 0) usage();
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "-q") == 0 && i + 1 < argc) {
            queries = argv[++i];
        } else if (strcmp(argv[i], "-c") == 0) {
            centre = 1;
        } else if (!graph && argv[i][0] != '-') {
            graph = argv[i];
        } else {
            usage();
        }
    }
    if (!graph) usage();
    load(graph);
    FILE *qf = NULL;
    if (queries && !(qf = strcmp(queries, "-") == 0 ? stdin : fopen(queries, "r")))
        fail(1, "cannot open queries ", queries);

    int edges = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) edges += i != j && w[i][j] > 0;
    printf("graph %s: %d vertices, %d edges\n", graph, n, edges);

    for (int a = 0; a < 3; a++) {
        if (!all && a != alg) continue;
        if (a == 0) floyd(dist[0]);
        else if (a == 1) dijkstra(dist[1], pred[1]);
        else bellman(dist[2], pred[2]);
        printf("%-8s digest %08X\n", names[a], (unsigned)matrix_digest(dist[a]));
    }
    if (all) {
        if (memcmp(dist[0], dist[1], sizeof dist[0]) != 0 || memcmp(dist[0], dist[2], sizeof dist[0]) != 0) {
            printf("algorithms DISAGREE\n");
            return 3;
        }
        printf("all algorithms agree\n");
    }
    int64_t(*d)[MAXN] = dist[alg];

    long reachable = 0;
    int64_t diam = -1, sum = 0;
    int da = 0, db = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j || d[i][j] == INF) continue;
            reachable++;
            sum += d[i][j];
            if (d[i][j] > diam) diam = d[i][j], da = i, db = j;
        }
    printf("reachable ordered pairs: %ld of %d\n", reachable, n * (n - 1));
    if (reachable) {
        printf("diameter %lld (%d -> %d), mean distance %lld.%02lld\n", (long long)diam, da, db,
               (long long)(sum / reachable), (long long)((sum % reachable) * 100 / reachable));
    }

    if (centre) {
        int64_t ecc[MAXN];
        int64_t close[MAXN];
        int order[MAXN];
        int best = 0;
        for (int i = 0; i < n; i++) {
            ecc[i] = 0;
            close[i] = 0;
            for (int j = 0; j < n; j++) {
                int64_t x = d[i][j] == INF ? 10000000 : d[i][j];
                if (x > ecc[i]) ecc[i] = x;
                close[i] += x;
            }
            if (ecc[i] < ecc[best]) best = i;
            order[i] = i;
        }
        for (int i = 1; i < n; i++) { /* insertion sort by total distance, then index */
            int v = order[i], k = i - 1;
            while (k >= 0 && close[order[k]] > close[v]) {
                order[k + 1] = order[k];
                k--;
            }
            order[k + 1] = v;
        }
        printf("centre: vertex %d, eccentricity %lld\n", best, (long long)ecc[best]);
        printf("best connected:");
        for (int i = 0; i < 5 && i < n; i++) printf(" %d(%lld)", order[i], (long long)close[order[i]]);
        printf("\n");
    }

    char line[256];
    int qn = 0;
    while (qf && fgets(line, sizeof line, qf)) {
        int s, t;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0') continue;
        qn++;
        if (sscanf(line, "%d %d", &s, &t) != 2 || s < 0 || t < 0 || s >= n || t >= n) {
            printf("query %d: invalid\n", qn);
            continue;
        }
        if (d[s][t] == INF) {
            printf("query %d: %d -> %d unreachable\n", qn, s, t);
            continue;
        }
        int path[MAXN + 1];
        int len = route(alg, s, t, path);
        printf("query %d: %d -> %d distance %lld, %d hops:", qn, s, t, (long long)d[s][t], len - 1);
        for (int i = 0; i < len; i++) printf(" %d", path[i]);
        printf("\n");
    }

    if (qf && qf != stdin) fclose(qf);
    if (out) {
        FILE *f = fopen(out, "w");
        if (!f) fail(1, "cannot create ", out);
        fprintf(f, "# shortest distances (%s)\n%d\n", names[alg], n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                fprintf(f, "%lld%c", d[i][j] == INF ? -1LL : (long long)d[i][j], j + 1 < n ? ' ' : '\n');
        if (fclose(f) != 0) fail(1, "write error on ", out);
        printf("distance matrix written to %s\n", out);
    }
    return 0;
}
