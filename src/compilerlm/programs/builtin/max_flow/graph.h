/* Residual flow network stored as paired arcs in an adjacency-list arena. */
#ifndef MAX_FLOW_GRAPH_H
#define MAX_FLOW_GRAPH_H

#include <stdint.h>

typedef struct {
    int n;          /* vertices */
    int arcs;       /* arcs in use (always even: arc e and its reverse e ^ 1) */
    int arc_cap;    /* arcs allocated */
    int *head;      /* first arc leaving each vertex, -1 if none */
    int *next;      /* next arc leaving the same vertex */
    int *to;        /* arc target */
    int64_t *cap;   /* residual capacity */
    int64_t *orig;  /* capacity as built, for resets */
} FlowGraph;

void graph_init(FlowGraph *g, int n, int max_edges);
void graph_free(FlowGraph *g);
/* adds u->v with capacity c and the reverse arc with capacity 0; returns the forward arc id */
int graph_add_edge(FlowGraph *g, int u, int v, int64_t c);
void graph_reset(FlowGraph *g);
int64_t graph_flow_on(const FlowGraph *g, int arc);
void *xmalloc(size_t bytes);

/* deterministic generator shared by the network builders */
uint32_t gen_next(void);
void gen_seed(uint64_t seed);

#endif
