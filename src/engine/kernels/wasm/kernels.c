/*
 * The engine's float32 hot loops in WebAssembly SIMD (128-bit, 4 lanes), compiled by scripts/build-wasm.mjs
 * (clang --target=wasm32 -msimd128) into kernels.wasm and embedded in kernels-wasm.ts. kernels/wasm.ts calls them
 * on the arena (the module's linear memory) where parameters and their gradients live; ../gemm.ts and
 * ../../optim.ts keep the JavaScript versions as the fallback, and test/unit/engine/wasm-kernels.test.ts checks
 * the two agree. Products accumulate in float32, as BLAS does.
 */
#include <wasm_simd128.h>

typedef float f32;
#define EXPORT(n) __attribute__((export_name(#n)))

/* clang turns zeroing loops into memset calls; there is no libc. */
void *memset(void *dst, int c, unsigned long n) {
  unsigned char *p = dst;
  while (n--) *p++ = (unsigned char)c;
  return dst;
}

static inline f32 hsum(v128_t v) {
  v128_t s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0);
}

#define MADD(s, x, w) s = wasm_f32x4_add(s, wasm_f32x4_mul(x, w))

/* One row pair (or a single row: a1 == a0, c1 unused) of A against four rows of B over the k in segs[0..n)
 * (segs == 0: every k in [0, K4)), plus the scalar tail [K4, K). */
static inline void nt_block(const f32 *a0, const f32 *a1, const f32 *b0, int ldb, const int *segs, int n, int K4, int K,
                            f32 *c0, f32 *c1, int two, int acc) {
  const f32 *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
  v128_t s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
  v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  const int steps = segs ? n : K4 >> 2;
  for (int t = 0; t < steps; t++) {
    const int k = segs ? segs[t] : 4 * t;
    const v128_t x0 = wasm_v128_load(a0 + k), x1 = wasm_v128_load(a1 + k);
    v128_t w = wasm_v128_load(b0 + k);
    MADD(s00, x0, w); MADD(s10, x1, w);
    w = wasm_v128_load(b1 + k);
    MADD(s01, x0, w); MADD(s11, x1, w);
    w = wasm_v128_load(b2 + k);
    MADD(s02, x0, w); MADD(s12, x1, w);
    w = wasm_v128_load(b3 + k);
    MADD(s03, x0, w); MADD(s13, x1, w);
  }
  f32 r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
  f32 r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
  for (int k = K4; k < K; k++) {
    const f32 x0 = a0[k], x1 = a1[k];
    r00 += x0 * b0[k]; r01 += x0 * b1[k]; r02 += x0 * b2[k]; r03 += x0 * b3[k];
    r10 += x1 * b0[k]; r11 += x1 * b1[k]; r12 += x1 * b2[k]; r13 += x1 * b3[k];
  }
  if (acc) { c0[0] += r00; c0[1] += r01; c0[2] += r02; c0[3] += r03; }
  else { c0[0] = r00; c0[1] = r01; c0[2] = r02; c0[3] = r03; }
  if (two) {
    if (acc) { c1[0] += r10; c1[1] += r11; c1[2] += r12; c1[3] += r13; }
    else { c1[0] = r10; c1[1] = r11; c1[2] = r12; c1[3] = r13; }
  }
}

/* The same for one row of B (the last N % 4). */
static inline void nt_one(const f32 *a0, const f32 *a1, const f32 *b0, const int *segs, int n, int K4, int K,
                          f32 *c0, f32 *c1, int two, int acc) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0;
  const int steps = segs ? n : K4 >> 2;
  for (int t = 0; t < steps; t++) {
    const int k = segs ? segs[t] : 4 * t;
    const v128_t w = wasm_v128_load(b0 + k);
    MADD(s0, wasm_v128_load(a0 + k), w); MADD(s1, wasm_v128_load(a1 + k), w);
  }
  f32 r0 = hsum(s0), r1 = hsum(s1);
  for (int k = K4; k < K; k++) { r0 += a0[k] * b0[k]; r1 += a1[k] * b0[k]; }
  if (acc) c0[0] += r0; else c0[0] = r0;
  if (two) { if (acc) c1[0] += r1; else c1[0] = r1; }
}

/*
 * C[i, j] (+)= Σ_k A[i·lda + k] · B[j·ldb + k]: the Linear forward x·Wᵀ with W in its [out, in] layout.
 * Two rows of A against four rows of B, four k per step: 6 loads for 8 vector multiply-adds. The four rows of B
 * are the outer loop, so a W larger than the cache is read once, not once per row pair of the batch.
 */
EXPORT(gemm_nt)
void gemm_nt(int M, int N, int K, const f32 *A, int lda, const f32 *B, int ldb, f32 *C, int ldc, int acc) {
  const int K4 = K & ~3;
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    for (int i = 0; i < M; i += 2) {
      const int two = i + 1 < M;
      const f32 *a0 = A + i * lda;
      f32 *c0 = C + i * ldc + j;
      nt_block(a0, two ? a0 + lda : a0, B + j * ldb, ldb, 0, 0, K4, K, c0, c0 + ldc, two, acc);
    }
  }
  for (; j < N; j++) {
    for (int i = 0; i < M; i += 2) {
      const int two = i + 1 < M;
      const f32 *a0 = A + i * lda;
      f32 *c0 = C + i * ldc + j;
      nt_one(a0, two ? a0 + lda : a0, B + j * ldb, 0, 0, K4, K, c0, c0 + ldc, two, acc);
    }
  }
}

/* Four rows of C by eight columns: C[q, 0..8) (+)= Σ_k A[q·si + k·sk] · B[k·ldb + 0..8) for q < 4, over the k in
 * list[0..n) (list == 0: every k in [0, n)). The accumulators stay in eight vector registers; C is read and
 * written once. gemm_nn runs it over all k, wgrad_sparse over the rows of x that are non-zero in those columns. */
static inline void nn_block4x8(const f32 *a, int si, int sk, const f32 *b, int ldb, const int *list, int n,
                               f32 *c, int ldc, int acc) {
  f32 *c0 = c, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
  const v128_t z = wasm_f32x4_splat(0);
  v128_t s0a = z, s0b = z, s1a = z, s1b = z, s2a = z, s2b = z, s3a = z, s3b = z;
  for (int t = 0; t < n; t++) {
    const int k = list ? list[t] : t;
    const f32 *bp = b + k * ldb, *ak = a + k * sk;
    const v128_t ba = wasm_v128_load(bp), bb = wasm_v128_load(bp + 4);
    v128_t x = wasm_f32x4_splat(ak[0]);
    MADD(s0a, x, ba); MADD(s0b, x, bb);
    x = wasm_f32x4_splat(ak[si]);
    MADD(s1a, x, ba); MADD(s1b, x, bb);
    x = wasm_f32x4_splat(ak[2 * si]);
    MADD(s2a, x, ba); MADD(s2b, x, bb);
    x = wasm_f32x4_splat(ak[3 * si]);
    MADD(s3a, x, ba); MADD(s3b, x, bb);
  }
  if (acc) {
    s0a = wasm_f32x4_add(wasm_v128_load(c0), s0a); s0b = wasm_f32x4_add(wasm_v128_load(c0 + 4), s0b);
    s1a = wasm_f32x4_add(wasm_v128_load(c1), s1a); s1b = wasm_f32x4_add(wasm_v128_load(c1 + 4), s1b);
    s2a = wasm_f32x4_add(wasm_v128_load(c2), s2a); s2b = wasm_f32x4_add(wasm_v128_load(c2 + 4), s2b);
    s3a = wasm_f32x4_add(wasm_v128_load(c3), s3a); s3b = wasm_f32x4_add(wasm_v128_load(c3 + 4), s3b);
  }
  wasm_v128_store(c0, s0a); wasm_v128_store(c0 + 4, s0b);
  wasm_v128_store(c1, s1a); wasm_v128_store(c1 + 4, s1b);
  wasm_v128_store(c2, s2a); wasm_v128_store(c2 + 4, s2b);
  wasm_v128_store(c3, s3a); wasm_v128_store(c3 + 4, s3b);
}

/*
 * C[i, j] (+)= Σ_k A(i, k) · B[k·ldb + j] with A(i, k) = A[i·si + k·sk]: row-major A (si = lda, sk = 1) is x·W,
 * transposed A (si = 1, sk = lda) is the weight gradient gᵀ·x. Four rows of C by eight columns held in eight
 * vector registers while k runs; C is read and written once.
 */
EXPORT(gemm_nn)
void gemm_nn(int M, int N, int K, const f32 *A, int si, int sk, const f32 *B, int ldb, f32 *C, int ldc, int acc) {
  const int N8 = N & ~7, N4 = N & ~3;
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    f32 *c0 = C + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    const f32 *r0 = A + i * si, *r1 = r0 + si, *r2 = r1 + si, *r3 = r2 + si;
    int j = 0;
    for (; j < N8; j += 8) nn_block4x8(r0, si, sk, B + j, ldb, 0, K, c0 + j, ldc, acc);
    for (; j < N4; j += 4) {
      const v128_t z = wasm_f32x4_splat(0);
      v128_t s0 = z, s1 = z, s2 = z, s3 = z;
      const f32 *bp = B + j;
      for (int k = 0, ak = 0; k < K; k++, bp += ldb, ak += sk) {
        const v128_t b = wasm_v128_load(bp);
        MADD(s0, wasm_f32x4_splat(r0[ak]), b); MADD(s1, wasm_f32x4_splat(r1[ak]), b);
        MADD(s2, wasm_f32x4_splat(r2[ak]), b); MADD(s3, wasm_f32x4_splat(r3[ak]), b);
      }
      if (acc) {
        s0 = wasm_f32x4_add(wasm_v128_load(c0 + j), s0); s1 = wasm_f32x4_add(wasm_v128_load(c1 + j), s1);
        s2 = wasm_f32x4_add(wasm_v128_load(c2 + j), s2); s3 = wasm_f32x4_add(wasm_v128_load(c3 + j), s3);
      }
      wasm_v128_store(c0 + j, s0); wasm_v128_store(c1 + j, s1); wasm_v128_store(c2 + j, s2); wasm_v128_store(c3 + j, s3);
    }
    for (; j < N; j++) {
      f32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int k = 0, ak = 0; k < K; k++, ak += sk) {
        const f32 b = B[k * ldb + j];
        s0 += r0[ak] * b; s1 += r1[ak] * b; s2 += r2[ak] * b; s3 += r3[ak] * b;
      }
      if (acc) { c0[j] += s0; c1[j] += s1; c2[j] += s2; c3[j] += s3; }
      else { c0[j] = s0; c1[j] = s1; c2[j] = s2; c3[j] = s3; }
    }
  }
  for (; i < M; i++) {
    f32 *c0 = C + i * ldc;
    const f32 *r0 = A + i * si;
    int j = 0;
    for (; j < N4; j += 4) {
      v128_t s = wasm_f32x4_splat(0);
      const f32 *bp = B + j;
      for (int k = 0, ak = 0; k < K; k++, bp += ldb, ak += sk) MADD(s, wasm_f32x4_splat(r0[ak]), wasm_v128_load(bp));
      if (acc) s = wasm_f32x4_add(wasm_v128_load(c0 + j), s);
      wasm_v128_store(c0 + j, s);
    }
    for (; j < N; j++) {
      f32 s = 0;
      for (int k = 0, ak = 0; k < K; k++, ak += sk) s += r0[ak] * B[k * ldb + j];
      if (acc) c0[j] += s; else c0[j] = s;
    }
  }
}

/*
 * True when the sum of the [rows, cols] block (rows ld apart) is finite: false whenever an element is inf or NaN
 * (and, harmlessly, when a sum of finite elements overflows: the callers then take the dense path).
 */
static int sum_finite(const f32 *a, int rows, int cols, int ld) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  f32 tail = 0;
  for (int r = 0; r < rows; r++) {
    const f32 *p = a + r * ld;
    int c = 0;
    for (; c + 16 <= cols; c += 16) {
      s0 = wasm_f32x4_add(s0, wasm_v128_load(p + c)); s1 = wasm_f32x4_add(s1, wasm_v128_load(p + c + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(p + c + 8)); s3 = wasm_f32x4_add(s3, wasm_v128_load(p + c + 12));
    }
    for (; c < cols; c++) tail += p[c];
  }
  const f32 s = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3))) + tail;
  return s - s == 0;
}

/*
 * The Linear forward for a batch with many zero inputs (image pixels), in two steps so that the rows of W can be
 * shared between threads: fwd_segments lists, for each pair of rows of X, the four-wide segments where either row
 * holds a non-zero (`segs`: ceil(M/2)·(K/4 + 1) ints) and returns 1 when enough of them are zero for that to pay,
 * else 0 (the caller then takes gemm_nt). linear_fwd_segs is then gemm_nt's blocks over those segments only.
 */
EXPORT(fwd_segments)
int fwd_segments(int M, int K, const f32 *X, int ldx, int *segs) {
  const int K4 = K & ~3, S = K4 >> 2, P = (M + 1) >> 1;
  /* Measured on Fashion-MNIST (half its pixels zero, 23% of the segments of a row pair): from 32 rows the listed
   * segments pay from 10% zero (15% faster than dense at batch 64); at batch 10 only from half. The scan stops as
   * soon as the non-zero segments pass that share (a dense batch costs only part of a scan). */
  const long most = M >= 32 ? (9L * P * S) / 10 : ((long)P * S) / 2;
  int *count = segs + P * S;
  long total = 0;
  for (int p = 0; p < P; p++) {
    const f32 *a0 = X + 2 * p * ldx, *a1 = 2 * p + 1 < M ? a0 + ldx : a0;
    int *list = segs + p * S, n = 0;
    for (int k = 0; k < K4; k += 4) if (wasm_v128_any_true(wasm_v128_or(wasm_v128_load(a0 + k), wasm_v128_load(a1 + k)))) list[n++] = k;
    count[p] = n;
    total += n;
    if (total > most) return 0;
  }
  return 1;
}

/*
 * C (+)= X·Wᵀ over the segments fwd_segments listed (for the same M, K and X). Skipping 0·w is exact when W is
 * finite; otherwise (0·inf is NaN) this is gemm_nt. Each row of W is used alone, so any rows [j0, j1) of a W can
 * be done by one call (W + j0·ldw, C + j0) and the rest by another, on another thread.
 */
EXPORT(linear_fwd_segs)
void linear_fwd_segs(int M, int N, int K, const f32 *X, int ldx, const f32 *W, int ldw, f32 *C, int ldc, int acc, const int *segs) {
  if (!sum_finite(W, N, K, ldw)) { gemm_nt(M, N, K, X, ldx, W, ldw, C, ldc, acc); return; }
  const int K4 = K & ~3, S = K4 >> 2, P = (M + 1) >> 1;
  const int *count = segs + P * S;
  int j = 0;
  for (; j + 4 <= N; j += 4) {
    for (int p = 0; p < P; p++) {
      const int i = 2 * p, two = i + 1 < M;
      const f32 *a0 = X + i * ldx;
      f32 *c0 = C + i * ldc + j;
      nt_block(a0, two ? a0 + ldx : a0, W + j * ldw, ldw, segs + p * S, count[p], K4, K, c0, c0 + ldc, two, acc);
    }
  }
  for (; j < N; j++) {
    for (int p = 0; p < P; p++) {
      const int i = 2 * p, two = i + 1 < M;
      const f32 *a0 = X + i * ldx;
      f32 *c0 = C + i * ldc + j;
      nt_one(a0, two ? a0 + ldx : a0, W + j * ldw, segs + p * S, count[p], K4, K, c0, c0 + ldc, two, acc);
    }
  }
}

/*
 * The weight gradient C (+)= Gᵀ·X (G [R, M] row-major: the output gradient; X [R, N]: the batch) when X has many
 * zeros, in two steps so that the rows of C can be shared between threads: wgrad_lists lists, for each eight
 * columns of X, the rows with a non-zero there (`lists`: (N/8)·(R + 1) ints) and returns 1 when at least half of
 * those row blocks are zero, else 0 (the caller then takes gemm_nn).
 */
EXPORT(wgrad_lists)
int wgrad_lists(int N, int R, const f32 *X, int ldx, int *lists) {
  const int S = (N & ~7) >> 3;
  const long most = ((long)S * R) / 2; /* more non-zero blocks than this: dense; the scan stops there */
  int *count = lists + S * R;
  long total = 0;
  for (int s = 0; s < S; s++) count[s] = 0;
  for (int r = 0; r < R; r++) {
    const f32 *x = X + r * ldx;
    for (int s = 0; s < S; s++) {
      if (wasm_v128_any_true(wasm_v128_or(wasm_v128_load(x + 8 * s), wasm_v128_load(x + 8 * s + 4)))) {
        lists[s * R + count[s]++] = r;
        total++;
      }
    }
    if (total > most) return 0;
  }
  return 1;
}

/*
 * C (+)= Gᵀ·X over the rows wgrad_lists listed (for the same N, R and X): gemm_nn's block of four rows of C by
 * eight columns, where only the rows of X with a non-zero in those eight columns take part. Skipping g·0 is exact
 * when G is finite; otherwise this is gemm_nn. Rows [i0, i1) of C (G + i0, C + i0·ldc) can go to another call.
 */
EXPORT(wgrad_from_lists)
void wgrad_from_lists(int M, int N, int R, const f32 *G, int ldg, const f32 *X, int ldx, f32 *C, int ldc, int acc, const int *lists) {
  if (!sum_finite(G, R, M, ldg)) { gemm_nn(M, N, R, G, 1, ldg, X, ldx, C, ldc, acc); return; }
  const int N8 = N & ~7, S = N8 >> 3;
  const int *count = lists + S * R;
  const v128_t z = wasm_f32x4_splat(0);
  int j = 0;
  for (; j + 4 <= M; j += 4) {
    for (int s = 0; s < S; s++) {
      const int k = 8 * s, n = count[s];
      if (n == 0 && acc) continue;
      nn_block4x8(G + j, 1, ldg, X + k, ldx, lists + s * R, n, C + j * ldc + k, ldc, acc);
    }
  }
  for (; j < M; j++) {
    f32 *c0 = C + j * ldc;
    for (int s = 0; s < S; s++) {
      const int k = 8 * s, n = count[s];
      const int *list = lists + s * R;
      if (n == 0 && acc) continue;
      v128_t sa = z, sb = z;
      for (int t = 0; t < n; t++) {
        const int r = list[t];
        const v128_t v = wasm_f32x4_splat(G[r * ldg + j]);
        MADD(sa, v, wasm_v128_load(X + r * ldx + k)); MADD(sb, v, wasm_v128_load(X + r * ldx + k + 4));
      }
      if (acc) { sa = wasm_f32x4_add(wasm_v128_load(c0 + k), sa); sb = wasm_f32x4_add(wasm_v128_load(c0 + k + 4), sb); }
      wasm_v128_store(c0 + k, sa); wasm_v128_store(c0 + k + 4, sb);
    }
  }
  /* The last N % 8 columns, densely. */
  if (N8 < N) gemm_nn(M, N - N8, R, G, 1, ldg, X + N8, ldx, C + N8, ldc, acc);
}

/*
 * Image bytes to floats in [0, 1]: out[i] = in[i] / 255 rounded to float32, sixteen at a time. v·(1/255) in
 * float64 rounds to the same float32 as the correctly rounded v/255 for every byte (a unit test compares all 256
 * with the DataLoader's table), at a quarter of the cost of a float32 division.
 */
static inline v128_t unit2(v128_t u32) {
  return wasm_f64x2_mul(wasm_f64x2_convert_low_i32x4(u32), wasm_f64x2_splat(1.0 / 255.0));
}

static inline v128_t unit4(v128_t u32) {
  const v128_t lo = unit2(u32), hi = unit2(wasm_i32x4_shuffle(u32, u32, 2, 3, 0, 1));
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

EXPORT(u8_to_unit)
void u8_to_unit(f32 *out, const unsigned char *in, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t b = wasm_v128_load(in + i);
    const v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
    wasm_v128_store(out + i, unit4(wasm_u32x4_extend_low_u16x8(lo)));
    wasm_v128_store(out + i + 4, unit4(wasm_u32x4_extend_high_u16x8(lo)));
    wasm_v128_store(out + i + 8, unit4(wasm_u32x4_extend_low_u16x8(hi)));
    wasm_v128_store(out + i + 12, unit4(wasm_u32x4_extend_high_u16x8(hi)));
  }
  for (; i < n; i++) out[i] = (f32)((double)in[i] * (1.0 / 255.0));
}

/*
 * ReLU: out = x where x > 0 or x is NaN, else +0 (the JavaScript loop's numbers, four at a time; a JavaScript
 * loop does one element per nanosecond or two, this about twenty).
 */
EXPORT(relu_f32)
void relu_f32(f32 *out, const f32 *x, int n) {
  const v128_t z = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t keep = wasm_v128_or(wasm_f32x4_gt(v, z), wasm_f32x4_ne(v, v));
    wasm_v128_store(out + i, wasm_v128_and(v, keep));
  }
  for (; i < n; i++) { const f32 v = x[i]; out[i] = v > 0 || v != v ? v : 0; }
}

/* ReLU's backward from its output y: out = g where y > 0, else +0. */
EXPORT(relu_bwd_f32)
void relu_bwd_f32(f32 *out, const f32 *g, const f32 *y, int n) {
  const v128_t z = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    wasm_v128_store(out + i, wasm_v128_and(wasm_v128_load(g + i), wasm_f32x4_gt(wasm_v128_load(y + i), z)));
  }
  for (; i < n; i++) out[i] = y[i] > 0 ? g[i] : 0;
}

/*
 * out[c] = Σ_r src[r·cols + c] over the rows in order, accumulated in float64 and rounded once (a bias gradient:
 * the batch's sum), two columns per float64 lane pair.
 */
EXPORT(col_sum_f32)
void col_sum_f32(f32 *out, const f32 *src, int rows, int cols) {
  int c = 0;
  for (; c + 4 <= cols; c += 4) {
    v128_t lo = wasm_f64x2_splat(0), hi = lo;
    const f32 *p = src + c;
    for (int r = 0; r < rows; r++, p += cols) {
      const v128_t v = wasm_v128_load(p);
      lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(v));
      hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
    }
    const v128_t l = wasm_f32x4_demote_f64x2_zero(lo), h = wasm_f32x4_demote_f64x2_zero(hi);
    wasm_v128_store(out + c, wasm_i32x4_shuffle(l, h, 0, 1, 4, 5));
  }
  for (; c < cols; c++) {
    double a = 0;
    for (int r = 0; r < rows; r++) a += src[r * cols + c];
    out[c] = (f32)a;
  }
}

/*
 * exp(a) in float64 for a in [-700, 0] (two lanes): a = k·ln2 + r with |r| ≤ ln2/2 (fdlibm's split of ln2, so
 * k·ln2hi is exact), e^r by its Taylor series to r^13 (truncation below 2e-16 relative), times 2^k built in the
 * exponent bits. Within about one float64 ulp of Math.exp; NaN stays NaN.
 */
static inline v128_t exp_neg_f64x2(v128_t a) {
  const v128_t k = wasm_f64x2_nearest(wasm_f64x2_mul(a, wasm_f64x2_splat(1.44269504088896338700e+00)));
  v128_t r = wasm_f64x2_sub(a, wasm_f64x2_mul(k, wasm_f64x2_splat(6.93147180369123816490e-01)));
  r = wasm_f64x2_sub(r, wasm_f64x2_mul(k, wasm_f64x2_splat(1.90821492927058770002e-10)));
  /* The series 1/k! by Estrin's scheme (a shallow tree instead of a 13-deep chain of dependent steps). */
#define C(k) wasm_f64x2_splat(k)
#define LIN(a, b) wasm_f64x2_add(C(a), wasm_f64x2_mul(C(b), r))
  const v128_t r2 = wasm_f64x2_mul(r, r), r4 = wasm_f64x2_mul(r2, r2), r8 = wasm_f64x2_mul(r4, r4);
  const v128_t q0 = LIN(1.0, 1.0), q1 = LIN(1.0 / 2, 1.0 / 6), q2 = LIN(1.0 / 24, 1.0 / 120), q3 = LIN(1.0 / 720, 1.0 / 5040);
  const v128_t q4 = LIN(1.0 / 40320, 1.0 / 362880), q5 = LIN(1.0 / 3628800, 1.0 / 39916800), q6 = LIN(1.0 / 479001600, 1.0 / 6227020800.0);
#undef LIN
#undef C
  const v128_t s0 = wasm_f64x2_add(q0, wasm_f64x2_mul(q1, r2)), s1 = wasm_f64x2_add(q2, wasm_f64x2_mul(q3, r2));
  const v128_t s2 = wasm_f64x2_add(q4, wasm_f64x2_mul(q5, r2));
  const v128_t t0 = wasm_f64x2_add(s0, wasm_f64x2_mul(s1, r4)), t1 = wasm_f64x2_add(s2, wasm_f64x2_mul(q6, r4));
  const v128_t p = wasm_f64x2_add(t0, wasm_f64x2_mul(t1, r8));
  const v128_t ki = wasm_i64x2_extend_low_i32x4(wasm_i32x4_trunc_sat_f64x2_zero(k));
  const v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(ki, wasm_i64x2_splat(1023)), 52);
  return wasm_f64x2_mul(p, scale);
}

/* The sigmoid of two floats promoted to float64: the JavaScript loop's formula (unary.ts), rounded to float32 by
 * the caller. */
static inline v128_t sigmoid_f64x2(v128_t x) {
  const v128_t one = wasm_f64x2_splat(1.0), zero = wasm_f64x2_splat(0.0);
  const v128_t e = exp_neg_f64x2(wasm_f64x2_max(wasm_f64x2_neg(wasm_f64x2_abs(x)), wasm_f64x2_splat(-700.0)));
  /* 1/(1+e) where x >= 0, e/(1+e) elsewhere: one division with the numerator chosen. */
  const v128_t y = wasm_f64x2_div(wasm_v128_bitselect(one, e, wasm_f64x2_ge(x, zero)), wasm_f64x2_add(one, e));
  /* float32's exp(x) is 0 below -88.72...: the result is exactly 0 there (as PyTorch's float sigmoid). */
  return wasm_v128_bitselect(zero, y, wasm_f64x2_lt(x, wasm_f64x2_splat(-88.72283905206835)));
}

/*
 * out = sigmoid(x) in float32, computed in float64 as the JavaScript loop does, with exp_neg_f64x2 for Math.exp:
 * the same float32 numbers but for an input whose float64 value lands within an ulp of a float32 rounding
 * boundary (a few in a billion; a unit test counts them).
 */
EXPORT(sigmoid_f32)
void sigmoid_f32(f32 *out, const f32 *x, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t lo = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(v));
    const v128_t hi = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
    wasm_v128_store(out + i, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    const v128_t y = sigmoid_f64x2(wasm_f64x2_splat((double)x[i]));
    out[i] = (f32)wasm_f64x2_extract_lane(y, 0);
  }
}

/* p[0..n) = 0 (memory.fill): the JavaScript fill of a shared memory's array goes element by element. */
EXPORT(zero_f32)
void zero_f32(f32 *p, int n) {
  __builtin_memset(p, 0, (unsigned long)n * sizeof(f32));
}

/*
 * Plain SGD, p += alpha·g with alpha = -lr as float32, computed in float64 and rounded once: the same bits as
 * PyTorch's fused multiply-add (and as the JavaScript loop in optim.ts).
 */
EXPORT(sgd_f32)
void sgd_f32(f32 *p, const f32 *g, int n, f32 alpha) {
  const v128_t a = wasm_f64x2_splat((double)alpha);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t pv = wasm_v128_load(p + i), gv = wasm_v128_load(g + i);
    const v128_t lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(pv), wasm_f64x2_mul(a, wasm_f64x2_promote_low_f32x4(gv)));
    const v128_t ph = wasm_i32x4_shuffle(pv, pv, 2, 3, 0, 1), gh = wasm_i32x4_shuffle(gv, gv, 2, 3, 0, 1);
    const v128_t hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(ph), wasm_f64x2_mul(a, wasm_f64x2_promote_low_f32x4(gh)));
    const v128_t l = wasm_f32x4_demote_f64x2_zero(lo), h = wasm_f32x4_demote_f64x2_zero(hi);
    wasm_v128_store(p + i, wasm_i32x4_shuffle(l, h, 0, 1, 4, 5));
  }
  for (; i < n; i++) p[i] = (f32)((double)p[i] + (double)alpha * (double)g[i]);
}
