#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum op { ADD, SUB, MUL, DIV, NONE };

struct token { enum op op; long value; };

static const char *cursor;

static long expr(void);

static long number(void) {
    long v = 0;
    while (isspace((unsigned char)*cursor)) cursor++;
    if (*cursor == '(') { cursor++; v = expr(); if (*cursor == ')') cursor++; return v; }
    while (isdigit((unsigned char)*cursor)) v = v * 10 + (*cursor++ - '0');
    return v;
}

static enum op peek(void) {
    while (isspace((unsigned char)*cursor)) cursor++;
    switch (*cursor) {
    case '+': return ADD;
    case '-': return SUB;
    case '*': return MUL;
    case '/': return DIV;
    default: return NONE;
    }
}

static long term(void) {
    long v = number();
    for (enum op o = peek(); o == MUL || o == DIV; o = peek()) {
        cursor++;
        long r = number();
        v = o == MUL ? v * r : (r ? v / r : 0);
    }
    return v;
}

static long expr(void) {
    long v = term();
    for (enum op o = peek(); o == ADD || o == SUB; o = peek()) {
        cursor++;
        long r = term();
        v = o == ADD ? v + r : v - r;
    }
    return v;
}

int main(void) {
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        cursor = line;
        printf("%ld\n", expr());
    }
    return 0;
}
