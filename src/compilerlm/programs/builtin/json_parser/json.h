/* A small JSON library: parse into an index-linked tree, serialize, compare. Numbers are kept
 * exactly as a decimal mantissa and power-of-ten exponent (no floating point). */
#ifndef JSON_PARSER_JSON_H
#define JSON_PARSER_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 256

typedef enum {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
    JSON_TYPE_COUNT
} JsonType;

typedef struct {
    uint8_t type;
    uint8_t is_int;
    int32_t exp10;
    int64_t mant;
    uint32_t key_off, key_len; /* object members only */
    uint32_t str_off, str_len; /* strings only */
    int32_t first_child, last_child, next;
    uint32_t count;
} JsonNode;

typedef struct {
    JsonNode *nodes;
    size_t nnodes, node_cap;
    char *strings;
    size_t str_len, str_cap;
} JsonDoc;

typedef struct {
    const char *msg;
    size_t pos;
    int line;
} JsonError;

void json_doc_init(JsonDoc *doc);
void json_doc_reset(JsonDoc *doc);
void json_doc_free(JsonDoc *doc);

/* Parses one value starting at text; *consumed receives the offset just after it (and trailing
 * whitespace). Returns the root node index or -1 with err filled. */
int json_parse(JsonDoc *doc, const char *text, size_t len, size_t *consumed, JsonError *err);

/* Serializes compactly (indent < 0) or pretty-printed; returns the full length even when the
 * buffer is too small (output is truncated then). */
size_t json_serialize(const JsonDoc *doc, int node, char *buf, size_t cap, int indent);

int json_equal(const JsonDoc *a, int na, const JsonDoc *b, int nb);
const char *json_type_name(JsonType t);

static inline const char *json_key(const JsonDoc *doc, const JsonNode *n) { return doc->strings + n->key_off; }
static inline const char *json_str(const JsonDoc *doc, const JsonNode *n) { return doc->strings + n->str_off; }

#endif
