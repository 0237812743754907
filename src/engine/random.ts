/**
 * A seeded generator that reproduces PyTorch's CPU generator bit for bit for the draws we use:
 * mt19937 (aten/src/ATen/core/MT19937RNGEngine.h), `torch.rand`/`uniform_` (24-bit floats),
 * `randint`, `randperm`, and `randn` (Box-Muller as in normal_fill / normal_distribution).
 * So `manualSeed(0)` followed by `new nn.Linear(784, 64)` gives the weights PyTorch gives after
 * `torch.manual_seed(0); nn.Linear(784, 64)`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UMASK = 0x80000000;
const LMASK = 0x7fffffff;
const TWO_PI = 2 * Math.PI;

export class Generator {
  private state = new Uint32Array(N);
  private left = 1;
  private next = 0;
  private nextDoubleNormal: number | null = null;
  private seedValue = 0;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** torch.manual_seed: seeds mt19937 with the low 32 bits and drops any cached normal sample. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`manual_seed expected a non-negative integer, got ${seed}`);
    }
    this.seedValue = seed;
    const st = this.state;
    st[0] = seed % 0x100000000;
    for (let j = 1; j < N; j++) {
      const prev = st[j - 1] ^ (st[j - 1] >>> 30);
      st[j] = (Math.imul(1812433253, prev) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
    this.nextDoubleNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seedValue;
  }

  private nextState(): void {
    const st = this.state;
    this.left = N;
    this.next = 0;
    let p = 0;
    for (let j = N - M + 1; --j; p++) st[p] = st[p + M] ^ twist(st[p], st[p + 1]);
    for (let j = M; --j; p++) st[p] = st[p + M - N] ^ twist(st[p], st[p + 1]);
    st[p] = st[p + M - N] ^ twist(st[p], st[0]);
  }

  /** One 32-bit draw (generator->random()). */
  random(): number {
    if (--this.left === 0) this.nextState();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** The low 53 bits of random64() = (first << 32) | second, as an exact double. */
  random53(): number {
    const hi = this.random();
    const lo = this.random();
    return (hi & 0x1fffff) * 0x100000000 + lo;
  }

  /** uniform_real_distribution<float>(from, to): 24 random bits, float arithmetic with a fused multiply-add. */
  uniformFloat(from: number, to: number): number {
    const x = (this.random() & 0xffffff) / 0x1000000;
    const f = Math.fround(from);
    const range = Math.fround(Math.fround(to) - f);
    return Math.fround(x * range + f);
  }

  /** uniform_real_distribution<double>(from, to): 53 random bits. */
  uniformDouble(from: number, to: number): number {
    const x = this.random53() / 9007199254740992;
    return x * (to - from) + from;
  }

  /** normal_distribution<double>: Box-Muller with the second sample cached, as PyTorch's CPU generator does. */
  normalDouble(mean: number, std: number): number {
    if (this.nextDoubleNormal !== null) {
      const r = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return r * std + mean;
    }
    const u1 = this.uniformDouble(0, 1);
    const u2 = this.uniformDouble(0, 1);
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = TWO_PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta) * std + mean;
  }

  /** Fills `out` like `normal_(mean, std)` on a contiguous tensor (float path when `float32`). */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number, float32: boolean): void {
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble(mean, std);
      return;
    }
    const tmp = float32 ? out : out;
    for (let i = 0; i < n; i++) tmp[i] = float32 ? this.uniformFloat(0, 1) : this.uniformDouble(0, 1);
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16(tmp, i, mean, std);
    if (n % 16 !== 0) {
      const start = n - 16;
      for (let i = 0; i < 16; i++) tmp[start + i] = float32 ? this.uniformFloat(0, 1) : this.uniformDouble(0, 1);
      boxMuller16(tmp, start, mean, std);
    }
  }

  /** uniform_int_from_to_distribution: (draw % range) + low, with a 64-bit draw for ranges >= 2^32. */
  randint(low: number, high: number): number {
    const range = high - low;
    if (range >= 0x100000000) {
      const hi = this.random();
      const lo = this.random();
      const r = (BigInt(hi) << 32n) | BigInt(lo);
      return Number(r % BigInt(range)) + low;
    }
    return (this.random() % range) + low;
  }

  /** torch.randperm(n) on the CPU: a Fisher-Yates pass drawing random() % (n - i). */
  randperm(n: number): Float64Array {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = this.random() % (n - i);
      const sav = r[i];
      r[i] = r[z + i];
      r[z + i] = sav;
    }
    return r;
  }

  /** Bernoulli(p) draw in [0, 1): used by dropout (not bit-compatible with PyTorch's vectorised kernel). */
  bernoulli(p: number): number {
    return this.uniformDouble(0, 1) < p ? 1 : 0;
  }

  /** Snapshot and restore, for deterministic resumption. */
  getState(): { state: number[]; left: number; next: number; seed: number } {
    return { state: Array.from(this.state), left: this.left, next: this.next, seed: this.seedValue };
  }
  setState(s: { state: number[]; left: number; next: number; seed: number }): void {
    if (s.state.length !== N) throw new RangeError(`generator state must hold ${N} words`);
    this.state.set(s.state);
    this.left = s.left;
    this.next = s.next;
    this.seedValue = s.seed;
    this.nextDoubleNormal = null;
  }
}

function twist(u: number, v: number): number {
  return ((((u & UMASK) | (v & LMASK)) >>> 1) ^ (v & 1 ? MATRIX_A : 0)) >>> 0;
}

function boxMuller16(data: Float32Array | Float64Array, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[at + j];
    const u2 = data[at + j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    data[at + j] = radius * Math.cos(theta) * std + mean;
    data[at + j + 8] = radius * Math.sin(theta) * std + mean;
  }
}

/** The default generator, as torch's global one. */
export const defaultGenerator = new Generator();

/** torch.manual_seed(seed). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
