#include <stdlib.h>
#include <string.h>

#include "flow.h"

/* ---------------- Dinic ---------------- */

static int bfs_levels(const FlowGraph *g, int s, int t, int *level, int *queue) {
    for (int i = 0; i < g->n; i++)
        level[i] = -1;
    int qh = 0, qt = 0;
    level[s] = 0;
    queue[qt++] = s;
    while (qh < qt) {
        int u = queue[qh++];
        for (int e = g->head[u]; e != -1; e = g->next[e]) {
            int v = g->to[e];
            if (g->cap[e] > 0 && level[v] < 0) {
                level[v] = level[u] + 1;
                queue[qt++] = v;
            }
        }
    }
    return level[t] >= 0;
}

/* iterative blocking-flow search with current-arc pointers; path_arcs holds the arcs of the
 * current partial path from s */
static int64_t blocking_flow(FlowGraph *g, int s, int t, const int *level, int *it, int *path_arcs,
                             int64_t *augments) {
    int64_t total = 0;
    int depth = 0, u = s;
    for (;;) {
        if (u == t) {
            int64_t push = INT64_MAX;
            for (int i = 0; i < depth; i++)
                if (g->cap[path_arcs[i]] < push)
                    push = g->cap[path_arcs[i]];
            int retreat = depth;
            for (int i = depth - 1; i >= 0; i--) {
                int e = path_arcs[i];
                g->cap[e] -= push;
                g->cap[e ^ 1] += push;
                if (g->cap[e] == 0)
                    retreat = i;
            }
            total += push;
            (*augments)++;
            depth = retreat;
            u = depth == 0 ? s : g->to[path_arcs[depth - 1]];
            continue;
        }
        int advanced = 0;
        for (; it[u] != -1; it[u] = g->next[it[u]]) {
            int e = it[u], v = g->to[e];
            if (g->cap[e] > 0 && level[v] == level[u] + 1) {
                path_arcs[depth++] = e;
                u = v;
                advanced = 1;
                break;
            }
        }
        if (advanced)
            continue;
        /* dead end: retreat and skip the arc that led here */
        if (depth == 0)
            break;
        depth--;
        u = depth == 0 ? s : g->to[path_arcs[depth - 1]];
        it[u] = g->next[it[u]];
    }
    return total;
}

FlowResult dinic(FlowGraph *g, int s, int t) {
    FlowResult r = {0, 0, 0, 1};
    int *level = xmalloc((size_t)g->n * sizeof(int));
    int *queue = xmalloc((size_t)g->n * sizeof(int));
    int *it = xmalloc((size_t)g->n * sizeof(int));
    int *path = xmalloc((size_t)g->n * sizeof(int));
    while (bfs_levels(g, s, t, level, queue)) {
        r.phases++;
        memcpy(it, g->head, (size_t)g->n * sizeof(int));
        r.value += blocking_flow(g, s, t, level, it, path, &r.augments);
    }
    free(level);
    free(queue);
    free(it);
    free(path);
    return r;
}

/* ---------------- Edmonds-Karp ---------------- */

static int64_t ek_budget;

void edmonds_karp_set_budget(int64_t arcs_scanned) { ek_budget = arcs_scanned; }

FlowResult edmonds_karp(FlowGraph *g, int s, int t) {
    FlowResult r = {0, 0, 0, 1};
    int *pred_arc = xmalloc((size_t)g->n * sizeof(int));
    int *queue = xmalloc((size_t)g->n * sizeof(int));
    int64_t scanned = 0;
    for (;;) {
        if (ek_budget > 0 && scanned > ek_budget) {
            r.complete = 0;
            break;
        }
        for (int i = 0; i < g->n; i++)
            pred_arc[i] = -2;
        pred_arc[s] = -1;
        int qh = 0, qt = 0;
        queue[qt++] = s;
        while (qh < qt && pred_arc[t] == -2) {
            int u = queue[qh++];
            for (int e = g->head[u]; e != -1; e = g->next[e]) {
                int v = g->to[e];
                scanned++;
                if (g->cap[e] > 0 && pred_arc[v] == -2) {
                    pred_arc[v] = e;
                    queue[qt++] = v;
                }
            }
        }
        if (pred_arc[t] == -2)
            break;
        int64_t push = INT64_MAX;
        for (int v = t; v != s; v = g->to[pred_arc[v] ^ 1])
            if (g->cap[pred_arc[v]] < push)
                push = g->cap[pred_arc[v]];
        for (int v = t; v != s; v = g->to[pred_arc[v] ^ 1]) {
            g->cap[pred_arc[v]] -= push;
            g->cap[pred_arc[v] ^ 1] += push;
        }
        r.value += push;
        r.phases++;
        r.augments++;
    }
    free(pred_arc);
    free(queue);
    return r;
}

int64_t min_cut(const FlowGraph *g, int s, int *source_side) {
    char *seen = xmalloc((size_t)g->n);
    int *stack = xmalloc((size_t)g->n * sizeof(int));
    memset(seen, 0, (size_t)g->n);
    int sp = 0, count = 0;
    stack[sp++] = s;
    seen[s] = 1;
    while (sp) {
        int u = stack[--sp];
        count++;
        for (int e = g->head[u]; e != -1; e = g->next[e])
            if (g->cap[e] > 0 && !seen[g->to[e]]) {
                seen[g->to[e]] = 1;
                stack[sp++] = g->to[e];
            }
    }
    int64_t cut = 0;
    for (int u = 0; u < g->n; u++) {
        if (!seen[u])
            continue;
        for (int e = g->head[u]; e != -1; e = g->next[e])
            if ((e & 1) == 0 && !seen[g->to[e]])
                cut += g->orig[e];
    }
    *source_side = count;
    free(seen);
    free(stack);
    return cut;
}

int flow_is_conserved(const FlowGraph *g, int s, int t) {
    int64_t *net = xmalloc((size_t)g->n * sizeof(int64_t));
    memset(net, 0, (size_t)g->n * sizeof(int64_t));
    for (int e = 0; e < g->arcs; e += 2) {
        int64_t f = graph_flow_on(g, e);
        if (f < 0 || f > g->orig[e]) {
            free(net);
            return 0;
        }
        net[g->to[e]] += f;
        net[g->to[e ^ 1]] -= f;
    }
    int ok = 1;
    for (int v = 0; v < g->n; v++)
        if (v != s && v != t && net[v] != 0)
            ok = 0;
    free(net);
    return ok;
}

/* ---------------- Kuhn's matching ---------------- */

static int kuhn_try(int u, const int *start, const int *adj, int *match_right, int *visited, int stamp) {
    for (int k = start[u]; k < start[u + 1]; k++) {
        int v = adj[k];
        if (visited[v] == stamp)
            continue;
        visited[v] = stamp;
        if (match_right[v] < 0 || kuhn_try(match_right[v], start, adj, match_right, visited, stamp)) {
            match_right[v] = u;
            return 1;
        }
    }
    return 0;
}

int kuhn_matching(int nl, int nr, const int *start, const int *adj, int *match_right) {
    int *visited = xmalloc((size_t)nr * sizeof(int));
    for (int v = 0; v < nr; v++) {
        match_right[v] = -1;
        visited[v] = -1;
    }
    int size = 0;
    char *done = xmalloc((size_t)nl);
    /* greedy pass: take the first free neighbour */
    for (int u = 0; u < nl; u++) {
        done[u] = 0;
        for (int k = start[u]; k < start[u + 1]; k++)
            if (match_right[adj[k]] < 0) {
                match_right[adj[k]] = u;
                done[u] = 1;
                size++;
                break;
            }
    }
    /* phases: visited marks are only cleared between phases, so each phase is O(E) */
    int stamp = 0, progress = 1;
    while (progress) {
        progress = 0;
        stamp++;
        for (int u = 0; u < nl; u++)
            if (!done[u] && kuhn_try(u, start, adj, match_right, visited, stamp)) {
                done[u] = 1;
                size++;
                progress = 1;
            }
    }
    free(done);
    free(visited);
    return size;
}
