/*
 * Reference GEMM timings from OpenBLAS, in the same format as `./descent bench gemm --csv`:
 * m,n,k,threads,gflops_median,gflops_min,gflops_max. Built and run by gemm-vs-openblas.sh.
 * Usage: openblas_sgemm THREADS REPEATS M,N,K[,T] ...   (T: B transposed, as in backward)
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void openblas_set_num_threads(int);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s THREADS REPEATS M,N,K[,T] ...\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[1]), repeats = atoi(argv[2]);
    openblas_set_num_threads(threads);
    for (int s = 3; s < argc; s++) {
        int m, n, k;
        char t = 'N';
        if (sscanf(argv[s], "%d,%d,%d,%c", &m, &n, &k, &t) < 3) {
            fprintf(stderr, "bad shape %s\n", argv[s]);
            return 2;
        }
        int transB = t == 'T';
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
        for (long i = 0; i < (long) m * k; i++) a[i] = (float) rand() / RAND_MAX - 0.5f;
        for (long i = 0; i < (long) k * n; i++) b[i] = (float) rand() / RAND_MAX - 0.5f;
        double flops = 2.0 * m * n * k;
        /* Each sample runs long enough (about 20 ms) for the clock to resolve it. */
        int inner = (int) (2e7 / flops * 50) + 1;
        double *g = malloc(sizeof(double) * repeats);
        for (int r = -3; r < repeats; r++) {
            double t0 = now();
            for (int i = 0; i < inner; i++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                            a, k, b, transB ? k : n, 0.0f, c, n);
            double sec = (now() - t0) / inner;
            if (r >= 0) g[r] = flops / sec / 1e9;
        }
        qsort(g, repeats, sizeof(double), cmp);
        printf("%d,%d,%d,%d,%.1f,%.1f,%.1f\n", m, n, k, threads, g[repeats / 2], g[0], g[repeats - 1]);
        fflush(stdout);
        free(a); free(b); free(c); free(g);
    }
    return 0;
}
