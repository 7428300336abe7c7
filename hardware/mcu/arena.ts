// A TensorFlow-Lite-Micro-style greedy arena planner (TFLM's GreedyMemoryPlanner): buffers are
// placed largest first (ties: earlier first use, then name, so the plan is deterministic), each at
// the lowest offset where it overlaps no already-placed buffer whose lifetime overlaps its own; the
// arena is the high-water mark. Lifetimes are inclusive op indices: a tensor lives from the op that
// writes it to the last op that reads it, so an op's inputs and outputs never share memory.
// Pure: no knowledge of graphs, just buffers.

export interface ArenaBuffer {
  readonly name: string;
  readonly bytes: number;
  /** First op (index) during which the buffer must exist. */
  readonly firstOp: number;
  /** Last op (index, inclusive) during which it must exist. */
  readonly lastOp: number;
}

export interface PlacedBuffer extends ArenaBuffer {
  readonly offset: number;
  /** Size after rounding up to the alignment. */
  readonly alignedBytes: number;
}

export interface OpMemory {
  /** Sum of the (aligned) buffers alive during the op. */
  readonly liveBytes: number;
  /** Highest end offset of a buffer alive during the op: the arena this op alone would need. */
  readonly extentBytes: number;
}

export interface ArenaPlan {
  /** The buffers with their offsets, in the order given. */
  readonly buffers: readonly PlacedBuffer[];
  /** High-water mark: the arena size. */
  readonly arenaBytes: number;
  /** Per op index 0..opCount-1. */
  readonly perOp: readonly OpMemory[];
}

export interface ArenaOptions {
  /** TFLM aligns every buffer to 16 bytes (MicroArenaBufferAlignment); 1 disables alignment. */
  readonly alignment?: number;
}

export const TFLM_BUFFER_ALIGNMENT = 16;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const overlapsInTime = (a: ArenaBuffer, b: ArenaBuffer): boolean => a.firstOp <= b.lastOp && b.firstOp <= a.lastOp;

/** Plans `buffers` for a schedule of `opCount` ops (buffers may only live within 0..opCount-1). */
export function planArena(buffers: readonly ArenaBuffer[], opCount: number, options: ArenaOptions = {}): ArenaPlan {
  const alignment = options.alignment ?? TFLM_BUFFER_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1) throw new RangeError(`arena alignment must be a positive integer, got ${alignment}`);
  for (const b of buffers) {
    if (!(Number.isInteger(b.bytes) && b.bytes >= 0)) throw new RangeError(`buffer ${b.name}: size ${b.bytes} is not a whole number of bytes`);
    if (!(b.firstOp >= 0 && b.lastOp >= b.firstOp && b.lastOp < Math.max(opCount, 1))) throw new RangeError(`buffer ${b.name}: lifetime ${b.firstOp}..${b.lastOp} is outside ops 0..${opCount - 1}`);
  }
  const sizes = buffers.map((b) => alignUp(b.bytes, alignment));
  const order = buffers
    .map((_, i) => i)
    .sort((i, j) => {
      const a = buffers[i] as ArenaBuffer;
      const b = buffers[j] as ArenaBuffer;
      return (sizes[j] ?? 0) - (sizes[i] ?? 0) || a.firstOp - b.firstOp || a.lastOp - b.lastOp || (a.name < b.name ? -1 : a.name > b.name ? 1 : i - j);
    });

  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  for (const i of order) {
    const buf = buffers[i] as ArenaBuffer;
    const size = sizes[i] ?? 0;
    // Already-placed buffers that live at the same time, by offset; take the first gap that fits.
    const clash = placed.filter((j) => overlapsInTime(buf, buffers[j] as ArenaBuffer)).sort((a, b) => (offsets[a] ?? 0) - (offsets[b] ?? 0));
    let at = 0;
    for (const j of clash) {
      const start = offsets[j] ?? 0;
      if (size === 0 || at + size <= start) break;
      at = Math.max(at, start + (sizes[j] ?? 0));
    }
    offsets[i] = at;
    placed.push(i);
  }

  const placedBuffers = buffers.map((b, i) => ({ ...b, offset: offsets[i] ?? 0, alignedBytes: sizes[i] ?? 0 }));
  const perOp: OpMemory[] = Array.from({ length: opCount }, () => ({ liveBytes: 0, extentBytes: 0 }));
  for (const b of placedBuffers)
    for (let op = b.firstOp; op <= b.lastOp && op < opCount; op++) {
      const m = perOp[op] as OpMemory;
      perOp[op] = { liveBytes: m.liveBytes + b.alignedBytes, extentBytes: Math.max(m.extentBytes, b.offset + b.alignedBytes) };
    }
  const arenaBytes = placedBuffers.reduce((a, b) => Math.max(a, b.offset + b.alignedBytes), 0);
  return { buffers: placedBuffers, arenaBytes, perOp };
}
