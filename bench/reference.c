/*
 * losskit bench: the hardware reference.
 *
 * Each workload is computed in one fused pass (value + gradient of the mean, float32 data,
 * float32 partial sums per block of 4096 elements added into a double), the way a hand-written,
 * vectorised kernel would do it; plus STREAM-style copy (a[i] = b[i]) and triad
 * (a[i] = b[i] + s*c[i]) at a given byte count, the memory bandwidth limit.
 *
 * Built by bench/run.mjs with: gcc -O3 -march=native -ffast-math -o bench/out/reference bench/reference.c -lm
 *
 * Usage:
 *   reference <kind> warmup=W budget=MS min=N max=N [opt=name:value ...] in=DIMS:FILL ...
 *   reference copy|triad warmup=W budget=MS min=N max=N bytes=B
 * DIMS is 8x512x8192; FILL is u:seed:lo:hi | bits:seed | labels:seed:classes[:ignoreSeed:rate:index]
 * | int:seed:lo:hi.
 * Prints one JSON object: {"kind", "samplesNs": [...], "value"}.
 * Inputs are generated exactly as bench/data.ts does (lowbias32 hash streams).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUTS 4
#define MAX_OPTIONS 8
#define BLOCK 4096

typedef struct {
  int rank;
  long dims[4];
  long size;
  float *data;
} Input;

typedef struct {
  char name[32];
  double value;
} Option;

static Input inputs[MAX_INPUTS];
static int n_inputs = 0;
static Option options[MAX_OPTIONS];
static int n_options = 0;
static float *grads[MAX_INPUTS];

static double option(const char *name, double fallback) {
  for (int i = 0; i < n_options; i++)
    if (strcmp(options[i].name, name) == 0) return options[i].value;
  return fallback;
}

static uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static double uniform_at(uint32_t seed, long i) {
  return (double)(lowbias32((uint32_t)i + seed * 0x9E3779B9U) >> 8) / 16777216.0;
}

static void fill(float *out, long n, const char *spec) {
  char kind[16] = {0};
  const char *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  memcpy(kind, spec, len < 15 ? len : 15);
  const char *rest = colon ? colon + 1 : "";
  if (strcmp(kind, "u") == 0) {
    unsigned seed;
    double lo, hi;
    sscanf(rest, "%u:%lf:%lf", &seed, &lo, &hi);
    for (long i = 0; i < n; i++) out[i] = (float)(lo + (hi - lo) * uniform_at(seed, i));
  } else if (strcmp(kind, "bits") == 0) {
    unsigned seed;
    sscanf(rest, "%u", &seed);
    for (long i = 0; i < n; i++) out[i] = uniform_at(seed, i) < 0.5 ? 0.0f : 1.0f;
  } else if (strcmp(kind, "labels") == 0) {
    unsigned seed;
    long classes;
    int ignore_seed = -1;
    double rate = 0, index = -100;
    sscanf(rest, "%u:%ld:%d:%lf:%lf", &seed, &classes, &ignore_seed, &rate, &index);
    for (long i = 0; i < n; i++) {
      int ignored = ignore_seed >= 0 && uniform_at((uint32_t)ignore_seed, i) < rate;
      out[i] = ignored ? (float)index : (float)floor(uniform_at(seed, i) * (double)classes);
    }
  } else if (strcmp(kind, "int") == 0) {
    unsigned seed;
    long lo, hi;
    sscanf(rest, "%u:%ld:%ld", &seed, &lo, &hi);
    for (long i = 0; i < n; i++) out[i] = (float)(lo + (long)floor(uniform_at(seed, i) * (double)(hi - lo + 1)));
  } else {
    fprintf(stderr, "reference: unknown fill '%s'\n", spec);
    exit(2);
  }
}

/* ---- the fused kernels: return the mean loss, write the gradient of the mean ---- */

static double k_mse(void) {
  const float *x = inputs[0].data, *y = inputs[1].data;
  float *g = grads[0];
  const long n = inputs[0].size;
  const float s = 2.0f / (float)n;
  double total = 0;
  for (long b = 0; b < n; b += BLOCK) {
    const long e = b + BLOCK < n ? b + BLOCK : n;
    float acc = 0;
    for (long i = b; i < e; i++) {
      const float d = x[i] - y[i];
      acc += d * d;
      g[i] = s * d;
    }
    total += acc;
  }
  return total / (double)n;
}

static double k_huber(void) {
  const float *x = inputs[0].data, *y = inputs[1].data;
  float *g = grads[0];
  const long n = inputs[0].size;
  const float delta = (float)option("delta", 1.0), s = 1.0f / (float)n;
  double total = 0;
  for (long b = 0; b < n; b += BLOCK) {
    const long e = b + BLOCK < n ? b + BLOCK : n;
    float acc = 0;
    for (long i = b; i < e; i++) {
      const float d = x[i] - y[i];
      const float a = fabsf(d);
      acc += a <= delta ? 0.5f * d * d : delta * (a - 0.5f * delta);
      g[i] = s * fminf(fmaxf(d, -delta), delta);
    }
    total += acc;
  }
  return total / (double)n;
}

static double k_bce_logits(void) {
  const float *x = inputs[0].data, *y = inputs[1].data;
  float *g = grads[0];
  const long n = inputs[0].size;
  const float s = 1.0f / (float)n;
  double total = 0;
  for (long b = 0; b < n; b += BLOCK) {
    const long e = b + BLOCK < n ? b + BLOCK : n;
    float acc = 0;
    for (long i = b; i < e; i++) {
      const float v = x[i];
      const float t = expf(-fabsf(v));
      const float inv = 1.0f / (1.0f + t);
      const float p = v >= 0 ? inv : t * inv; /* sigmoid(v) */
      acc += fmaxf(v, 0.0f) - v * y[i] + log1pf(t);
      g[i] = s * (p - y[i]);
    }
    total += acc;
  }
  return total / (double)n;
}

static double k_focal(void) {
  const float *x = inputs[0].data, *y = inputs[1].data;
  float *g = grads[0];
  const long n = inputs[0].size;
  const float alpha = (float)option("alpha", 0.25), s = 1.0f / (float)n;
  /* gamma = 2 (the workload's value), written out so the loop needs no powf */
  double total = 0;
  for (long b = 0; b < n; b += BLOCK) {
    const long e = b + BLOCK < n ? b + BLOCK : n;
    float acc = 0;
    for (long i = b; i < e; i++) {
      const float v = x[i], t = y[i];
      const float ex = expf(-fabsf(v));
      const float inv = 1.0f / (1.0f + ex);
      const float p = v >= 0 ? inv : ex * inv;
      const float ce = fmaxf(v, 0.0f) - v * t + log1pf(ex);
      const float q = t * (1.0f - p) + (1.0f - t) * p; /* 1 - p_t */
      const float w = t * alpha + (1.0f - t) * (1.0f - alpha);
      acc += w * ce * q * q;
      /* dq/dx = (1 - 2t) p (1 - p) */
      const float dq = (1.0f - 2.0f * t) * p * (1.0f - p);
      g[i] = s * w * ((p - t) * q * q + ce * 2.0f * q * dq);
    }
    total += acc;
  }
  return total / (double)n;
}

/* softmax cross-entropy over rows; labels < 0 (ignoreIndex) are skipped; mean over counted rows */
static double softmax_ce(int ignore) {
  const Input *in = &inputs[0];
  const float *x = in->data, *lab = inputs[1].data;
  float *g = grads[0];
  const long c = in->dims[in->rank - 1], rows = in->size / c;
  long counted = 0;
  for (long r = 0; r < rows; r++) counted += !(ignore && lab[r] < 0);
  const float s = counted > 0 ? 1.0f / (float)counted : 0.0f;
  double total = 0;
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *gr = g + r * c;
    if (ignore && lab[r] < 0) {
      memset(gr, 0, (size_t)c * sizeof(float));
      continue;
    }
    float m = xr[0];
    for (long j = 1; j < c; j++) m = fmaxf(m, xr[j]);
    float sum = 0;
    for (long j = 0; j < c; j++) {
      const float ej = expf(xr[j] - m);
      gr[j] = ej;
      sum += ej;
    }
    const long label = (long)lab[r];
    total += (double)(m + logf(sum) - xr[label]);
    const float k = s / sum;
    for (long j = 0; j < c; j++) gr[j] *= k;
    gr[label] -= s;
  }
  return total * (double)s;
}

static double k_sparse_ce(void) { return softmax_ce(0); }
static double k_token_ce(void) { return softmax_ce(1); }

static double k_dice(void) {
  const float *p = inputs[0].data, *y = inputs[1].data;
  float *g = grads[0];
  const long n = inputs[0].size;
  const double eps = option("eps", 1e-5);
  double spy = 0, sp = 0, sy = 0;
  for (long b = 0; b < n; b += BLOCK) {
    const long e = b + BLOCK < n ? b + BLOCK : n;
    float a1 = 0, a2 = 0, a3 = 0;
    for (long i = b; i < e; i++) {
      a1 += p[i] * y[i];
      a2 += p[i];
      a3 += y[i];
    }
    spy += a1;
    sp += a2;
    sy += a3;
  }
  const double num = 2 * spy + eps, den = sp + sy + eps;
  /* d(1 - num/den)/dp_i = (num - 2 y_i den) / den^2 */
  const float a = (float)(num / (den * den)), bcoef = (float)(2.0 / den);
  for (long i = 0; i < n; i++) g[i] = a - bcoef * y[i];
  return 1 - num / den;
}

static double k_triplet(void) {
  const float *a = inputs[0].data, *p = inputs[1].data, *ng = inputs[2].data;
  float *ga = grads[0], *gp = grads[1], *gn = grads[2];
  const long d = inputs[0].dims[1], rows = inputs[0].dims[0];
  const float margin = (float)option("margin", 1.0), eps = (float)option("eps", 1e-6);
  const float s = 1.0f / (float)rows;
  double total = 0;
  for (long r = 0; r < rows; r++) {
    const long o = r * d;
    float sap = 0, san = 0;
    for (long j = 0; j < d; j++) {
      const float u = a[o + j] - p[o + j] + eps, v = a[o + j] - ng[o + j] + eps;
      sap += u * u;
      san += v * v;
    }
    const float dap = sqrtf(sap), dan = sqrtf(san);
    const float h = margin + dap - dan;
    if (h > 0) total += h;
    if (h >= 0 && dap > 0 && dan > 0) {
      const float wp = s / dap, wn = s / dan;
      for (long j = 0; j < d; j++) {
        const float u = (a[o + j] - p[o + j] + eps) * wp, v = (a[o + j] - ng[o + j] + eps) * wn;
        ga[o + j] = u - v;
        gp[o + j] = -u;
        gn[o + j] = v;
      }
    } else {
      memset(ga + o, 0, (size_t)d * sizeof(float));
      memset(gp + o, 0, (size_t)d * sizeof(float));
      memset(gn + o, 0, (size_t)d * sizeof(float));
    }
  }
  return total / (double)rows;
}

/* ---- STREAM-style bandwidth references ---- */
static float *sa, *sb, *sc;
static long stream_n;

static double k_copy(void) {
  for (long i = 0; i < stream_n; i++) sa[i] = sb[i];
  return sa[stream_n / 2];
}

static double k_triad(void) {
  const float q = 3.0f;
  for (long i = 0; i < stream_n; i++) sa[i] = sb[i] + q * sc[i];
  return sa[stream_n / 2];
}

typedef double (*Kernel)(void);

static const struct {
  const char *name;
  Kernel fn;
} kernels[] = {
    {"mse", k_mse},
    {"huber", k_huber},
    {"binaryCrossEntropyWithLogits", k_bce_logits},
    {"focal", k_focal},
    {"sparseCategoricalCrossEntropy", k_sparse_ce},
    {"tokenCrossEntropy", k_token_ce},
    {"dice", k_dice},
    {"triplet", k_triplet},
    {"copy", k_copy},
    {"triad", k_triad},
};

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: reference <kind> [key=value ...]\n");
    return 2;
  }
  const char *kind = argv[1];
  Kernel fn = NULL;
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
    if (strcmp(kernels[i].name, kind) == 0) fn = kernels[i].fn;
  if (fn == NULL) {
    fprintf(stderr, "reference: unknown kind '%s'\n", kind);
    return 2;
  }
  int warmup = 2, min_samples = 5, max_samples = 50;
  double budget_ms = 1000, bytes = 0;
  for (int i = 2; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "warmup=", 7) == 0) warmup = atoi(arg + 7);
    else if (strncmp(arg, "budget=", 7) == 0) budget_ms = atof(arg + 7);
    else if (strncmp(arg, "min=", 4) == 0) min_samples = atoi(arg + 4);
    else if (strncmp(arg, "max=", 4) == 0) max_samples = atoi(arg + 4);
    else if (strncmp(arg, "bytes=", 6) == 0) bytes = atof(arg + 6);
    else if (strncmp(arg, "opt=", 4) == 0 && n_options < MAX_OPTIONS) {
      const char *colon = strchr(arg + 4, ':');
      if (colon == NULL) return 2;
      size_t len = (size_t)(colon - (arg + 4));
      if (len > 31) len = 31;
      memcpy(options[n_options].name, arg + 4, len);
      options[n_options].name[len] = 0;
      options[n_options].value = atof(colon + 1);
      n_options++;
    } else if (strncmp(arg, "in=", 3) == 0 && n_inputs < MAX_INPUTS) {
      Input *in = &inputs[n_inputs];
      const char *p = arg + 3;
      in->rank = 0;
      in->size = 1;
      while (*p && *p != ':' && in->rank < 4) {
        char *end;
        in->dims[in->rank] = strtol(p, &end, 10);
        in->size *= in->dims[in->rank++];
        p = *end == 'x' ? end + 1 : end;
      }
      if (*p != ':') return 2;
      in->data = aligned_alloc(64, ((size_t)in->size * sizeof(float) + 63) / 64 * 64);
      grads[n_inputs] = aligned_alloc(64, ((size_t)in->size * sizeof(float) + 63) / 64 * 64);
      fill(in->data, in->size, p + 1);
      memset(grads[n_inputs], 0, (size_t)in->size * sizeof(float));
      n_inputs++;
    } else {
      fprintf(stderr, "reference: bad argument '%s'\n", arg);
      return 2;
    }
  }
  if (fn == k_copy || fn == k_triad) {
    stream_n = (long)(bytes / (fn == k_copy ? 8.0 : 12.0));
    if (stream_n < 1) stream_n = 1;
    size_t sz = ((size_t)stream_n * sizeof(float) + 63) / 64 * 64;
    sa = aligned_alloc(64, sz);
    sb = aligned_alloc(64, sz);
    sc = aligned_alloc(64, sz);
    for (long i = 0; i < stream_n; i++) sa[i] = 0, sb[i] = 1.0f + (float)(i & 7), sc[i] = 0.5f;
  }
  double value = 0;
  for (int i = 0; i < warmup; i++) value = fn();
  double *samples = malloc(sizeof(double) * (size_t)max_samples);
  int count = 0;
  double spent = 0;
  while (count < max_samples && (count < min_samples || spent < budget_ms * 1e6)) {
    const double t0 = now_ns();
    value = fn();
    const double t = now_ns() - t0;
    samples[count++] = t;
    spent += t;
  }
  qsort(samples, (size_t)count, sizeof(double), cmp_double);
  printf("{\"kind\":\"%s\",\"value\":%.17g,\"samplesNs\":[", kind, value);
  for (int i = 0; i < count; i++) printf("%s%.0f", i ? "," : "", samples[i]);
  printf("]}\n");
  return 0;
}
