/* CSV analytics: an RFC 4180 style parser (quoted fields, doubled quotes, embedded newlines) feeding
 * per-column statistics, hashed distinct counts, filtered group-by aggregation and a merge-sorted
 * top-N report. Numbers are fixed point with four decimals (no floating point).
 *
 * Input: command lines starting with '%', then the CSV text with a header row.
 *   % repeat N              re-parse the CSV N extra times and verify the checksum
 *   % stats                 per-column statistics
 *   % distinct COL
 *   % group COL AGGCOL [where COL OP VALUE]     OP: < <= > >= == != (numeric), = ~ (text)
 *   % top COL N
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1 << 20)
#define MAX_COLS 32
#define MAX_ROWS 50000
#define MAX_CELLS (MAX_ROWS * 8)
#define MAX_COMMANDS 64
#define SCALE 10000
#define MAX_INT_PART 10000000000ll

typedef enum { ST_FIELD_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_IN_QUOTED } ParseState;
typedef enum { TYPE_EMPTY, TYPE_INT, TYPE_DECIMAL, TYPE_TEXT } ColType;

typedef struct {
    uint32_t off; /* into cell pool */
    uint32_t len;
    uint8_t numeric;
    int64_t value; /* scaled by SCALE when numeric */
} Cell;

typedef struct {
    char name[64];
    ColType type;
    uint32_t nonempty, numeric, decimals;
    int64_t min, max, sum;
    uint32_t min_len, max_len;
    uint64_t total_len;
} Column;

typedef struct {
    const char *key;
    uint32_t len;
    uint64_t hash;
    uint32_t count;
    int64_t sum, min, max;
} Bucket;

typedef struct {
    Bucket *slots;
    uint32_t cap, used;
} HashTable;

typedef int (*NumPred)(int64_t a, int64_t b);

typedef struct {
    const char *name;
    NumPred pred;
} PredOp;

static char input[MAX_INPUT + 1];
static size_t input_len;
static char *pool;
static size_t pool_len, pool_cap;
static Cell *cells;
static uint32_t ncells;
static uint32_t ncols, nrows; /* nrows excludes the header */
static Column columns[MAX_COLS];
static char parse_err[128];

static int p_lt(int64_t a, int64_t b) { return a < b; }
static int p_le(int64_t a, int64_t b) { return a <= b; }
static int p_gt(int64_t a, int64_t b) { return a > b; }
static int p_ge(int64_t a, int64_t b) { return a >= b; }
static int p_eq(int64_t a, int64_t b) { return a == b; }
static int p_ne(int64_t a, int64_t b) { return a != b; }

static const PredOp pred_ops[] = {
    {"<", p_lt}, {"<=", p_le}, {">", p_gt}, {">=", p_ge}, {"==", p_eq}, {"!=", p_ne},
};

static _Noreturn void die(const char *msg, const char *arg) {
    fprintf(stderr, "error: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void pool_put(char c) {
    if (pool_len + 1 > pool_cap) {
        pool_cap = pool_cap ? pool_cap * 2 : 65536;
        pool = realloc(pool, pool_cap);
        if (!pool) die("out of memory", NULL);
    }
    pool[pool_len++] = c;
}

/* Parses "-123", "45.67" (up to 4 decimals). Returns 1 for integer, 2 for decimal, 0 otherwise. */
static int parse_num(const char *s, uint32_t len, int64_t *out) {
    uint32_t i = 0;
    int neg = 0, frac_digits = 0, int_digits = 0;
    int64_t ip = 0, fp = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        ip = ip * 10 + (s[i++] - '0');
        if (ip >= MAX_INT_PART) return 0;
        int_digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (frac_digits >= 4) return 0;
            fp = fp * 10 + (s[i++] - '0');
            frac_digits++;
        }
        if (frac_digits == 0) return 0;
    }
    if (i != len || int_digits == 0) return 0;
    for (int k = frac_digits; k < 4; k++) fp *= 10;
    int64_t v = ip * SCALE + fp;
    *out = neg ? -v : v;
    return frac_digits ? 2 : 1;
}

static void finish_cell(uint32_t start, int row_fields) {
    if (ncells >= MAX_CELLS) die("too many cells", NULL);
    if (row_fields >= MAX_COLS) die("too many columns", NULL);
    Cell *c = &cells[ncells++];
    c->off = start;
    c->len = (uint32_t)(pool_len - start);
    c->numeric = 0;
    c->value = 0;
    pool_put('\0');
}

/* State machine CSV parser; fills the cell pool. Returns the number of records (incl. header). */
static int parse_csv(const char *text, size_t len, uint32_t *out_cols) {
    ParseState st = ST_FIELD_START;
    uint32_t start = 0, fields = 0, records = 0, expect = 0;
    pool_len = 0;
    ncells = 0;
    size_t i = 0;
    while (i <= len) {
        int c = i < len ? (unsigned char)text[i] : -1;
        int end_record = 0, end_field = 0;
        switch (st) {
        case ST_FIELD_START:
            start = (uint32_t)pool_len;
            if (c == '"') st = ST_QUOTED;
            else if (c == ',') end_field = 1;
            else if (c == '\n' || c == -1) end_record = 1;
            else if (c == '\r') { /* ignored */
            } else {
                pool_put((char)c);
                st = ST_UNQUOTED;
            }
            break;
        case ST_UNQUOTED:
            if (c == ',') end_field = 1;
            else if (c == '\n' || c == -1) end_record = 1;
            else if (c == '"') {
                snprintf(parse_err, sizeof parse_err, "quote inside unquoted field (record %u)", records + 1);
                return -1;
            } else if (c != '\r') pool_put((char)c);
            break;
        case ST_QUOTED:
            if (c == -1) {
                snprintf(parse_err, sizeof parse_err, "unterminated quoted field (record %u)", records + 1);
                return -1;
            }
            if (c == '"') st = ST_QUOTE_IN_QUOTED;
            else pool_put((char)c);
            break;
        case ST_QUOTE_IN_QUOTED:
            if (c == '"') {
                pool_put('"');
                st = ST_QUOTED;
            } else if (c == ',') end_field = 1;
            else if (c == '\n' || c == -1) end_record = 1;
            else if (c != '\r') {
                snprintf(parse_err, sizeof parse_err, "junk after closing quote (record %u)", records + 1);
                return -1;
            }
            break;
        }
        if (c == 0) {
            snprintf(parse_err, sizeof parse_err, "NUL byte in record %u", records + 1);
            return -1;
        }
        if (end_field || end_record) {
            /* a blank line at the very end (or a trailing newline) is not a record */
            if (end_record && fields == 0 && pool_len == start && st == ST_FIELD_START) {
                if (c == -1) break;
                i++;
                continue;
            }
            finish_cell(start, (int)fields);
            fields++;
            st = ST_FIELD_START;
            if (end_record) {
                if (records == 0) expect = fields;
                else if (fields != expect) {
                    snprintf(parse_err, sizeof parse_err, "record %u has %u fields, expected %u", records + 1, fields, expect);
                    return -1;
                }
                records++;
                if (records > MAX_ROWS + 1) {
                    snprintf(parse_err, sizeof parse_err, "too many records");
                    return -1;
                }
                fields = 0;
            }
        }
        if (c == -1) break;
        i++;
    }
    *out_cols = expect;
    return (int)records;
}

static Cell *cell(uint32_t row, uint32_t col) { return &cells[(row + 1) * ncols + col]; }
static const char *cell_text(const Cell *c) { return pool + c->off; }

static void analyze_columns(void) {
    for (uint32_t c = 0; c < ncols; c++) {
        Column *col = &columns[c];
        const Cell *h = &cells[c];
        if (h->len == 0 || h->len >= sizeof col->name) die("bad column name", NULL);
        memset(col, 0, sizeof *col);
        memcpy(col->name, cell_text(h), h->len + 1);
        col->min_len = UINT32_MAX;
        for (uint32_t r = 0; r < nrows; r++) {
            Cell *x = cell(r, c);
            if (x->len == 0) continue;
            col->nonempty++;
            col->total_len += x->len;
            if (x->len < col->min_len) col->min_len = x->len;
            if (x->len > col->max_len) col->max_len = x->len;
            int kind = parse_num(cell_text(x), x->len, &x->value);
            if (!kind) continue;
            x->numeric = 1;
            if (col->numeric == 0 || x->value < col->min) col->min = x->value;
            if (col->numeric == 0 || x->value > col->max) col->max = x->value;
            col->sum += x->value;
            col->numeric++;
            if (kind == 2) col->decimals++;
        }
        if (col->nonempty == 0) col->type = TYPE_EMPTY;
        else if (col->numeric < col->nonempty) col->type = TYPE_TEXT;
        else col->type = col->decimals ? TYPE_DECIMAL : TYPE_INT;
    }
}

static void print_fixed(int64_t v) {
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    printf("%s%llu.%04llu", v < 0 ? "-" : "", (unsigned long long)(a / SCALE), (unsigned long long)(a % SCALE));
}

/* ---------- hash table keyed by cell text ---------- */

static void ht_init(HashTable *t, uint32_t cap) {
    t->cap = cap;
    t->used = 0;
    t->slots = calloc(cap, sizeof(Bucket));
    if (!t->slots) die("out of memory", NULL);
}

static Bucket *ht_find(HashTable *t, const char *key, uint32_t len);

static void ht_grow(HashTable *t) {
    HashTable bigger;
    ht_init(&bigger, t->cap * 2);
    for (uint32_t i = 0; i < t->cap; i++) {
        Bucket *b = &t->slots[i];
        if (!b->key) continue;
        uint32_t h = (uint32_t)b->hash & (bigger.cap - 1);
        while (bigger.slots[h].key) h = (h + 1) & (bigger.cap - 1);
        bigger.slots[h] = *b;
        bigger.used++;
    }
    free(t->slots);
    *t = bigger;
}

static Bucket *ht_find(HashTable *t, const char *key, uint32_t len) {
    if ((t->used + 1) * 4 > t->cap * 3) ht_grow(t);
    uint64_t hv = fnv(key, len);
    uint32_t h = (uint32_t)hv & (t->cap - 1);
    for (;;) {
        Bucket *b = &t->slots[h];
        if (!b->key) {
            b->key = key;
            b->len = len;
            b->hash = hv;
            t->used++;
            return b;
        }
        if (b->hash == hv && b->len == len && memcmp(b->key, key, len) == 0) return b;
        h = (h + 1) & (t->cap - 1);
    }
}

static int find_column(const char *name) {
    for (uint32_t c = 0; c < ncols; c++) {
        if (strcmp(columns[c].name, name) == 0) return (int)c;
    }
    die("unknown column", name);
}

static int cmp_bucket_key(const void *a, const void *b) {
    const Bucket *x = a, *y = b;
    uint32_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, m);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

static Bucket *collect(HashTable *t, uint32_t *n) {
    Bucket *arr = malloc(sizeof(Bucket) * (t->used ? t->used : 1));
    if (!arr) die("out of memory", NULL);
    *n = 0;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key) arr[(*n)++] = t->slots[i];
    }
    qsort(arr, *n, sizeof(Bucket), cmp_bucket_key);
    return arr;
}

/* ---------- commands ---------- */

static void cmd_stats(void) {
    static const char *type_names[] = {"empty", "int", "decimal", "text"};
    printf("stats: %u rows x %u columns\n", nrows, ncols);
    for (uint32_t c = 0; c < ncols; c++) {
        Column *col = &columns[c];
        printf("  %-12s %-7s nonempty %u len %u..%u avg*100 %llu", col->name, type_names[col->type], col->nonempty,
               col->nonempty ? col->min_len : 0, col->max_len,
               (unsigned long long)(col->nonempty ? col->total_len * 100 / col->nonempty : 0));
        if (col->type == TYPE_INT || col->type == TYPE_DECIMAL) {
            printf(" min ");
            print_fixed(col->min);
            printf(" max ");
            print_fixed(col->max);
            printf(" sum ");
            print_fixed(col->sum);
        }
        putchar('\n');
    }
}

static void cmd_distinct(const char *name) {
    int c = find_column(name);
    HashTable t;
    ht_init(&t, 64);
    for (uint32_t r = 0; r < nrows; r++) {
        Cell *x = cell(r, (uint32_t)c);
        ht_find(&t, cell_text(x), x->len)->count++;
    }
    uint32_t n;
    Bucket *arr = collect(&t, &n);
    uint32_t best = 0;
    uint64_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (arr[i].count > arr[best].count) best = i;
        h = h * 31 + arr[i].hash + arr[i].count;
    }
    printf("distinct %s: %u values, most common '%.30s' x%u, hash %016llx\n", name, n, n ? arr[best].key : "",
           n ? arr[best].count : 0, (unsigned long long)h);
    free(arr);
    free(t.slots);
}

static int row_passes(uint32_t r, int wcol, const char *op, const char *value, NumPred pred, int64_t wval) {
    if (wcol < 0) return 1;
    const Cell *x = cell(r, (uint32_t)wcol);
    if (pred) return x->numeric && pred(x->value, wval);
    if (strcmp(op, "=") == 0) return strcmp(cell_text(x), value) == 0;
    return strstr(cell_text(x), value) != NULL;
}

static void cmd_group(char **argv, int argc) {
    if (argc != 3 && argc != 7) die("usage: group COL AGGCOL [where COL OP VALUE]", NULL);
    int gcol = find_column(argv[1]);
    int acol = find_column(argv[2]);
    int wcol = -1;
    NumPred pred = NULL;
    int64_t wval = 0;
    const char *op = NULL, *value = NULL;
    if (argc == 7) {
        if (strcmp(argv[3], "where") != 0) die("expected 'where'", argv[3]);
        wcol = find_column(argv[4]);
        op = argv[5];
        value = argv[6];
        if (strcmp(op, "=") != 0 && strcmp(op, "~") != 0) {
            for (size_t i = 0; i < sizeof pred_ops / sizeof pred_ops[0]; i++) {
                if (strcmp(op, pred_ops[i].name) == 0) pred = pred_ops[i].pred;
            }
            if (!pred) die("unknown operator", op);
            if (!parse_num(value, (uint32_t)strlen(value), &wval)) die("bad numeric value", value);
        }
    }
    HashTable t;
    ht_init(&t, 64);
    uint32_t passed = 0;
    for (uint32_t r = 0; r < nrows; r++) {
        if (!row_passes(r, wcol, op, value, pred, wval)) continue;
        passed++;
        Cell *k = cell(r, (uint32_t)gcol);
        Cell *a = cell(r, (uint32_t)acol);
        Bucket *b = ht_find(&t, cell_text(k), k->len);
        int64_t v = a->numeric ? a->value : 0;
        if (b->count == 0 || v < b->min) b->min = v;
        if (b->count == 0 || v > b->max) b->max = v;
        b->sum += v;
        b->count++;
    }
    uint32_t n;
    Bucket *arr = collect(&t, &n);
    printf("group %s by %s: %u rows, %u groups\n", argv[2], argv[1], passed, n);
    uint64_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        h = h * 1099511628211ull + (uint64_t)arr[i].sum + arr[i].hash;
        if (i >= 12) continue;
        printf("  %-16.16s n=%-5u sum=", arr[i].key, arr[i].count);
        print_fixed(arr[i].sum);
        printf(" min=");
        print_fixed(arr[i].min);
        printf(" max=");
        print_fixed(arr[i].max);
        putchar('\n');
    }
    printf("  groups hash %016llx\n", (unsigned long long)h);
    free(arr);
    free(t.slots);
}

static int sort_col;

static int row_before(uint32_t a, uint32_t b) {
    const Cell *x = cell(a, (uint32_t)sort_col), *y = cell(b, (uint32_t)sort_col);
    int64_t xv = x->numeric ? x->value : INT64_MIN, yv = y->numeric ? y->value : INT64_MIN;
    if (xv != yv) return xv > yv;
    return a < b;
}

static void merge_sort(uint32_t *v, uint32_t *tmp, uint32_t n) {
    if (n < 2) return;
    if (n <= 8) {
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = v[i], j = i;
            while (j > 0 && row_before(x, v[j - 1])) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    uint32_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    uint32_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = row_before(v[j], v[i]) ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static void cmd_top(const char *name, const char *count) {
    sort_col = find_column(name);
    int64_t n;
    if (parse_num(count, (uint32_t)strlen(count), &n) != 1 || n < 0) die("bad count", count);
    n /= SCALE;
    uint32_t *idx = malloc(sizeof(uint32_t) * (nrows + 1));
    uint32_t *tmp = malloc(sizeof(uint32_t) * (nrows + 1));
    if (!idx || !tmp) die("out of memory", NULL);
    for (uint32_t r = 0; r < nrows; r++) idx[r] = r;
    merge_sort(idx, tmp, nrows);
    uint64_t h = 0;
    for (uint32_t r = 0; r < nrows; r++) h = h * 31 + idx[r];
    printf("top %s: order hash %016llx\n", name, (unsigned long long)h);
    for (uint32_t r = 0; r < nrows && r < (uint64_t)n; r++) {
        const Cell *x = cell(idx[r], (uint32_t)sort_col);
        printf("  row %u %s=%.20s first=%.20s\n", idx[r] + 1, name, cell_text(x), cell_text(cell(idx[r], 0)));
    }
    free(idx);
    free(tmp);
}

static int split_words(char *line, char **argv, int max) {
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r') *p++ = '\0';
        if (!*p) break;
        if (n >= max) die("too many words in command", NULL);
        argv[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r') p++;
    }
    return n;
}

int main(void) {
    input_len = fread(input, 1, MAX_INPUT, stdin);
    if (input_len == MAX_INPUT) die("input too large", NULL);
    input[input_len] = '\0';
    char *commands[MAX_COMMANDS];
    int ncommands = 0;
    size_t pos = 0;
    while (pos < input_len && input[pos] == '%') {
        size_t end = pos;
        while (end < input_len && input[end] != '\n') end++;
        if (ncommands >= MAX_COMMANDS) die("too many commands", NULL);
        input[end] = '\0';
        commands[ncommands++] = input + pos + 1;
        pos = end + 1;
    }
    if (pos > input_len) pos = input_len;
    const char *csv = input + pos;
    size_t csv_len = input_len - pos;
    cells = malloc(sizeof(Cell) * MAX_CELLS);
    if (!cells) die("out of memory", NULL);
    int records = parse_csv(csv, csv_len, &ncols);
    if (records < 0) die(parse_err, NULL);
    if (records < 1) die("missing header", NULL);
    nrows = (uint32_t)records - 1;
    uint64_t checksum = fnv(pool, pool_len);
    printf("parsed %u records, %u columns, %zu bytes of cell text\n", nrows, ncols, pool_len);
    analyze_columns();

    for (int i = 0; i < ncommands; i++) {
        char *argv[12];
        int argc = split_words(commands[i], argv, 12);
        if (argc == 0) continue;
        if (strcmp(argv[0], "repeat") == 0 && argc == 2) {
            int64_t n;
            if (parse_num(argv[1], (uint32_t)strlen(argv[1]), &n) != 1 || n < 0 || n > 10000ll * SCALE) die("bad repeat", argv[1]);
            uint64_t acc = 0;
            for (int64_t k = 0; k < n / SCALE; k++) {
                uint32_t nc;
                if (parse_csv(csv, csv_len, &nc) != records || fnv(pool, pool_len) != checksum) die("reparse mismatch", NULL);
                acc += ncells;
            }
            analyze_columns();
            printf("repeat: %lld reparses, %llu cells\n", (long long)(n / SCALE), (unsigned long long)acc);
        } else if (strcmp(argv[0], "stats") == 0 && argc == 1) {
            cmd_stats();
        } else if (strcmp(argv[0], "distinct") == 0 && argc == 2) {
            cmd_distinct(argv[1]);
        } else if (strcmp(argv[0], "group") == 0) {
            cmd_group(argv, argc);
        } else if (strcmp(argv[0], "top") == 0 && argc == 3) {
            cmd_top(argv[1], argv[2]);
        } else {
            die("unknown command", argv[0]);
        }
    }
    printf("checksum %016llx\n", (unsigned long long)checksum);
    free(cells);
    free(pool);
    return 0;
}
