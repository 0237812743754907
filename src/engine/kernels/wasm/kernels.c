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

/*
 * C[i, j] (+)= Σ_k A[i·lda + k] · B[j·ldb + k]: the Linear forward x·Wᵀ with W in its [out, in] layout.
 * Two rows of A against four rows of B, four k per step: 6 loads for 8 vector multiply-adds.
 */
EXPORT(gemm_nt)
void gemm_nt(int M, int N, int K, const f32 *A, int lda, const f32 *B, int ldb, f32 *C, int ldc, int acc) {
  const int K4 = K & ~3;
  int i = 0;
  for (; i + 2 <= M; i += 2) {
    const f32 *a0 = A + i * lda, *a1 = a0 + lda;
    f32 *c0 = C + i * ldc, *c1 = c0 + ldc;
    int j = 0;
    for (; j + 4 <= N; j += 4) {
      const f32 *b0 = B + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
      v128_t s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
      v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int k = 0; k < K4; k += 4) {
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
      if (acc) {
        c0[j] += r00; c0[j + 1] += r01; c0[j + 2] += r02; c0[j + 3] += r03;
        c1[j] += r10; c1[j + 1] += r11; c1[j + 2] += r12; c1[j + 3] += r13;
      } else {
        c0[j] = r00; c0[j + 1] = r01; c0[j + 2] = r02; c0[j + 3] = r03;
        c1[j] = r10; c1[j + 1] = r11; c1[j + 2] = r12; c1[j + 3] = r13;
      }
    }
    for (; j < N; j++) {
      const f32 *b0 = B + j * ldb;
      v128_t s0 = wasm_f32x4_splat(0), s1 = s0;
      for (int k = 0; k < K4; k += 4) {
        const v128_t w = wasm_v128_load(b0 + k);
        MADD(s0, wasm_v128_load(a0 + k), w); MADD(s1, wasm_v128_load(a1 + k), w);
      }
      f32 r0 = hsum(s0), r1 = hsum(s1);
      for (int k = K4; k < K; k++) { r0 += a0[k] * b0[k]; r1 += a1[k] * b0[k]; }
      if (acc) { c0[j] += r0; c1[j] += r1; } else { c0[j] = r0; c1[j] = r1; }
    }
  }
  for (; i < M; i++) {
    const f32 *a0 = A + i * lda;
    f32 *c0 = C + i * ldc;
    for (int j = 0; j < N; j++) {
      const f32 *b0 = B + j * ldb;
      v128_t s = wasm_f32x4_splat(0);
      for (int k = 0; k < K4; k += 4) MADD(s, wasm_v128_load(a0 + k), wasm_v128_load(b0 + k));
      f32 r = hsum(s);
      for (int k = K4; k < K; k++) r += a0[k] * b0[k];
      if (acc) c0[j] += r; else c0[j] = r;
    }
  }
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
    for (; j < N8; j += 8) {
      const v128_t z = wasm_f32x4_splat(0);
      v128_t s0a = z, s0b = z, s1a = z, s1b = z, s2a = z, s2b = z, s3a = z, s3b = z;
      const f32 *bp = B + j;
      for (int k = 0, ak = 0; k < K; k++, bp += ldb, ak += sk) {
        const v128_t ba = wasm_v128_load(bp), bb = wasm_v128_load(bp + 4);
        v128_t x = wasm_f32x4_splat(r0[ak]);
        MADD(s0a, x, ba); MADD(s0b, x, bb);
        x = wasm_f32x4_splat(r1[ak]);
        MADD(s1a, x, ba); MADD(s1b, x, bb);
        x = wasm_f32x4_splat(r2[ak]);
        MADD(s2a, x, ba); MADD(s2b, x, bb);
        x = wasm_f32x4_splat(r3[ak]);
        MADD(s3a, x, ba); MADD(s3b, x, bb);
      }
      if (acc) {
        s0a = wasm_f32x4_add(wasm_v128_load(c0 + j), s0a); s0b = wasm_f32x4_add(wasm_v128_load(c0 + j + 4), s0b);
        s1a = wasm_f32x4_add(wasm_v128_load(c1 + j), s1a); s1b = wasm_f32x4_add(wasm_v128_load(c1 + j + 4), s1b);
        s2a = wasm_f32x4_add(wasm_v128_load(c2 + j), s2a); s2b = wasm_f32x4_add(wasm_v128_load(c2 + j + 4), s2b);
        s3a = wasm_f32x4_add(wasm_v128_load(c3 + j), s3a); s3b = wasm_f32x4_add(wasm_v128_load(c3 + j + 4), s3b);
      }
      wasm_v128_store(c0 + j, s0a); wasm_v128_store(c0 + j + 4, s0b);
      wasm_v128_store(c1 + j, s1a); wasm_v128_store(c1 + j + 4, s1b);
      wasm_v128_store(c2 + j, s2a); wasm_v128_store(c2 + j + 4, s2b);
      wasm_v128_store(c3 + j, s3a); wasm_v128_store(c3 + j + 4, s3b);
    }
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
