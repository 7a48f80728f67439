/*
 * tapegrad's native kernels for Node (an N-API addon, built by scripts/build-native.mjs),
 * working directly on the Float64Arrays' own memory: no copies in or out, and 512- or
 * 256-bit fused multiply-adds where WebAssembly stops at 128 bits. Each function gives the same
 * bits as the WebAssembly FMA kernel (gemm.wat built with relaxed SIMD): every element of
 * a product is one chain of fused multiply-adds over k in order from +0, then + bias,
 * then ReLU. Blocking over k stores the running sums in C and loads them back, which
 * leaves each chain unchanged.
 *
 * Products run on x86-64 with AVX-512F (12×16 tiles of 512-bit registers) or AVX2 and FMA
 * (6×8 tiles of 256-bit ones), whichever the CPU has; elsewhere `available()` is false
 * and tapegrad keeps to WebAssembly.
 */
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

/* The calling convention of the exports below: src/kernels/fastgemm/native.ts loads only
 * an addon of the version it was written for (a stale build then leaves WebAssembly in use
 * rather than failing at the first call). Raise it with any change to an export. */
#define ABI_VERSION 2

/* Threads one product may use, the caller's included. */
#define MAX_THREADS 64

/* The widest tile's columns (AVX-512's 16; AVX2's are 8): packed B's slack past NC. */
#define NR 16
/* Blocks: KC rows of B packed once per block of columns (NC), A packed MC rows at a time
 * (a multiple of every tile's rows). */
#define KC 256
#define MC 96
#define NC 512

/* Per-thread packing memory (worker threads load the addon too). */
static _Thread_local double *packedA, *packedB;

/*
 * One tile: C[rows × cols] at c (row stride ldc) = (the sums stored there, when `resume`)
 * + Ap·Bp over kc, then + bias and ReLU when given. Rows and columns past the tile's live
 * ones are computed on the packing's zeros and never stored.
 */
typedef void Tile(int kc, const double *ap, const double *bp, double *c, long ldc, int rows, int cols, int resume, const double *bias, int relu);

/* A tile function and its shape, which the packing follows. */
typedef struct {
  const char *name;
  int mr, nr;
  Tile *tile;
} Variant;

/* The variant products run on: the fastest this CPU has (NULL for none), or the one `variant(name)` chose. */
static const Variant *chosen;

#if HAVE_X86

/* AVX-512: 12 rows × 16 columns, two 8-double registers per row (24 accumulators). */
__attribute__((target("avx512f,fma"))) static void tile512(int kc, const double *ap, const double *bp, double *c, long ldc, int rows, int cols, int resume, const double *bias, int relu) {
  __m512d acc[12][2];
  const __mmask8 m0 = cols >= 8 ? 0xff : (__mmask8)((1u << cols) - 1);
  const __mmask8 m1 = cols >= 16 ? 0xff : cols <= 8 ? 0 : (__mmask8)((1u << (cols - 8)) - 1);
  for (int i = 0; i < 12; i++) {
    if (resume && i < rows) {
      acc[i][0] = _mm512_maskz_loadu_pd(m0, c + i * ldc);
      acc[i][1] = _mm512_maskz_loadu_pd(m1, c + i * ldc + 8);
    } else {
      acc[i][0] = _mm512_setzero_pd();
      acc[i][1] = _mm512_setzero_pd();
    }
  }
  for (int p = 0; p < kc; p++) {
    const __m512d b0 = _mm512_load_pd(bp), b1 = _mm512_load_pd(bp + 8);
#define ROW(i)                                              \
  {                                                         \
    const __m512d a = _mm512_set1_pd(ap[i]);                \
    acc[i][0] = _mm512_fmadd_pd(a, b0, acc[i][0]);          \
    acc[i][1] = _mm512_fmadd_pd(a, b1, acc[i][1]);          \
  }
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
#undef ROW
    ap += 12;
    bp += 16;
  }
  if (bias) {
    const __m512d z0 = _mm512_maskz_loadu_pd(m0, bias), z1 = _mm512_maskz_loadu_pd(m1, bias + 8);
    for (int i = 0; i < 12; i++) {
      acc[i][0] = _mm512_add_pd(acc[i][0], z0);
      acc[i][1] = _mm512_add_pd(acc[i][1], z1);
    }
  }
  if (relu) {
    /* max(v, 0) with NaN kept, as kernels.relu: v is kept unless v <= 0 (ordered). */
    const __m512d zero = _mm512_setzero_pd();
    for (int i = 0; i < 12; i++) {
      acc[i][0] = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(acc[i][0], zero, _CMP_NLE_UQ), acc[i][0]);
      acc[i][1] = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(acc[i][1], zero, _CMP_NLE_UQ), acc[i][1]);
    }
  }
  /* A loop of constant length, unrolled, keeps acc in registers (a loop to `rows` puts it on the stack). */
  for (int i = 0; i < 12; i++) {
    if (i < rows) {
      _mm512_mask_storeu_pd(c + i * ldc, m0, acc[i][0]);
      _mm512_mask_storeu_pd(c + i * ldc + 8, m1, acc[i][1]);
    }
  }
}

/* The lanes of an AVX2 register that hold one of `live` columns from `from` (AVX2's masked loads and stores). */
__attribute__((target("avx2"))) static __m256i lanes(int from, int live) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(live), _mm256_setr_epi64x(from, from + 1, from + 2, from + 3));
}

/* AVX2 and FMA: 6 rows × 8 columns, two 4-double registers per row (12 accumulators, named:
 * gcc keeps an array of them on the stack here, storing every one at every step). */
__attribute__((target("avx2,fma"))) static void tile256(int kc, const double *ap, const double *bp, double *c, long ldc, int rows, int cols, int resume, const double *bias, int relu) {
  const __m256i m0 = lanes(0, cols), m1 = lanes(4, cols);
  const __m256d zero = _mm256_setzero_pd();
#define START(i) \
  __m256d a##i##0 = resume && i < rows ? _mm256_maskload_pd(c + i * ldc, m0) : zero; \
  __m256d a##i##1 = resume && i < rows ? _mm256_maskload_pd(c + i * ldc + 4, m1) : zero;
  START(0) START(1) START(2) START(3) START(4) START(5)
#undef START
  for (int p = 0; p < kc; p++) {
    const __m256d b0 = _mm256_load_pd(bp), b1 = _mm256_load_pd(bp + 4);
#define STEP(i)                                       \
  {                                                   \
    const __m256d a = _mm256_broadcast_sd(ap + i);    \
    a##i##0 = _mm256_fmadd_pd(a, b0, a##i##0);        \
    a##i##1 = _mm256_fmadd_pd(a, b1, a##i##1);        \
  }
    STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5)
#undef STEP
    ap += 6;
    bp += 8;
  }
  const __m256d z0 = bias ? _mm256_maskload_pd(bias, m0) : zero, z1 = bias ? _mm256_maskload_pd(bias + 4, m1) : zero;
  /* + bias (when given), then max(v, 0) with NaN kept (v kept unless v <= 0), then stored. */
#define FINISH(i)                                                                       \
  if (bias) {                                                                           \
    a##i##0 = _mm256_add_pd(a##i##0, z0);                                               \
    a##i##1 = _mm256_add_pd(a##i##1, z1);                                               \
  }                                                                                     \
  if (relu) {                                                                           \
    a##i##0 = _mm256_and_pd(a##i##0, _mm256_cmp_pd(a##i##0, zero, _CMP_NLE_UQ));        \
    a##i##1 = _mm256_and_pd(a##i##1, _mm256_cmp_pd(a##i##1, zero, _CMP_NLE_UQ));        \
  }                                                                                     \
  if (i < rows) {                                                                       \
    _mm256_maskstore_pd(c + i * ldc, m0, a##i##0);                                      \
    _mm256_maskstore_pd(c + i * ldc + 4, m1, a##i##1);                                  \
  }
  FINISH(0) FINISH(1) FINISH(2) FINISH(3) FINISH(4) FINISH(5)
#undef FINISH
}

static const Variant avx512 = {"avx512", 12, 16, tile512};
static const Variant avx2 = {"avx2", 6, 8, tile256};

/* The variants this CPU runs, fastest first. */
static const Variant *supported(int index) {
  __builtin_cpu_init();
  const Variant *all[2];
  int count = 0;
  if (__builtin_cpu_supports("avx512f")) all[count++] = &avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all[count++] = &avx2;
  return index < count ? all[index] : NULL;
}

/* rows × kc of A (element (i, p) at a + i·rs + p·cs) in strips of mr rows, zeros past the end. */
static void packRows(const double *a, long rs, long cs, int rows, int kc, int mr, double *dst) {
  for (int s = 0; s < rows; s += mr) {
    const int live = rows - s < mr ? rows - s : mr;
    for (int p = 0; p < kc; p++) {
      const double *src = a + s * rs + p * cs;
      int r = 0;
      for (; r < live; r++) dst[r] = src[r * rs];
      for (; r < mr; r++) dst[r] = 0;
      dst += mr;
    }
  }
}

/* kc × cols of B (element (p, j) at b + p·rs + j·cs) in strips of nr columns, zeros past the end. */
static void packColumns(const double *b, long rs, long cs, int kc, int cols, int nr, double *dst) {
  for (int s = 0; s < cols; s += nr) {
    const int live = cols - s < nr ? cols - s : nr;
    for (int p = 0; p < kc; p++) {
      const double *src = b + p * rs + s * cs;
      if (cs == 1 && live == nr) {
        memcpy(dst, src, nr * sizeof(double));
      } else {
        int j = 0;
        for (; j < live; j++) dst[j] = src[j * cs];
        for (; j < nr; j++) dst[j] = 0;
      }
      dst += nr;
    }
  }
}

/* C[m×n] (row stride ldc) = A·B (+ bias, then ReLU) on variant v, k ≥ 1. Returns 0 when out of memory. */
static int gemm(const Variant *v, int m, int n, int k, const double *a, long ars, long acs, const double *b, long brs, long bcs, double *c, long ldc, const double *bias, int relu) {
  const int mr = v->mr, nr = v->nr;
  if (!packedA) packedA = aligned_alloc(64, sizeof(double) * MC * KC);
  if (!packedB) packedB = aligned_alloc(64, sizeof(double) * (NC + NR) * KC);
  if (!packedA || !packedB) return 0;
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      const int last = pc + kc >= k;
      packColumns(b + pc * brs + jc * bcs, brs, bcs, kc, nc, nr, packedB);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = m - ic < MC ? m - ic : MC;
        packRows(a + ic * ars + pc * acs, ars, acs, mc, kc, mr, packedA);
        for (int jr = 0; jr < nc; jr += nr) {
          const int cols = nc - jr < nr ? nc - jr : nr;
          for (int ir = 0; ir < mc; ir += mr) {
            const int rows = mc - ir < mr ? mc - ir : mr;
            v->tile(kc, packedA + ir * kc, packedB + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc, rows, cols, pc > 0, last && bias ? bias + jc + jr : NULL, last && relu);
          }
        }
      }
    }
  }
  return 1;
}

/*
 * Helper threads for large products. A product splits into parts along C's rows (whole
 * tiles; along its columns when it is wider than tall): each part is a smaller product of
 * its own, packed by its own thread, and every element is still one chain over k, so any
 * number of threads gives the same bits. After a product a helper spins briefly (the next
 * product of a training step follows within microseconds), then sleeps on a condition
 * variable: spinning longer would take the core V8's garbage collector runs on.
 */
/* Products below this many multiply-adds stay on the calling thread (waking a helper costs 10–50 µs). */
#define SPLIT_FROM (1L << 21)
/* A helper spins this long after a product before it sleeps. */
#ifndef SPIN_MICROSECONDS
#define SPIN_MICROSECONDS 100
#endif

typedef struct {
  const Variant *v;
  int m, n, k;
  const double *a, *b, *bias;
  long ars, acs, brs, bcs, ldc;
  double *c;
  int relu, parts, alongRows, step;
} Product;

static Product job;
static atomic_int generation, unfinished, failures, poolBusy;
static int helpersStarted;
static pthread_t helperThreads[MAX_THREADS];
/* The generation each helper last saw, set before it starts (so it cannot miss the next product). */
static int startGeneration[MAX_THREADS];
static pthread_mutex_t wakeLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wakeSignal = PTHREAD_COND_INITIALIZER;

/* Part `part` of `p`: its rows (or columns) from part·step. Returns 0 when out of memory. */
static int runPart(const Product *p, int part) {
  const int from = part * p->step;
  if (p->alongRows) {
    if (from >= p->m) return 1;
    const int rows = p->m - from < p->step ? p->m - from : p->step;
    return gemm(p->v, rows, p->n, p->k, p->a + from * p->ars, p->ars, p->acs, p->b, p->brs, p->bcs, p->c + from * p->ldc, p->ldc, p->bias, p->relu);
  }
  if (from >= p->n) return 1;
  const int cols = p->n - from < p->step ? p->n - from : p->step;
  return gemm(p->v, p->m, cols, p->k, p->a, p->ars, p->acs, p->b + from * p->bcs, p->brs, p->bcs, p->c + from, p->ldc, p->bias ? p->bias + from : NULL, p->relu);
}

static long microseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void *helperMain(void *arg) {
  const int part = (int)(intptr_t)arg;
  int seen = startGeneration[part];
  for (;;) {
    int now = seen;
    const long until = microseconds() + SPIN_MICROSECONDS;
    while ((now = atomic_load_explicit(&generation, memory_order_acquire)) == seen && microseconds() < until) {
      for (int i = 0; i < 16; i++) _mm_pause();
    }
    if (now == seen) {
      pthread_mutex_lock(&wakeLock);
      while ((now = atomic_load(&generation)) == seen) pthread_cond_wait(&wakeSignal, &wakeLock);
      pthread_mutex_unlock(&wakeLock);
    }
    seen = now;
    if (part < job.parts && !runPart(&job, part)) atomic_fetch_add(&failures, 1);
    atomic_fetch_sub_explicit(&unfinished, 1, memory_order_release);
  }
  return NULL;
}

/* Starts helpers up to `count` (once each); returns how many run. */
static int startHelpers(int count) {
  while (helpersStarted < count) {
    startGeneration[helpersStarted + 1] = atomic_load(&generation);
    if (pthread_create(&helperThreads[helpersStarted], NULL, helperMain, (void *)(intptr_t)(helpersStarted + 1)) != 0) break;
    pthread_detach(helperThreads[helpersStarted]);
    helpersStarted++;
  }
  return helpersStarted;
}

/* gemm on variant v and up to `threads` threads (the caller's included). Returns 0 when out of memory. */
static int gemmThreaded(const Variant *v, int threads, int m, int n, int k, const double *a, long ars, long acs, const double *b, long brs, long bcs, double *c, long ldc, const double *bias, int relu) {
  const long macs = (long)m * n * k;
  const int alongRows = m >= n;
  const int unit = alongRows ? v->mr : v->nr;
  const int units = ((alongRows ? m : n) + unit - 1) / unit;
  int parts = threads;
  if (macs / SPLIT_FROM < parts) parts = (int)(macs / SPLIT_FROM);
  if (units < parts) parts = units;
  if (parts > MAX_THREADS) parts = MAX_THREADS;
  int expected = 0;
  /* One product at a time on the pool (another JavaScript thread may be using it). */
  if (parts < 2 || !atomic_compare_exchange_strong(&poolBusy, &expected, 1)) return gemm(v, m, n, k, a, ars, acs, b, brs, bcs, c, ldc, bias, relu);
  const int helpers = startHelpers(parts - 1);
  if (helpers + 1 < parts) parts = helpers + 1;
  const int step = (units + parts - 1) / parts * unit;
  job = (Product){v, m, n, k, a, b, bias, ars, acs, brs, bcs, ldc, c, relu, parts, alongRows, step};
  atomic_store(&failures, 0);
  atomic_store(&unfinished, helpers);
  pthread_mutex_lock(&wakeLock);
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
  pthread_cond_broadcast(&wakeSignal);
  pthread_mutex_unlock(&wakeLock);
  int ok = runPart(&job, 0);
  while (atomic_load_explicit(&unfinished, memory_order_acquire) > 0) _mm_pause();
  ok = ok && atomic_load(&failures) == 0;
  atomic_store(&poolBusy, 0);
  return ok;
}

#endif

/*
 * ReLU's passes, SGD's update and a bias gradient's sums: plain C loops, memory-bound,
 * which the compiler vectorizes (-fno-trapping-math lets it turn the selects into masks),
 * in a version for each of AVX-512, AVX2 and plain x86-64, picked at load. Each keeps the
 * exact rounding of its JavaScript loop (-ffp-contract=off: no fused multiply-add).
 */
#if HAVE_X86
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* dst[i] = max(src[i], 0) + 0, as kernels.relu (NaN kept, −0 becomes +0). dst may be src. */
CLONES static void relu(const double *src, double *dst, long count) {
  for (long i = 0; i < count; i++) dst[i] = (src[i] < 0 ? 0.0 : src[i]) + 0.0;
}

/* dst[i] = g[i] + 0 where gate[i] > 0, else +0, as kernels.passWherePositive. dst may be g. */
CLONES static void reluBackward(const double *g, const double *gate, double *dst, long count) {
  for (long i = 0; i < count; i++) dst[i] = gate[i] > 0 ? g[i] + 0.0 : 0.0;
}

/* y[i] = y[i] + alpha·x[i] (the product rounded, then the sum), BLAS's axpy. */
CLONES static void axpy(double *y, const double *x, double alpha, long count) {
  for (long i = 0; i < count; i++) y[i] = y[i] + alpha * x[i];
}

/* dst[j] = Σ_i src[i·cols + j], summed row after row from +0, as kernels.sum over leading dimensions. */
CLONES static void columnSums(const double *src, int rows, int cols, double *dst) {
  for (int j = 0; j < cols; j++) dst[j] = 0;
  for (int i = 0; i < rows; i++) {
    const double *row = src + (long)i * cols;
    for (int j = 0; j < cols; j++) dst[j] += row[j];
  }
}

/* ---- N-API glue: arguments checked here, so no call reads or writes outside its arrays. ---- */

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

/* A Float64Array argument: its data and length; NULL (after throwing) for anything else. */
static double *float64s(napi_env env, napi_value v, size_t *length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return NULL;
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) return NULL;
  return (double *)data;
}

static int64_t integer(napi_env env, napi_value v) {
  int64_t x = -1;
  napi_get_value_int64(env, v, &x);
  return x;
}

/* True when every element (offset + i·rs + j·cs for i < rows, j < cols) lies in [0, length). */
static int inside(size_t length, int64_t offset, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  if (rows <= 0 || cols <= 0) return offset >= 0;
  int64_t lo = offset, hi = offset;
  const int64_t dr = rs * (rows - 1), dc = cs * (cols - 1);
  if (dr < 0) lo += dr; else hi += dr;
  if (dc < 0) lo += dc; else hi += dc;
  return lo >= 0 && hi < (int64_t)length;
}

#define ARGS(count)                                                   \
  size_t argc = count;                                                \
  napi_value argv[count];                                             \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);               \
  if (argc < count) return fail(env, "tapegrad native kernels: too few arguments")

static int isNull(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

/* gemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, bias | null, relu, threads) */
static napi_value Gemm(napi_env env, napi_callback_info info) {
  ARGS(16);
  const int64_t m = integer(env, argv[0]), n = integer(env, argv[1]), k = integer(env, argv[2]);
  size_t aLength, bLength, cLength, biasLength = 0;
  const double *a = float64s(env, argv[3], &aLength), *b = float64s(env, argv[7], &bLength);
  double *c = float64s(env, argv[11], &cLength);
  const int64_t aOffset = integer(env, argv[4]), ars = integer(env, argv[5]), acs = integer(env, argv[6]);
  const int64_t bOffset = integer(env, argv[8]), brs = integer(env, argv[9]), bcs = integer(env, argv[10]);
  const int64_t cOffset = integer(env, argv[12]);
  const double *bias = isNull(env, argv[13]) ? NULL : float64s(env, argv[13], &biasLength);
  bool withRelu = false;
  napi_get_value_bool(env, argv[14], &withRelu);
  const int64_t threads = integer(env, argv[15]);
  if (!a || !b || !c || (!bias && !isNull(env, argv[13]))) return fail(env, "gemm: operands must be Float64Arrays");
  if (threads < 1 || threads > MAX_THREADS) return fail(env, "gemm: threads must be from 1 to 64");
  if (m < 0 || n < 0 || k < 1 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return fail(env, "gemm: needs m, n ≥ 0 and k ≥ 1");
  if (!inside(aLength, aOffset, m, k, ars, acs) || !inside(bLength, bOffset, k, n, brs, bcs) || !inside(cLength, cOffset, m, n, n, 1) || (bias && (int64_t)biasLength < n)) {
    return fail(env, "gemm: an operand reaches outside its array");
  }
#if HAVE_X86
  if (!chosen) return fail(env, "gemm: no native kernel runs on this CPU");
  if (m > 0 && n > 0 && !gemmThreaded(chosen, (int)threads, (int)m, (int)n, (int)k, a + aOffset, ars, acs, b + bOffset, brs, bcs, c + cOffset, n, bias, withRelu)) return fail(env, "gemm: out of memory");
#else
  return fail(env, "gemm: no native kernel runs on this CPU");
#endif
  return NULL;
}

/* The `count` values of the Float64Array `array` from `offset`, or NULL when they are not all inside it. */
static double *runOf(napi_env env, napi_value array, napi_value offset, int64_t count) {
  size_t length;
  double *data = float64s(env, array, &length);
  const int64_t at = integer(env, offset);
  return data && count >= 0 && inside(length, at, 1, count, 0, 1) ? data + at : NULL;
}

/* relu(x, xOffset, out, outOffset, count) */
static napi_value Relu(napi_env env, napi_callback_info info) {
  ARGS(5);
  const int64_t count = integer(env, argv[4]);
  const double *x = runOf(env, argv[0], argv[1], count);
  double *out = runOf(env, argv[2], argv[3], count);
  if (!x || !out) return fail(env, "relu: x and out must be Float64Arrays holding count values from their offsets");
  relu(x, out, count);
  return NULL;
}

/* reluBackward(g, gOffset, gate, gateOffset, out, outOffset, count) */
static napi_value ReluBackward(napi_env env, napi_callback_info info) {
  ARGS(7);
  const int64_t count = integer(env, argv[6]);
  const double *g = runOf(env, argv[0], argv[1], count), *gate = runOf(env, argv[2], argv[3], count);
  double *out = runOf(env, argv[4], argv[5], count);
  if (!g || !gate || !out) return fail(env, "reluBackward: g, gate and out must be Float64Arrays holding count values from their offsets");
  reluBackward(g, gate, out, count);
  return NULL;
}

/* columnSums(x, xOffset, rows, cols, out, outOffset): x contiguous rows × cols */
static napi_value ColumnSums(napi_env env, napi_callback_info info) {
  ARGS(6);
  size_t xLength, outLength;
  const double *x = float64s(env, argv[0], &xLength);
  double *out = float64s(env, argv[4], &outLength);
  const int64_t xOffset = integer(env, argv[1]), rows = integer(env, argv[2]), cols = integer(env, argv[3]), outOffset = integer(env, argv[5]);
  if (!x || !out) return fail(env, "columnSums: operands must be Float64Arrays");
  if (rows < 0 || cols < 0 || rows > INT32_MAX || cols > INT32_MAX || !inside(xLength, xOffset, rows, cols, cols, 1) || !inside(outLength, outOffset, 1, cols, 0, 1)) {
    return fail(env, "columnSums: a matrix reaches outside its array");
  }
  columnSums(x + xOffset, (int)rows, (int)cols, out + outOffset);
  return NULL;
}

/* axpy(y, yOffset, x, xOffset, count, alpha) */
static napi_value Axpy(napi_env env, napi_callback_info info) {
  ARGS(6);
  const int64_t count = integer(env, argv[4]);
  double *y = runOf(env, argv[0], argv[1], count);
  const double *x = runOf(env, argv[2], argv[3], count);
  double alpha = 0;
  if (!y || !x || napi_get_value_double(env, argv[5], &alpha) != napi_ok) return fail(env, "axpy: y and x must be Float64Arrays holding count values from their offsets, alpha a number");
  axpy(y, x, alpha, count);
  return NULL;
}

static napi_value Available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, chosen != NULL, &result);
  return result;
}

/* variant(name?): the name of the variant products run on ("avx512", "avx2") or null; with
 * a name, runs products on that variant from now on (tests compare them on one machine). */
static napi_value VariantOf(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1 && !isNull(env, argv[0])) {
    char name[16] = "";
    size_t length = 0;
    napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length);
    const Variant *found = NULL;
#if HAVE_X86
    int count = 0;
    for (const Variant *v; !found && (v = supported(count++)) != NULL;) if (strcmp(v->name, name) == 0) found = v;
#endif
    if (!found) return fail(env, "variant: this CPU does not run that variant");
    chosen = found;
  }
  napi_value result;
  if (chosen) napi_create_string_utf8(env, chosen->name, NAPI_AUTO_LENGTH, &result);
  else napi_get_null(env, &result);
  return result;
}

/*
 * glibc's malloc hands out every block above its mmap threshold (128 KiB, rising only as
 * such blocks are freed) as fresh pages and gives them back on free, so each large result
 * of a kernel (a 256×256 product's 512 KiB, an activation of a batch) faults its pages in
 * again: 0.3 ms of a 256³ product's 0.7 ms here, 4 of an elementwise add's 5 ms on 10⁶
 * values. Blocks up to 32 MiB then come from the heap, and up to 128 MiB of free heap is
 * kept, as a long-running numpy process settles into (the bench's numpy peer runs with
 * the same settings). Once per process; skipped when the environment sets glibc's own
 * malloc variables, or TAPEGRAD_MALLOC=default.
 */
static void steadyMalloc(void) {
#if defined(__GLIBC__)
  static int done;
  if (done) return;
  done = 1;
  const char *mode = getenv("TAPEGRAD_MALLOC");
  if ((mode && strcmp(mode, "default") == 0) || getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TRIM_THRESHOLD_") || getenv("GLIBC_TUNABLES")) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

NAPI_MODULE_INIT() {
  steadyMalloc();
#if HAVE_X86
  if (!chosen) chosen = supported(0);
#endif
  const struct { const char *name; napi_callback fn; } fns[] = {
    {"available", Available}, {"gemm", Gemm}, {"relu", Relu}, {"reluBackward", ReluBackward}, {"columnSums", ColumnSums}, {"axpy", Axpy}, {"variant", VariantOf},
  };
  napi_value abi;
  napi_create_int32(env, ABI_VERSION, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}
