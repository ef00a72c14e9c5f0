/* csv_report: group-by aggregation over a CSV file, writing a text report.
 *
 * usage: csv_report INPUT.csv REPORT.txt -k KEYCOL [-k KEYCOL]... -v VALUECOL
 *                   [-w COL=VALUE]... [-s key|count|sum|mean|median] [-r] [-t N]
 *   The first line of INPUT is a header naming the columns.  Fields follow RFC 4180
 *   quoting ("a, b" and "say ""hi"""), values are decimals with at most two fraction
 *   digits and are kept exactly as integer hundredths.  Rows with the wrong number of
 *   fields or an unparsable value are skipped and counted.  -w keeps only rows whose
 *   column equals VALUE, -s picks the sort order (default key), -r reverses it and
 *   -t keeps only the first N groups.  Each group gets count, sum, min, max, mean,
 *   median and population standard deviation.
 * exit status: 0 ok, 1 I/O or data error, 2 usage error. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 32
#define MAX_KEYS 4
#define MAX_WHERE 4
#define LINE_MAX_LEN 4096

typedef struct {
    char *key;
    long long count, sum, min, max, median2; /* median2 = twice the median */
    double stddev;
    size_t first; /* index of the group's first value after sorting */
} Group;

typedef struct {
    int group;
    long long value;
} Entry;

static Group *groups;
static int ngroups, group_cap;
static int *table; /* open addressing: group index + 1, 0 = empty */
static int table_cap = 64;
static Entry *entries;
static size_t nentries, entry_cap;
static int sort_mode, reverse;

_Noreturn static void fail(int code, const char *msg, const char *arg) {
    printf("csv_report: %s%s\n", msg, arg ? arg : "");
    exit(code);
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) fail(1, "out of memory", NULL);
    return p;
}

/* split one line into fields in place; returns the field count or -1 on bad quoting */
static int split_csv(char *line, char **fields) {
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (n == MAX_FIELDS) return -1;
        fields[n++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0') return -1;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                    } else {
                        r++;
                        break;
                    }
                } else {
                    *w++ = *r++;
                }
            }
            if (*r != ',' && *r != '\0') return -1;
        } else {
            while (*r != ',' && *r != '\0') *w++ = *r++;
        }
        if (*r == '\0') {
            *w = '\0';
            return n;
        }
        r++; /* skip the comma */
        *w++ = '\0';
    }
}

static int parse_cents(const char *s, long long *out) {
    while (*s == ' ') s++;
    int neg = 0;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (*s < '0' || *s > '9') return 0;
    long long v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
        if (v > 100000000000000LL) return 0;
    }
    v *= 100;
    if (*s == '.') {
        s++;
        if (*s >= '0' && *s <= '9') v += 10 * (*s++ - '0');
        if (*s >= '0' && *s <= '9') v += *s++ - '0';
    }
    while (*s == ' ') s++;
    if (*s != '\0') return 0;
    *out = neg ? -v : v;
    return 1;
}

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static int find_group(const char *key) {
    uint32_t mask = (uint32_t)table_cap - 1u;
    uint32_t i = hash_str(key) & mask;
    while (table[i]) {
        if (strcmp(groups[table[i] - 1].key, key) == 0) return table[i] - 1;
        i = (i + 1) & mask;
    }
    if (ngroups == group_cap) {
        group_cap = group_cap ? group_cap * 2 : 16;
        groups = xrealloc(groups, sizeof(Group) * (size_t)group_cap);
    }
    Group *g = &groups[ngroups];
    memset(g, 0, sizeof *g);
    g->key = xrealloc(NULL, strlen(key) + 1);
    strcpy(g->key, key);
    table[i] = ++ngroups;
    if (ngroups * 2 > table_cap) { /* grow and rehash */
        free(table);
        table_cap *= 2;
        table = calloc((size_t)table_cap, sizeof(int));
        if (!table) fail(1, "out of memory", NULL);
        for (int k = 0; k < ngroups; k++) {
            uint32_t j = hash_str(groups[k].key) & ((uint32_t)table_cap - 1u);
            while (table[j]) j = (j + 1) & ((uint32_t)table_cap - 1u);
            table[j] = k + 1;
        }
    }
    return ngroups - 1;
}

/* bottom-up merge sort of the entries by (group, value) */
static void sort_entries(void) {
    Entry *tmp = xrealloc(NULL, sizeof(Entry) * (nentries ? nentries : 1));
    Entry *src = entries, *dst = tmp;
    for (size_t width = 1; width < nentries; width *= 2) {
        for (size_t lo = 0; lo < nentries; lo += 2 * width) {
            size_t mid = lo + width < nentries ? lo + width : nentries;
            size_t hi = lo + 2 * width < nentries ? lo + 2 * width : nentries;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) {
                int take_b = src[b].group < src[a].group ||
                             (src[b].group == src[a].group && src[b].value < src[a].value);
                dst[k++] = take_b ? src[b++] : src[a++];
            }
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        Entry *t = src;
        src = dst;
        dst = t;
    }
    if (src != entries) memcpy(entries, src, sizeof(Entry) * nentries);
    free(tmp);
}

static long long sort_metric(const Group *g) {
    switch (sort_mode) {
    case 1: return g->count;
    case 2: return g->sum;
    case 3: return g->sum * 100 / g->count;
    default: return g->median2;
    }
}

static int cmp_groups(const void *pa, const void *pb) {
    const Group *a = pa, *b = pb;
    int c = 0;
    if (sort_mode != 0) {
        long long x = sort_metric(a), y = sort_metric(b);
        c = (x > y) - (x < y);
    }
    if (c == 0) c = strcmp(a->key, b->key);
    return reverse ? -c : c;
}

static void fmt_cents(char *buf, size_t n, long long v) {
    const char *sign = v < 0 ? "-" : "";
    unsigned long long a = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
    snprintf(buf, n, "%s%llu.%02llu", sign, a / 100, a % 100);
}

_Noreturn static void usage(const char *msg) {
    printf("csv_report: %s\nusage: csv_report INPUT.csv REPORT.txt -k KEYCOL... -v VALUECOL "
           "[-w COL=VALUE]... [-s key|count|sum|mean|median] [-r] [-t N]\n",
           msg);
    exit(2);
}

int main(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *keys[MAX_KEYS], *value_col = NULL, *where[MAX_WHERE];
    int nkeys = 0, nwhere = 0, top = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0' && a[2] == '\0' && strchr("kvwst", a[1]) && i + 1 < argc) {
            const char *v = argv[++i];
            if (a[1] == 'k') {
                if (nkeys == MAX_KEYS) usage("too many key columns");
                keys[nkeys++] = v;
            } else if (a[1] == 'v') {
                value_col = v;
            } else if (a[1] == 'w') {
                if (nwhere == MAX_WHERE || !strchr(v, '=')) usage("bad -w filter");
                where[nwhere++] = v;
            } else if (a[1] == 's') {
                static const char *modes[] = {"key", "count", "sum", "mean", "median"};
                sort_mode = -1;
                for (int m = 0; m < 5; m++)
                    if (strcmp(v, modes[m]) == 0) sort_mode = m;
                if (sort_mode < 0) usage("unknown sort order");
            } else {
                top = atoi(v);
                if (top < 1) usage("-t needs a positive count");
            }
        } else if (strcmp(a, "-r") == 0) {
            reverse = 1;
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            usage("unexpected argument");
        }
    }
    if (!in || !out || nkeys == 0 || !value_col) usage("need INPUT, REPORT, -k and -v");

    FILE *f = fopen(in, "r");
    if (!f) fail(1, "cannot open input ", in);
    static char line[LINE_MAX_LEN], header_buf[LINE_MAX_LEN];
    char *hdr[MAX_FIELDS], *fld[MAX_FIELDS];
    if (!fgets(header_buf, sizeof header_buf, f)) fail(1, "empty input ", in);
    header_buf[strcspn(header_buf, "\r\n")] = '\0';
    int ncols = split_csv(header_buf, hdr);
    if (ncols < 1) fail(1, "bad header in ", in);

    int key_idx[MAX_KEYS], where_idx[MAX_WHERE], value_idx = -1;
    const char *where_val[MAX_WHERE];
    for (int k = 0; k < nkeys; k++) {
        key_idx[k] = -1;
        for (int c = 0; c < ncols; c++)
            if (strcmp(hdr[c], keys[k]) == 0) key_idx[k] = c;
        if (key_idx[k] < 0) fail(1, "no such column: ", keys[k]);
    }
    for (int c = 0; c < ncols; c++)
        if (strcmp(hdr[c], value_col) == 0) value_idx = c;
    if (value_idx < 0) fail(1, "no such column: ", value_col);
    for (int w = 0; w < nwhere; w++) {
        const char *eq = strchr(where[w], '=');
        where_idx[w] = -1;
        where_val[w] = eq + 1;
        for (int c = 0; c < ncols; c++)
            if (strncmp(hdr[c], where[w], (size_t)(eq - where[w])) == 0 && hdr[c][eq - where[w]] == '\0')
                where_idx[w] = c;
        if (where_idx[w] < 0) fail(1, "no such column in filter: ", where[w]);
    }

    table = calloc((size_t)table_cap, sizeof(int));
    if (!table) fail(1, "out of memory", NULL);
    long rows = 0, bad_shape = 0, bad_value = 0, filtered = 0, first_bad = 0, lineno = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') continue;
        rows++;
        if (split_csv(line, fld) != ncols) {
            bad_shape++;
            if (!first_bad) first_bad = lineno;
            continue;
        }
        int keep = 1;
        for (int w = 0; w < nwhere; w++)
            if (strcmp(fld[where_idx[w]], where_val[w]) != 0) keep = 0;
        if (!keep) {
            filtered++;
            continue;
        }
        long long v;
        if (!parse_cents(fld[value_idx], &v)) {
            bad_value++;
            if (!first_bad) first_bad = lineno;
            continue;
        }
        char key[LINE_MAX_LEN];
        size_t kl = 0;
        for (int k = 0; k < nkeys; k++) {
            size_t l = strlen(fld[key_idx[k]]);
            if (k) key[kl++] = '/';
            memcpy(key + kl, fld[key_idx[k]], l);
            kl += l;
        }
        key[kl] = '\0';
        if (nentries == entry_cap) {
            entry_cap = entry_cap ? entry_cap * 2 : 256;
            entries = xrealloc(entries, sizeof(Entry) * entry_cap);
        }
        entries[nentries].group = find_group(key);
        entries[nentries].value = v;
        nentries++;
    }
    fclose(f);

    sort_entries();
    for (size_t i = 0; i < nentries;) {
        size_t j = i;
        Group *g = &groups[entries[i].group];
        while (j < nentries && entries[j].group == entries[i].group) g->sum += entries[j++].value;
        g->count = (long long)(j - i);
        g->first = i;
        g->min = entries[i].value;
        g->max = entries[j - 1].value;
        size_t mid = i + (j - i) / 2;
        g->median2 = (j - i) % 2 ? 2 * entries[mid].value : entries[mid - 1].value + entries[mid].value;
        double mean = (double)g->sum / (double)g->count, ss = 0.0;
        for (size_t k = i; k < j; k++) {
            double d = (double)entries[k].value - mean;
            ss += d * d;
        }
        g->stddev = sqrt(ss / (double)g->count) / 100.0;
        i = j;
    }
    qsort(groups, (size_t)ngroups, sizeof(Group), cmp_groups);

    FILE *o = fopen(out, "w");
    if (!o) fail(1, "cannot create report ", out);
    fprintf(o, "report on %s: value column '%s', grouped by", in, value_col);
    for (int k = 0; k < nkeys; k++) fprintf(o, "%s%s", k ? "/" : " ", keys[k]);
    fprintf(o, "\n%-28s %6s %14s %11s %11s %11s %11s %9s\n", "group", "count", "sum", "min", "max", "mean",
            "median", "stddev");
    long long total_sum = 0;
    int shown = top && top < ngroups ? top : ngroups;
    for (int i = 0; i < shown; i++) {
        const Group *g = &groups[i];
        char s_sum[32], s_min[32], s_max[32], s_mean[32], s_med[32];
        long long mean = g->sum >= 0 ? (g->sum + g->count / 2) / g->count : -((-g->sum + g->count / 2) / g->count);
        long long med = g->median2 >= 0 ? (g->median2 + 1) / 2 : -((-g->median2 + 1) / 2);
        fmt_cents(s_sum, sizeof s_sum, g->sum);
        fmt_cents(s_min, sizeof s_min, g->min);
        fmt_cents(s_max, sizeof s_max, g->max);
        fmt_cents(s_mean, sizeof s_mean, mean);
        fmt_cents(s_med, sizeof s_med, med);
        fprintf(o, "%-28.28s %6lld %14s %11s %11s %11s %11s %9.2f\n", g->key, g->count, s_sum, s_min, s_max,
                s_mean, s_med, g->stddev);
        total_sum += g->sum;
    }
    char s_total[32];
    fmt_cents(s_total, sizeof s_total, total_sum);
    fprintf(o, "%d of %d groups shown, total %s\n", shown, ngroups, s_total);
    if (fclose(o) != 0) fail(1, "write error on ", out);

    printf("%ld rows: %zu used, %ld filtered out, %ld malformed, %ld bad values\n", rows, nentries, filtered,
           bad_shape, bad_value);
    if (first_bad) printf("first skipped row at line %ld\n", first_bad);
    printf("%d groups, report written to %s\n", ngroups, out);
    for (int i = 0; i < ngroups; i++) free(groups[i].key);
    free(groups);
    free(table);
    free(entries);
    return 0;
}
