import { describe, expect, it } from 'vitest';
import { planArena, type ArenaBuffer } from '../../hardware/mcu/index.js';

const offsets = (plan: ReturnType<typeof planArena>): Record<string, number> => Object.fromEntries(plan.buffers.map((b) => [b.name, b.offset]));

describe('planArena (greedy by size, lowest non-overlapping offset)', () => {
  it('a chain: each op needs its input and output, nothing else', () => {
    // input(100) -op0-> t0(200) -op1-> t1(300) -op2-> out(50)
    // Lifetimes: input 0..0, t0 0..1, t1 1..2, out 2..2 (the output lives to the last op).
    // By size: t1 (300) at 0; t0 (200) meets t1 at op1 -> above it at 300; input (100) meets only
    // t0 (at 300) -> 0 fits below; out (50) meets only t1 (0..300) -> 300.
    // Arena = max end = 300 + 200 = 500 (ops 1: t0 + t1 = 500 live).
    const buffers: ArenaBuffer[] = [
      { name: 'input', bytes: 100, firstOp: 0, lastOp: 0 },
      { name: 't0', bytes: 200, firstOp: 0, lastOp: 1 },
      { name: 't1', bytes: 300, firstOp: 1, lastOp: 2 },
      { name: 'out', bytes: 50, firstOp: 2, lastOp: 2 },
    ];
    const plan = planArena(buffers, 3, { alignment: 1 });
    expect(offsets(plan)).toEqual({ input: 0, t0: 300, t1: 0, out: 300 });
    expect(plan.arenaBytes).toBe(500);
    expect(plan.perOp.map((m) => m.liveBytes)).toEqual([300, 500, 350]);
    expect(plan.perOp.map((m) => m.extentBytes)).toEqual([500, 500, 350]);
  });

  it('a concat keeps all its inputs alive with its output', () => {
    // x(64) feeds op0 -> a(64) and op1 -> b(64); op2 = concat(a, b) -> c(128).
    // Lifetimes: x 0..1, a 0..2, b 1..2, c 2..2.
    // c (128) at 0. Ties of 64 by first use, then last use: x (0..1), a (0..2), b (1..2).
    // x does not meet c -> 0. a meets x (0..64) and c (0..128) -> 128. b meets x, a, c -> 192.
    // Arena 256 = a + b + c, all alive during the concat.
    const buffers: ArenaBuffer[] = [
      { name: 'x', bytes: 64, firstOp: 0, lastOp: 1 },
      { name: 'a', bytes: 64, firstOp: 0, lastOp: 2 },
      { name: 'b', bytes: 64, firstOp: 1, lastOp: 2 },
      { name: 'c', bytes: 128, firstOp: 2, lastOp: 2 },
    ];
    const plan = planArena(buffers, 3, { alignment: 1 });
    expect(offsets(plan)).toEqual({ x: 0, a: 128, b: 192, c: 0 });
    expect(plan.arenaBytes).toBe(256);
    expect(plan.perOp[2]?.liveBytes).toBe(256);
  });

  it('a residual add keeps the skip input alive across the branch', () => {
    // op0: y = f(x); op1: z = g(y); op2: out = x + z. All 100 bytes.
    // Lifetimes: x 0..2 (read by the add), y 0..1, z 1..2, out 2..2.
    // Ties by first, then last use: y (0..1) at 0; x (0..2) meets y -> 100; z meets y and x -> 200;
    // out meets x (100..200) and z (200..300) but not y -> 0, y's freed slot.
    // Arena 300; without the skip (x dying at op0) it would be 200.
    const residual: ArenaBuffer[] = [
      { name: 'x', bytes: 100, firstOp: 0, lastOp: 2 },
      { name: 'y', bytes: 100, firstOp: 0, lastOp: 1 },
      { name: 'z', bytes: 100, firstOp: 1, lastOp: 2 },
      { name: 'out', bytes: 100, firstOp: 2, lastOp: 2 },
    ];
    const plan = planArena(residual, 3, { alignment: 1 });
    expect(offsets(plan)).toEqual({ x: 100, y: 0, z: 200, out: 0 });
    expect(plan.arenaBytes).toBe(300);
    const plain = planArena(
      residual.map((b) => (b.name === 'x' ? { ...b, lastOp: 0 } : b)),
      3,
      { alignment: 1 },
    );
    expect(plain.arenaBytes).toBe(200);
  });

  it('a later, smaller buffer goes into a hole freed by a dead one', () => {
    // A 1000 (0..1), B 800 (2..3), C 300 (1..2), E 150 (0..0), D 200 (3..3).
    // A at 0; B never meets A -> 0; C meets A (op1) and B (op2) -> 1000;
    // E meets only A -> 1000 (C's space, C is not alive at op0);
    // D meets only B (0..800) -> 800: the hole A left, which nobody alive at op3 uses.
    // Arena = C's end, 1300.
    const buffers: ArenaBuffer[] = [
      { name: 'A', bytes: 1000, firstOp: 0, lastOp: 1 },
      { name: 'B', bytes: 800, firstOp: 2, lastOp: 3 },
      { name: 'C', bytes: 300, firstOp: 1, lastOp: 2 },
      { name: 'D', bytes: 200, firstOp: 3, lastOp: 3 },
      { name: 'E', bytes: 150, firstOp: 0, lastOp: 0 },
    ];
    const plan = planArena(buffers, 4, { alignment: 1 });
    expect(offsets(plan)).toEqual({ A: 0, B: 0, C: 1000, D: 800, E: 1000 });
    expect(plan.arenaBytes).toBe(1300);
  });

  it('aligns buffers to 16 bytes by default, and rejects lifetimes outside the schedule', () => {
    // 10 and 20 bytes alive together: 16 + 32 = 48 with TFLM's 16-byte alignment, 30 without.
    const buffers: ArenaBuffer[] = [
      { name: 'p', bytes: 10, firstOp: 0, lastOp: 0 },
      { name: 'q', bytes: 20, firstOp: 0, lastOp: 0 },
    ];
    expect(planArena(buffers, 1).arenaBytes).toBe(48);
    expect(planArena(buffers, 1, { alignment: 1 }).arenaBytes).toBe(30);
    expect(() => planArena([{ name: 'r', bytes: 4, firstOp: 0, lastOp: 3 }], 2)).toThrow(/outside ops/);
  });

  it('never overlaps two buffers that are alive at the same time (random schedules)', () => {
    let s = 12345;
    const rnd = (n: number): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s % n;
    };
    for (let trial = 0; trial < 20; trial++) {
      const ops = 2 + rnd(10);
      const buffers: ArenaBuffer[] = Array.from({ length: 3 + rnd(25) }, (_, i) => {
        const first = rnd(ops);
        return { name: `b${i}`, bytes: 1 + rnd(500), firstOp: first, lastOp: first + rnd(ops - first) };
      });
      const plan = planArena(buffers, ops);
      for (const a of plan.buffers)
        for (const b of plan.buffers) {
          if (a === b || a.lastOp < b.firstOp || b.lastOp < a.firstOp) continue;
          expect(a.offset + a.alignedBytes <= b.offset || b.offset + b.alignedBytes <= a.offset).toBe(true);
        }
      // The arena can never be smaller than what one op needs alive at once.
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(Math.max(...plan.perOp.map((m) => m.liveBytes)));
    }
  });
});
