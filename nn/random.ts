// Seeded pseudo-random numbers. Every random decision in zcnas (weights, batches, sampling,
// mutation) draws from a stream derived from a user seed, so results are reproducible bit for bit.

/** A generator of uniform floats in [0, 1). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** The generator's internal state (for inlined bulk generation). */
  state(): [number, number, number, number];
}

/** 32-bit FNV-1a hash of a string: stable names become stable stream ids. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32 finaliser: decorrelates nearby seeds. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function initialState(seed: number, stream: string): [number, number, number, number] {
  const s0 = mix32(seed >>> 0);
  const s1 = mix32(s0 ^ hashString(stream));
  return [s0, s1, mix32(s1 ^ 0x6a09e667), 1];
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter generator), seeded from a number and an
 * optional stream name, so that e.g. each weight tensor has its own independent stream.
 */
export function createRng(seed: number, stream = ''): Rng {
  let [a, b, c, d] = initialState(seed, stream);
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  let spare: number | undefined;
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    state: () => [a, b, c, d],
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}

/**
 * Fills `out` with uniform values in [lo, hi): the same numbers as createRng(seed, stream).next()
 * would give, with the generator inlined (weight init draws tens of millions of them).
 */
export function fillUniform(out: Float32Array, seed: number, stream: string, lo: number, hi: number): Float32Array {
  // `| 0` tells V8 the state is int32 from the start; destructured as is, the loop ran 4x slower.
  const s = createRng(seed, stream).state(); // burns the same 12 warm-up draws
  let a = s[0] | 0, b = s[1] | 0, c = s[2] | 0, d = s[3] | 0;
  const span = (hi - lo) / 4294967296;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    out[i] = lo + (t >>> 0) * span;
  }
  return out;
}

/** Fills `out` with standard normals (Box-Muller on the inlined generator), seeded like fillUniform. */
export function fillNormal(out: Float32Array, seed: number, stream: string, scale = 1, shift = 0): Float32Array {
  const s = createRng(seed, stream).state();
  let a = s[0] | 0, b = s[1] | 0, c = s[2] | 0, d = s[3] | 0;
  const n = out.length;
  const inv = 1 / 4294967296;
  for (let i = 0; i < n; i += 2) {
    let t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const u = ((t >>> 0) + 0.5) * inv;
    t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const v = (t >>> 0) * inv;
    const r = Math.sqrt(-2 * Math.log(u)) * scale;
    out[i] = shift + r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = shift + r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
