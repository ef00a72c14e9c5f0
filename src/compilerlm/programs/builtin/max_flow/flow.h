/* Maximum flow algorithms and their applications. */
#ifndef MAX_FLOW_FLOW_H
#define MAX_FLOW_FLOW_H

#include "graph.h"

typedef struct {
    int64_t value;
    int phases;        /* BFS phases (Dinic) or augmenting paths (Edmonds-Karp) */
    int64_t augments;  /* augmenting paths pushed */
} FlowResult;

typedef FlowResult (*MaxFlowFn)(FlowGraph *g, int s, int t);

FlowResult dinic(FlowGraph *g, int s, int t);
FlowResult edmonds_karp(FlowGraph *g, int s, int t);

/* After a max flow has been computed in g: capacity of the cut (reachable-from-s side) and the
 * number of vertices on the source side. Returns the cut capacity. */
int64_t min_cut(const FlowGraph *g, int s, int *source_side);

/* conservation check: every vertex other than s and t has zero net flow */
int flow_is_conserved(const FlowGraph *g, int s, int t);

/* maximum bipartite matching via augmenting paths (Kuhn); adj is CSR over left vertices */
int kuhn_matching(int nl, int nr, const int *start, const int *adj, int *match_right);

#endif
