#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static uint64_t gen_state = 1;

void gen_seed(uint64_t seed) {
    gen_state = seed ^ 0x6A09E667F3BCC909ull;
    if (gen_state == 0)
        gen_state = 1;
}

uint32_t gen_next(void) {
    /* 64-bit LCG, high half */
    gen_state = gen_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(gen_state >> 33);
}

void *xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

void graph_init(FlowGraph *g, int n, int max_edges) {
    g->n = n;
    g->arcs = 0;
    g->arc_cap = 2 * max_edges;
    g->head = xmalloc((size_t)n * sizeof(int));
    g->next = xmalloc((size_t)g->arc_cap * sizeof(int));
    g->to = xmalloc((size_t)g->arc_cap * sizeof(int));
    g->cap = xmalloc((size_t)g->arc_cap * sizeof(int64_t));
    g->orig = xmalloc((size_t)g->arc_cap * sizeof(int64_t));
    for (int i = 0; i < n; i++)
        g->head[i] = -1;
}

void graph_free(FlowGraph *g) {
    free(g->head);
    free(g->next);
    free(g->to);
    free(g->cap);
    free(g->orig);
    memset(g, 0, sizeof *g);
}

static void push_arc(FlowGraph *g, int u, int v, int64_t c) {
    int e = g->arcs++;
    g->to[e] = v;
    g->cap[e] = c;
    g->orig[e] = c;
    g->next[e] = g->head[u];
    g->head[u] = e;
}

int graph_add_edge(FlowGraph *g, int u, int v, int64_t c) {
    if (g->arcs + 2 > g->arc_cap) {
        fprintf(stderr, "edge arena full\n");
        exit(1);
    }
    int e = g->arcs;
    push_arc(g, u, v, c);
    push_arc(g, v, u, 0);
    return e;
}

void graph_reset(FlowGraph *g) { memcpy(g->cap, g->orig, (size_t)g->arcs * sizeof(int64_t)); }

int64_t graph_flow_on(const FlowGraph *g, int arc) { return g->orig[arc] - g->cap[arc]; }
