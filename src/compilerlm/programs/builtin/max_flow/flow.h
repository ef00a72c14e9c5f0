/* Maximum flow algorithms and their applications. */
#ifndef MAX_FLOW_FLOW_H
#define MAX_FLOW_FLOW_H

#include "graph.h"

typedef struct {
    int64_t value;
    int phases;        /* BFS phases (Dinic) or augmenting paths (Edmonds-Karp) */
    int64_t augments;  /* augmenting paths pushed */
    int complete;      /* 0 if the algorithm stopped at its work budget */
} FlowResult;

typedef FlowResult (*MaxFlowFn)(FlowGraph *g, int s, int t);

FlowResult dinic(FlowGraph *g, int s, int t);
FlowResult edmonds_karp(FlowGraph *g, int s, int t);
/* Edmonds-Karp gives up once it has scanned this many arcs (0 = unlimited) */
void edmonds_karp_set_budget(int64_t arcs_scanned);

/* After a max flow has been computed in g: capacity of the cut (reachable-from-s side) and the
 * number of vertices on the source side. Returns the cut capacity. */
int64_t min_cut(const FlowGraph *g, int s, int *source_side);

/* conservation check: every vertex other than s and t has zero net flow */
int flow_is_conserved(const FlowGraph *g, int s, int t);

/* maximum bipartite matching via augmenting paths (Kuhn); adj is CSR over left vertices */
int kuhn_matching(int nl, int nr, const int *start, const int *adj, int *match_right);

#endif
