#include <stdio.h>

#define N 24

static double a[N][N], b[N][N], c[N][N];

static void fill(double m[N][N], int seed) {
    unsigned s = (unsigned)seed;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            s = s * 1103515245u + 12345u;
            m[i][j] = (double)(s >> 16 & 0xff) / 16.0;
        }
}

static void multiply(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int k = 0; k < N; k++)
                sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
}

int main(void) {
    fill(a, 1);
    fill(b, 2);
    multiply();
    double trace = 0;
    for (int i = 0; i < N; i++) trace += c[i][i];
    printf("%.2f\n", trace);
    return 0;
}
