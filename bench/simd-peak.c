// The machine's peak float32 rate for 128-bit SIMD with separate multiply and add (what
// WebAssembly's f32x4.mul and f32x4.add compile to; WebAssembly SIMD has no fused multiply-add):
// each thread runs 12 independent f32x4 chains of x = x·m + a, so the multiply and add ports,
// not latency, bound it. Prints one JSON line: {"threads": T, "gflops": G, "perThread": [..]}.
// Build: gcc -O2 -msse2 -mno-avx -mno-fma -pthread simd-peak.c -o simd-peak; run: simd-peak T
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <xmmintrin.h>

#define CHAINS 12
#define STEPS 100000000L

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define STEP(x) x = _mm_add_ps(_mm_mul_ps(x, m), a)

static void *chain(void *out) {
  const __m128 m = _mm_set1_ps(0.999999f), a = _mm_set1_ps(1e-7f);
  __m128 x0 = _mm_set1_ps(1), x1 = _mm_set1_ps(2), x2 = _mm_set1_ps(3), x3 = _mm_set1_ps(4);
  __m128 x4 = _mm_set1_ps(5), x5 = _mm_set1_ps(6), x6 = _mm_set1_ps(7), x7 = _mm_set1_ps(8);
  __m128 x8 = _mm_set1_ps(9), x9 = _mm_set1_ps(10), x10 = _mm_set1_ps(11), x11 = _mm_set1_ps(12);
  double start = now();
  for (long s = 0; s < STEPS; s++) {
    STEP(x0); STEP(x1); STEP(x2); STEP(x3); STEP(x4); STEP(x5);
    STEP(x6); STEP(x7); STEP(x8); STEP(x9); STEP(x10); STEP(x11);
  }
  double seconds = now() - start;
  __m128 sum = _mm_add_ps(_mm_add_ps(_mm_add_ps(x0, x1), _mm_add_ps(x2, x3)),
                          _mm_add_ps(_mm_add_ps(x4, x5), _mm_add_ps(x6, x7)));
  sum = _mm_add_ps(sum, _mm_add_ps(_mm_add_ps(x8, x9), _mm_add_ps(x10, x11)));
  volatile float sink = _mm_cvtss_f32(sum);
  (void)sink;
  *(double *)out = 8.0 * CHAINS * STEPS / seconds / 1e9;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) threads = 1;
  pthread_t id[256];
  double rate[256];
  for (int t = 0; t < threads; t++) pthread_create(&id[t], NULL, chain, &rate[t]);
  double total = 0;
  for (int t = 0; t < threads; t++) {
    pthread_join(id[t], NULL);
    total += rate[t];
  }
  printf("{\"threads\": %d, \"gflops\": %.2f, \"perThread\": [", threads, total);
  for (int t = 0; t < threads; t++) printf("%s%.2f", t ? ", " : "", rate[t]);
  printf("]}\n");
  return 0;
}
