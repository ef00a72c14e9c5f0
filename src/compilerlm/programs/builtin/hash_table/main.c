/* Open-addressing hash table keyed by strings.
 *
 * Input: one command per line
 *   put <key> <value>           insert or overwrite (value is an unsigned 32-bit integer)
 *   get <key>                   print the value or "missing"
 *   del <key>                   remove the key
 *   bulk <count> <seed> <keys>  run count PRNG operations over a key space of the given size
 *   stats                       print table shape and probe statistics
 *   dump <n>                    print the first n live slots in table order
 *   sum                         print an order-independent checksum of the contents
 * Blank lines and lines starting with '#' are ignored. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY 63
#define MIN_CAPACITY 16
#define MAX_BULK 3000000ULL
#define MAX_TOTAL_OPS 12000000ULL
#define MAX_LINE 256

typedef enum { SLOT_EMPTY = 0, SLOT_LIVE, SLOT_DEAD } SlotState;

typedef struct {
    char *key;
    uint32_t hash;
    uint32_t value;
    unsigned char state;
} Slot;

typedef struct {
    Slot *slots;
    size_t capacity; /* always a power of two */
    size_t live;
    size_t dead;
    uint64_t probes;   /* total probe steps over all operations */
    uint64_t lookups;  /* operations that probed */
    unsigned resizes;
} Table;

typedef struct {
    uint64_t puts, gets, hits, dels, removed;
} OpStats;

static Table table;
static OpStats op_stats;
static unsigned long long total_ops;

/* ---------- hashing ---------- */

static uint32_t hash_key(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    /* final avalanche so that linear probing does not cluster on similar keys */
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/* ---------- table core ---------- */

static void fatal(const char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(1);
}

static void table_init(Table *t, size_t cap) {
    t->slots = calloc(cap, sizeof *t->slots);
    if (!t->slots)
        fatal("out of memory");
    t->capacity = cap;
    t->live = t->dead = 0;
}

static void table_rehash(Table *t, size_t new_cap) {
    Slot *old = t->slots;
    size_t old_cap = t->capacity;
    table_init(t, new_cap);
    size_t mask = new_cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].state != SLOT_LIVE)
            continue;
        size_t j = old[i].hash & mask;
        while (t->slots[j].state != SLOT_EMPTY)
            j = (j + 1) & mask;
        t->slots[j] = old[i];
        t->live++;
    }
    t->resizes++;
    free(old);
}

/* Returns the slot index holding key, or the capacity if absent. When insert_at is non-NULL it
 * receives the first reusable slot along the probe path. */
static size_t table_find(Table *t, const char *key, size_t len, uint32_t h, size_t *insert_at) {
    size_t mask = t->capacity - 1;
    size_t i = h & mask;
    size_t first_free = t->capacity;
    t->lookups++;
    for (;;) {
        Slot *s = &t->slots[i];
        t->probes++;
        switch (s->state) {
        case SLOT_EMPTY:
            if (insert_at)
                *insert_at = first_free < t->capacity ? first_free : i;
            return t->capacity;
        case SLOT_DEAD:
            if (first_free == t->capacity)
                first_free = i;
            break;
        case SLOT_LIVE:
            if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == '\0')
                return i;
            break;
        default:
            fatal("corrupt slot");
        }
        i = (i + 1) & mask;
    }
}

static int maybe_grow(Table *t) {
    /* keep live + dead below 70% so probe sequences always reach an empty slot */
    if ((t->live + t->dead + 1) * 10 <= t->capacity * 7)
        return 0;
    size_t cap = t->capacity;
    if ((t->live + 1) * 10 > cap * 4)
        cap *= 2; /* genuinely full: grow */
    table_rehash(t, cap); /* otherwise just purge tombstones */
    return 1;
}

static void maybe_shrink(Table *t) {
    if (t->capacity > MIN_CAPACITY && t->live * 10 < t->capacity) {
        size_t cap = t->capacity;
        while (cap > MIN_CAPACITY && t->live * 4 < cap)
            cap /= 2;
        table_rehash(t, cap);
    }
}

static int table_put(Table *t, const char *key, uint32_t value) {
    size_t len = strlen(key);
    uint32_t h = hash_key(key, len);
    size_t at = 0;
    size_t idx = table_find(t, key, len, h, &at);
    op_stats.puts++;
    if (idx < t->capacity) {
        t->slots[idx].value = value;
        return 0;
    }
    if (maybe_grow(t))
        table_find(t, key, len, h, &at); /* table was rebuilt: probe again for an insertion slot */
    Slot *s = &t->slots[at];
    if (s->state == SLOT_DEAD)
        t->dead--;
    s->key = malloc(len + 1);
    if (!s->key)
        fatal("out of memory");
    memcpy(s->key, key, len + 1);
    s->hash = h;
    s->value = value;
    s->state = SLOT_LIVE;
    t->live++;
    return 1;
}

static const Slot *table_get(Table *t, const char *key) {
    size_t len = strlen(key);
    uint32_t h = hash_key(key, len);
    size_t idx = table_find(t, key, len, h, NULL);
    op_stats.gets++;
    if (idx == t->capacity)
        return NULL;
    op_stats.hits++;
    return &t->slots[idx];
}

static int table_del(Table *t, const char *key) {
    size_t len = strlen(key);
    uint32_t h = hash_key(key, len);
    size_t idx = table_find(t, key, len, h, NULL);
    op_stats.dels++;
    if (idx == t->capacity)
        return 0;
    Slot *s = &t->slots[idx];
    free(s->key);
    s->key = NULL;
    s->state = SLOT_DEAD;
    t->live--;
    t->dead++;
    op_stats.removed++;
    maybe_shrink(t);
    return 1;
}

static uint64_t table_checksum(const Table *t) {
    uint64_t sum = 0;
    for (size_t i = 0; i < t->capacity; i++) {
        const Slot *s = &t->slots[i];
        if (s->state == SLOT_LIVE)
            sum += (uint64_t)s->hash * (s->value | 1u) + s->value;
    }
    return sum;
}

static void table_free(Table *t) {
    for (size_t i = 0; i < t->capacity; i++)
        if (t->slots[i].state == SLOT_LIVE)
            free(t->slots[i].key);
    free(t->slots);
}

/* ---------- bulk workload ---------- */

static uint64_t lcg_state;

static uint32_t lcg_next(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

static const char *const key_prefixes[] = {"user:", "item/", "k", "session-", "cfg.", "node_"};

static void make_key(char *buf, uint32_t id) {
    const char *prefix = key_prefixes[id % (sizeof key_prefixes / sizeof key_prefixes[0])];
    size_t n = strlen(prefix);
    memcpy(buf, prefix, n);
    /* base-36 digits, least significant first */
    do {
        uint32_t d = id % 36u;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + (d - 10));
        id /= 36u;
    } while (id);
    buf[n] = '\0';
}

static void run_bulk(unsigned long long count, uint64_t seed, uint32_t keyspace) {
    lcg_state = seed * 2654435761ULL + 1;
    uint64_t acc = 0;
    unsigned long long inserted = 0, found = 0, removed = 0;
    char key[MAX_KEY + 1];
    for (unsigned long long i = 0; i < count; i++) {
        uint32_t r = lcg_next();
        uint32_t id = lcg_next() % keyspace;
        make_key(key, id);
        switch (r % 10u) {
        case 0: case 1: case 2: case 3: case 4:
            inserted += (unsigned long long)table_put(&table, key, r ^ id);
            break;
        case 5: case 6: case 7: {
            const Slot *s = table_get(&table, key);
            if (s) {
                found++;
                acc = acc * 31u + s->value;
            }
            break;
        }
        default:
            removed += (unsigned long long)table_del(&table, key);
            break;
        }
    }
    printf("bulk %llu: new=%llu found=%llu removed=%llu live=%zu acc=%016llx\n", count, inserted, found, removed,
           table.live, (unsigned long long)acc);
}

/* ---------- command parsing ---------- */

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out) {
    unsigned long long v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static int valid_key(const char *k) {
    size_t n = strlen(k);
    if (n == 0 || n > MAX_KEY)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)k[i] <= ' ' || (unsigned char)k[i] >= 127)
            return 0;
    return 1;
}

static void cmd_stats(void) {
    size_t longest = 0, run = 0, clusters = 0;
    for (size_t i = 0; i < table.capacity; i++) {
        if (table.slots[i].state != SLOT_EMPTY) {
            if (run == 0)
                clusters++;
            run++;
            if (run > longest)
                longest = run;
        } else {
            run = 0;
        }
    }
    unsigned long long avg100 = table.lookups ? (unsigned long long)(table.probes * 100 / table.lookups) : 0;
    printf("stats: live=%zu dead=%zu cap=%zu resizes=%u clusters=%zu longest=%zu probes/op=%llu.%02llu\n", table.live,
           table.dead, table.capacity, table.resizes, clusters, longest, avg100 / 100, avg100 % 100);
    printf("ops: puts=%llu gets=%llu hits=%llu dels=%llu removed=%llu\n", (unsigned long long)op_stats.puts,
           (unsigned long long)op_stats.gets, (unsigned long long)op_stats.hits, (unsigned long long)op_stats.dels,
           (unsigned long long)op_stats.removed);
}

static void cmd_dump(unsigned long long n) {
    unsigned long long shown = 0;
    for (size_t i = 0; i < table.capacity && shown < n; i++) {
        const Slot *s = &table.slots[i];
        if (s->state == SLOT_LIVE) {
            printf("  [%zu] %s=%u\n", i, s->key, s->value);
            shown++;
        }
    }
}

static int count_ops(unsigned long long n) {
    total_ops += n;
    return total_ops <= MAX_TOTAL_OPS;
}

int main(void) {
    char line[MAX_LINE];
    int lineno = 0;
    table_init(&table, MIN_CAPACITY);
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(stdin)) {
            fprintf(stderr, "line %d: too long\n", lineno);
            return 1;
        }
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#')
            continue;
        char *argv[5];
        int argc = 0;
        for (char *tok = strtok(p, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
            if (argc == 5) {
                fprintf(stderr, "line %d: too many fields\n", lineno);
                return 1;
            }
            argv[argc++] = tok;
        }
        if (argc == 0)
            continue;
        unsigned long long a, b, c;
        const char *cmd = argv[0];
        int ok = 1;
        if (strcmp(cmd, "put") == 0) {
            ok = argc == 3 && valid_key(argv[1]) && parse_u64(argv[2], UINT32_MAX, &a) && count_ops(1);
            if (ok)
                printf("put %s %s\n", argv[1], table_put(&table, argv[1], (uint32_t)a) ? "new" : "updated");
        } else if (strcmp(cmd, "get") == 0) {
            ok = argc == 2 && valid_key(argv[1]) && count_ops(1);
            if (ok) {
                const Slot *s = table_get(&table, argv[1]);
                if (s)
                    printf("get %s = %u\n", argv[1], s->value);
                else
                    printf("get %s missing\n", argv[1]);
            }
        } else if (strcmp(cmd, "del") == 0) {
            ok = argc == 2 && valid_key(argv[1]) && count_ops(1);
            if (ok)
                printf("del %s %s\n", argv[1], table_del(&table, argv[1]) ? "removed" : "absent");
        } else if (strcmp(cmd, "bulk") == 0) {
            ok = argc == 4 && parse_u64(argv[1], MAX_BULK, &a) && parse_u64(argv[2], UINT64_MAX, &b) &&
                 parse_u64(argv[3], 100000000ULL, &c) && c > 0 && count_ops(a);
            if (ok)
                run_bulk(a, b, (uint32_t)c);
        } else if (strcmp(cmd, "stats") == 0) {
            ok = argc == 1;
            if (ok)
                cmd_stats();
        } else if (strcmp(cmd, "dump") == 0) {
            ok = argc == 2 && parse_u64(argv[1], 1000, &a);
            if (ok)
                cmd_dump(a);
        } else if (strcmp(cmd, "sum") == 0) {
            ok = argc == 1;
            if (ok)
                printf("sum live=%zu checksum=%016llx\n", table.live, (unsigned long long)table_checksum(&table));
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "line %d: bad command or limit exceeded\n", lineno);
            return 1;
        }
    }
    printf("final live=%zu cap=%zu checksum=%016llx\n", table.live, table.capacity,
           (unsigned long long)table_checksum(&table));
    table_free(&table);
    return 0;
}
