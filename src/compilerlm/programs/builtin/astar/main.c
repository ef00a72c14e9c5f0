/* Grid path finding: A* with an indexed binary heap (decrease-key) and an admissible Manhattan
 * or octile heuristic, compared against Dijkstra with a lazy-deletion heap, on weighted mazes
 * generated from a seed (random caves, recursive-backtracker perfect mazes, rooms) or read as
 * ASCII maps. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM 1200
#define MAX_CELLS 1000000
#define MAX_QUERIES 400
#define MAX_QUERY_CELLS 8000000LL /* bounds total search work */
#define WALL 0
#define ORTHO_COST 10u
#define DIAG_COST 14u
#define RENDER_W 64
#define RENDER_H 20

typedef enum { GEN_CAVE, GEN_PERFECT, GEN_ROOMS, GEN_MAP } GenKind;

typedef struct {
    int w, h;
    uint8_t *weight; /* 0 = wall, 1..9 = cost multiplier to enter */
    int diagonal;    /* 8-connected movement */
    uint8_t min_weight;
} Grid;

typedef struct {
    uint64_t cost; /* UINT64_MAX when unreachable */
    int expanded;
    int steps;
} SearchResult;

/* indexed min-heap keyed by (f, -g, cell) */
typedef struct {
    int *heap;  /* cell ids */
    int *pos;   /* position of each cell in heap, -1 when absent */
    uint64_t *f, *g;
    int size;
} IndexedHeap;

typedef struct {
    uint64_t key;
    int cell;
} LazyEntry;

typedef struct {
    LazyEntry *a;
    int size, cap;
} LazyHeap;

static const int dx8[8] = {1, 0, -1, 0, 1, -1, -1, 1};
static const int dy8[8] = {0, 1, 0, -1, 1, 1, -1, -1};

static uint64_t rng_state;

static uint32_t rng(void) {
    rng_state = rng_state * 2862933555777941757ull + 3037000493ull;
    uint32_t x = (uint32_t)(rng_state >> 32);
    return x ^ (x >> 11);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

#define CELL(gr, x, y) ((gr)->weight[(size_t)(y) * (size_t)(gr)->w + (size_t)(x)])

static int in_bounds(const Grid *g, int x, int y) { return x >= 0 && y >= 0 && x < g->w && y < g->h; }

/* ---------------- generators ---------------- */

static uint8_t random_weight(int maxw) { return (uint8_t)(1 + rng() % (uint32_t)maxw); }

static void gen_cave(Grid *g, int wall_pct, int maxw) {
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            CELL(g, x, y) = (int)(rng() % 100u) < wall_pct ? WALL : random_weight(maxw);
    /* one smoothing pass (cellular automaton) to make cave-like blobs */
    uint8_t *copy = xmalloc((size_t)g->w * g->h);
    memcpy(copy, g->weight, (size_t)g->w * g->h);
    for (int y = 1; y + 1 < g->h; y++)
        for (int x = 1; x + 1 < g->w; x++) {
            int walls = 0;
            for (int d = 0; d < 8; d++)
                walls += copy[(size_t)(y + dy8[d]) * g->w + (size_t)(x + dx8[d])] == WALL;
            if (walls >= 6)
                CELL(g, x, y) = WALL;
            else if (walls <= 2 && CELL(g, x, y) == WALL)
                CELL(g, x, y) = random_weight(maxw);
        }
    free(copy);
}

/* recursive backtracker on the odd lattice, with an explicit stack */
static void gen_perfect(Grid *g, int extra_pct, int maxw) {
    memset(g->weight, WALL, (size_t)g->w * g->h);
    int cw = (g->w - 1) / 2, ch = (g->h - 1) / 2;
    if (cw < 1 || ch < 1)
        return;
    int *stack = xmalloc((size_t)cw * ch * sizeof(int));
    uint8_t *seen = xmalloc((size_t)cw * ch);
    memset(seen, 0, (size_t)cw * ch);
    int sp = 0;
    stack[sp++] = 0;
    seen[0] = 1;
    CELL(g, 1, 1) = random_weight(maxw);
    while (sp > 0) {
        int c = stack[sp - 1], cx = c % cw, cy = c / cw;
        int options[4], n = 0;
        for (int d = 0; d < 4; d++) {
            int nx = cx + dx8[d], ny = cy + dy8[d];
            if (nx >= 0 && ny >= 0 && nx < cw && ny < ch && !seen[ny * cw + nx])
                options[n++] = d;
        }
        if (n == 0) {
            sp--;
            continue;
        }
        int d = options[rng() % (uint32_t)n];
        int nx = cx + dx8[d], ny = cy + dy8[d];
        seen[ny * cw + nx] = 1;
        CELL(g, 2 * cx + 1 + dx8[d], 2 * cy + 1 + dy8[d]) = random_weight(maxw);
        CELL(g, 2 * nx + 1, 2 * ny + 1) = random_weight(maxw);
        stack[sp++] = ny * cw + nx;
    }
    /* knock out some extra walls to create loops */
    for (int y = 1; y + 1 < g->h; y++)
        for (int x = 1; x + 1 < g->w; x++)
            if (CELL(g, x, y) == WALL && (int)(rng() % 100u) < extra_pct)
                CELL(g, x, y) = random_weight(maxw);
    free(stack);
    free(seen);
}

static void gen_rooms(Grid *g, int rooms, int maxw) {
    memset(g->weight, WALL, (size_t)g->w * g->h);
    int px = -1, py = -1;
    for (int r = 0; r < rooms; r++) {
        int rw = 3 + (int)(rng() % 12u), rh = 3 + (int)(rng() % 8u);
        if (rw >= g->w)
            rw = g->w - 1;
        if (rh >= g->h)
            rh = g->h - 1;
        int x0 = (int)(rng() % (uint32_t)(g->w - rw)), y0 = (int)(rng() % (uint32_t)(g->h - rh));
        uint8_t floor_w = random_weight(maxw);
        for (int y = y0; y < y0 + rh; y++)
            for (int x = x0; x < x0 + rw; x++)
                CELL(g, x, y) = floor_w;
        int cx = x0 + rw / 2, cy = y0 + rh / 2;
        if (px >= 0) { /* L-shaped corridor from the previous room centre */
            int x = px, y = py;
            while (x != cx) {
                if (CELL(g, x, y) == WALL)
                    CELL(g, x, y) = 1;
                x += cx > x ? 1 : -1;
            }
            while (y != cy) {
                if (CELL(g, x, y) == WALL)
                    CELL(g, x, y) = 1;
                y += cy > y ? 1 : -1;
            }
        }
        px = cx;
        py = cy;
    }
}

/* ---------------- heuristics ---------------- */

typedef uint64_t (*Heuristic)(const Grid *g, int x0, int y0, int x1, int y1);

static uint64_t h_manhattan(const Grid *g, int x0, int y0, int x1, int y1) {
    uint64_t dx = (uint64_t)(x0 > x1 ? x0 - x1 : x1 - x0), dy = (uint64_t)(y0 > y1 ? y0 - y1 : y1 - y0);
    return (dx + dy) * ORTHO_COST * g->min_weight;
}

static uint64_t h_octile(const Grid *g, int x0, int y0, int x1, int y1) {
    uint64_t dx = (uint64_t)(x0 > x1 ? x0 - x1 : x1 - x0), dy = (uint64_t)(y0 > y1 ? y0 - y1 : y1 - y0);
    uint64_t lo = dx < dy ? dx : dy, hi = dx < dy ? dy : dx;
    return (lo * DIAG_COST + (hi - lo) * ORTHO_COST) * g->min_weight;
}

static uint64_t h_zero(const Grid *g, int x0, int y0, int x1, int y1) {
    (void)g;
    (void)x0;
    (void)y0;
    (void)x1;
    (void)y1;
    return 0;
}

/* ---------------- indexed heap ---------------- */

static int ih_less(const IndexedHeap *h, int a, int b) {
    if (h->f[a] != h->f[b])
        return h->f[a] < h->f[b];
    if (h->g[a] != h->g[b])
        return h->g[a] > h->g[b];
    return a < b;
}

static void ih_swap(IndexedHeap *h, int i, int j) {
    int a = h->heap[i], b = h->heap[j];
    h->heap[i] = b;
    h->heap[j] = a;
    h->pos[b] = i;
    h->pos[a] = j;
}

static void ih_up(IndexedHeap *h, int i) {
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!ih_less(h, h->heap[i], h->heap[p]))
            break;
        ih_swap(h, i, p);
        i = p;
    }
}

static void ih_down(IndexedHeap *h, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && ih_less(h, h->heap[l], h->heap[m]))
            m = l;
        if (r < h->size && ih_less(h, h->heap[r], h->heap[m]))
            m = r;
        if (m == i)
            break;
        ih_swap(h, i, m);
        i = m;
    }
}

static void ih_push_or_decrease(IndexedHeap *h, int cell) {
    if (h->pos[cell] < 0) {
        h->heap[h->size] = cell;
        h->pos[cell] = h->size++;
    }
    ih_up(h, h->pos[cell]);
}

static int ih_pop(IndexedHeap *h) {
    int top = h->heap[0];
    ih_swap(h, 0, h->size - 1);
    h->size--;
    h->pos[top] = -1;
    if (h->size > 0)
        ih_down(h, 0);
    return top;
}

/* ---------------- lazy heap ---------------- */

static void lh_push(LazyHeap *h, uint64_t key, int cell) {
    if (h->size == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        LazyEntry *na = realloc(h->a, (size_t)h->cap * sizeof(LazyEntry));
        if (!na) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        h->a = na;
    }
    int i = h->size++;
    LazyEntry e = {key, cell};
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->a[p].key < e.key || (h->a[p].key == e.key && h->a[p].cell < e.cell))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
}

static LazyEntry lh_pop(LazyHeap *h) {
    LazyEntry top = h->a[0], last = h->a[--h->size];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->size)
            break;
        if (c + 1 < h->size &&
            (h->a[c + 1].key < h->a[c].key || (h->a[c + 1].key == h->a[c].key && h->a[c + 1].cell < h->a[c].cell)))
            c++;
        if (last.key < h->a[c].key || (last.key == h->a[c].key && last.cell < h->a[c].cell))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->size > 0)
        h->a[i] = last;
    return top;
}

/* ---------------- searches ---------------- */

static uint64_t step_cost(const Grid *g, int d, int nx, int ny) {
    return (uint64_t)(d < 4 ? ORTHO_COST : DIAG_COST) * CELL(g, nx, ny);
}

/* diagonal moves may not cut corners between two walls */
static int move_ok(const Grid *g, int x, int y, int d) {
    int nx = x + dx8[d], ny = y + dy8[d];
    if (!in_bounds(g, nx, ny) || CELL(g, nx, ny) == WALL)
        return 0;
    if (d >= 4 && (CELL(g, x + dx8[d], y) == WALL || CELL(g, x, y + dy8[d]) == WALL))
        return 0;
    return 1;
}

static struct {
    uint64_t *g, *f;
    int *parent, *pos, *heap;
    uint8_t *closed;
    uint64_t *dist;
} ws;

static SearchResult astar(const Grid *g, int sx, int sy, int tx, int ty, Heuristic heur, int *parent_out) {
    int n = g->w * g->h, dirs = g->diagonal ? 8 : 4;
    for (int i = 0; i < n; i++) {
        ws.g[i] = UINT64_MAX;
        ws.pos[i] = -1;
        ws.closed[i] = 0;
        ws.parent[i] = -1;
    }
    IndexedHeap h = {ws.heap, ws.pos, ws.f, ws.g, 0};
    int s = sy * g->w + sx, t = ty * g->w + tx;
    ws.g[s] = 0;
    ws.f[s] = heur(g, sx, sy, tx, ty);
    ih_push_or_decrease(&h, s);
    SearchResult r = {UINT64_MAX, 0, 0};
    while (h.size > 0) {
        int c = ih_pop(&h);
        ws.closed[c] = 1;
        r.expanded++;
        if (c == t) {
            r.cost = ws.g[c];
            break;
        }
        int x = c % g->w, y = c / g->w;
        for (int d = 0; d < dirs; d++) {
            if (!move_ok(g, x, y, d))
                continue;
            int nx = x + dx8[d], ny = y + dy8[d], nc = ny * g->w + nx;
            if (ws.closed[nc])
                continue;
            uint64_t ng = ws.g[c] + step_cost(g, d, nx, ny);
            if (ng < ws.g[nc]) {
                ws.g[nc] = ng;
                ws.f[nc] = ng + heur(g, nx, ny, tx, ty);
                ws.parent[nc] = c;
                ih_push_or_decrease(&h, nc);
            }
        }
    }
    if (r.cost != UINT64_MAX) {
        for (int c = t; c != s; c = ws.parent[c])
            r.steps++;
        if (parent_out)
            memcpy(parent_out, ws.parent, (size_t)n * sizeof(int));
    }
    return r;
}

static SearchResult dijkstra(const Grid *g, int sx, int sy, int tx, int ty) {
    int n = g->w * g->h, dirs = g->diagonal ? 8 : 4;
    for (int i = 0; i < n; i++)
        ws.dist[i] = UINT64_MAX;
    static LazyHeap h;
    h.size = 0;
    int s = sy * g->w + sx, t = ty * g->w + tx;
    ws.dist[s] = 0;
    lh_push(&h, 0, s);
    SearchResult r = {UINT64_MAX, 0, 0};
    while (h.size > 0) {
        LazyEntry e = lh_pop(&h);
        if (e.key != ws.dist[e.cell])
            continue;
        r.expanded++;
        if (e.cell == t) {
            r.cost = e.key;
            break;
        }
        int x = e.cell % g->w, y = e.cell / g->w;
        for (int d = 0; d < dirs; d++) {
            if (!move_ok(g, x, y, d))
                continue;
            int nx = x + dx8[d], ny = y + dy8[d], nc = ny * g->w + nx;
            uint64_t nd = e.key + step_cost(g, d, nx, ny);
            if (nd < ws.dist[nc]) {
                ws.dist[nc] = nd;
                lh_push(&h, nd, nc);
            }
        }
    }
    return r;
}

static int random_open_cell(const Grid *g) {
    for (int tries = 0; tries < 10000; tries++) {
        int c = (int)(rng() % (uint32_t)(g->w * g->h));
        if (g->weight[c] != WALL)
            return c;
    }
    for (int c = 0; c < g->w * g->h; c++)
        if (g->weight[c] != WALL)
            return c;
    return -1;
}

static void render(const Grid *g, const int *parent, int s, int t) {
    int rw = g->w < RENDER_W ? g->w : RENDER_W, rh = g->h < RENDER_H ? g->h : RENDER_H;
    char *canvas = xmalloc((size_t)rw * rh);
    for (int y = 0; y < rh; y++)
        for (int x = 0; x < rw; x++)
            canvas[y * rw + x] = CELL(g, x, y) == WALL ? '#' : (CELL(g, x, y) > 5 ? ',' : ' ');
    if (parent)
        for (int c = t; c >= 0; c = c == s ? -1 : parent[c]) {
            int x = c % g->w, y = c / g->w;
            if (x < rw && y < rh)
                canvas[y * rw + x] = c == s ? 'S' : (c == t ? 'G' : '*');
        }
    for (int y = 0; y < rh; y++)
        printf("  %.*s\n", rw, &canvas[y * rw]);
    free(canvas);
}

static int read_map(Grid *g) {
    /* rows of '#' (wall), '.' (weight 1) or digits 1-9, terminated by a line "end" */
    char line[MAX_DIM + 4];
    int rows = 0, width = -1;
    uint8_t *buf = xmalloc((size_t)MAX_DIM * 200);
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0)
            continue;
        if (strcmp(line, "end") == 0)
            break;
        if (width < 0)
            width = (int)len;
        if ((int)len != width || rows >= 200) {
            free(buf);
            return 0;
        }
        for (size_t i = 0; i < len; i++) {
            char ch = line[i];
            if (ch == '#')
                buf[rows * width + (int)i] = WALL;
            else if (ch == '.')
                buf[rows * width + (int)i] = 1;
            else if (ch >= '1' && ch <= '9')
                buf[rows * width + (int)i] = (uint8_t)(ch - '0');
            else {
                free(buf);
                return 0;
            }
        }
        rows++;
    }
    if (width < 2 || rows < 2) {
        free(buf);
        return 0;
    }
    g->w = width;
    g->h = rows;
    g->weight = buf;
    return 1;
}

/* Input: first line "KIND W H SEED PARAM MAXW QUERIES MOVES" where KIND is cave|perfect|rooms
 * (PARAM = wall %, extra-opening %, room count) and MOVES is 4 or 8; or "map QUERIES MOVES SEED"
 * followed by the ASCII map and "end". */
int main(void) {
    char kind[16];
    Grid g;
    int queries, moves;
    unsigned long long seed;
    memset(&g, 0, sizeof g);
    char header[256];
    if (!fgets(header, sizeof header, stdin) || sscanf(header, "%15s", kind) != 1)
        goto bad;
    if (strcmp(kind, "map") == 0) {
        if (sscanf(header, "%*s %d %d %llu", &queries, &moves, &seed) != 3 || !read_map(&g))
            goto bad;
        rng_state = seed;
    } else {
        int param, maxw;
        if (sscanf(header, "%*s %d %d %llu %d %d %d %d", &g.w, &g.h, &seed, &param, &maxw, &queries, &moves) != 7 ||
            g.w < 3 || g.h < 3 || g.w > MAX_DIM || g.h > MAX_DIM || (long)g.w * g.h > MAX_CELLS || maxw < 1 ||
            maxw > 9 || param < 0 || param > 1000)
            goto bad;
        rng_state = seed;
        g.weight = xmalloc((size_t)g.w * g.h);
        if (strcmp(kind, "cave") == 0 && param <= 100)
            gen_cave(&g, param, maxw);
        else if (strcmp(kind, "perfect") == 0 && param <= 100)
            gen_perfect(&g, param, maxw);
        else if (strcmp(kind, "rooms") == 0)
            gen_rooms(&g, param, maxw);
        else {
            free(g.weight);
            goto bad;
        }
    }
    if (queries < 1 || queries > MAX_QUERIES || (moves != 4 && moves != 8) ||
        (long long)queries * g.w * g.h > MAX_QUERY_CELLS) {
        free(g.weight);
        goto bad;
    }
    g.diagonal = moves == 8;
    g.min_weight = 9;
    int open = 0;
    for (int i = 0; i < g.w * g.h; i++)
        if (g.weight[i] != WALL) {
            open++;
            if (g.weight[i] < g.min_weight)
                g.min_weight = g.weight[i];
        }
    printf("grid %dx%d %s moves=%d open=%d min_weight=%u\n", g.w, g.h, kind, moves, open, g.min_weight);
    if (open == 0) {
        printf("no open cells\n");
        free(g.weight);
        return 0;
    }
    int n = g.w * g.h;
    ws.g = xmalloc((size_t)n * sizeof(uint64_t));
    ws.f = xmalloc((size_t)n * sizeof(uint64_t));
    ws.dist = xmalloc((size_t)n * sizeof(uint64_t));
    ws.parent = xmalloc((size_t)n * sizeof(int));
    ws.pos = xmalloc((size_t)n * sizeof(int));
    ws.heap = xmalloc((size_t)n * sizeof(int));
    ws.closed = xmalloc((size_t)n);
    int *first_parent = xmalloc((size_t)n * sizeof(int));
    Heuristic heur = g.diagonal ? h_octile : h_manhattan;
    uint64_t total = 0, hash = 1469598103934665603ull;
    long a_exp = 0, d_exp = 0;
    int reachable = 0, mismatches = 0, first_s = -1, first_t = -1, have_path = 0;
    for (int q = 0; q < queries; q++) {
        int s = random_open_cell(&g), t = random_open_cell(&g);
        SearchResult ra = astar(&g, s % g.w, s / g.w, t % g.w, t / g.w, heur, have_path ? NULL : first_parent);
        SearchResult rd = dijkstra(&g, s % g.w, s / g.w, t % g.w, t / g.w);
        if (q % 4 == 0) { /* A* with a zero heuristic is Dijkstra again */
            SearchResult rz = astar(&g, s % g.w, s / g.w, t % g.w, t / g.w, h_zero, NULL);
            if (rz.cost != rd.cost)
                mismatches++;
        }
        if (ra.cost != rd.cost)
            mismatches++;
        if (ra.cost != UINT64_MAX) {
            reachable++;
            total += ra.cost;
            if (!have_path) {
                have_path = 1;
                first_s = s;
                first_t = t;
            }
        }
        a_exp += ra.expanded;
        d_exp += rd.expanded;
        hash = (hash ^ (ra.cost == UINT64_MAX ? 0xdeadull : ra.cost)) * 1099511628211ull;
        hash = (hash ^ (uint64_t)ra.steps) * 1099511628211ull;
        if (q < 12) {
            if (ra.cost == UINT64_MAX)
                printf("q%d (%d,%d)->(%d,%d): unreachable, astar expanded %d, dijkstra %d\n", q, s % g.w, s / g.w,
                       t % g.w, t / g.w, ra.expanded, rd.expanded);
            else
                printf("q%d (%d,%d)->(%d,%d): cost %llu steps %d, astar expanded %d, dijkstra %d\n", q, s % g.w,
                       s / g.w, t % g.w, t / g.w, (unsigned long long)ra.cost, ra.steps, ra.expanded, rd.expanded);
        }
    }
    printf("reachable %d/%d total_cost %llu astar_expanded %ld dijkstra_expanded %ld mismatches %d hash %016llx\n",
           reachable, queries, (unsigned long long)total, a_exp, d_exp, mismatches, (unsigned long long)hash);
    render(&g, have_path ? first_parent : NULL, first_s, first_t);
    free(ws.g);
    free(ws.f);
    free(ws.dist);
    free(ws.parent);
    free(ws.pos);
    free(ws.heap);
    free(ws.closed);
    free(first_parent);
    free(g.weight);
    return 0;
bad:
    fprintf(stderr, "malformed input\n");
    return 1;
}
