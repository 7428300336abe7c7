import { describe, expect, it } from 'vitest';
import { createRng } from '../../nn/index.js';
import {
  DEFAULT_SPACE,
  FAMILIES,
  YOLOBENCH_SPACE,
  crossoverGenomes,
  genomeId,
  legalNecks,
  mutateGenome,
  pairingProblem,
  sampleGenome,
  validateGenome,
  validateSpace,
  type Genome,
} from '../../space/index.js';

describe('the space says which backbone/neck pairings are legal', () => {
  it('every backbone has legal necks, including its own family', () => {
    for (const f of FAMILIES) expect(legalNecks(f)).toContain(f);
  });
  it('an SPP-ending backbone never feeds an SPP-opening neck', () => {
    expect(pairingProblem('v8', 'v7')).toMatch(/SPP/);
    expect(pairingProblem('v6s', 'v4')).toMatch(/SPP/);
    expect(pairingProblem('v3', 'v7')).toBeUndefined();
    expect(pairingProblem('v7', 'v8')).toBeUndefined();
  });
});

describe('seeded sampling, mutation and crossover', () => {
  it('produce only valid genomes, with legal pairings and values from the space', () => {
    const rng = createRng(11);
    let population: Genome[] = Array.from({ length: 50 }, () => sampleGenome(DEFAULT_SPACE, rng));
    for (let gen = 0; gen < 40; gen++) {
      population = population.map((g, i) => {
        const child = rng.next() < 0.5 ? mutateGenome(g, DEFAULT_SPACE, rng) : crossoverGenomes(g, population[(i + 1) % population.length] as Genome, DEFAULT_SPACE, rng);
        expect(() => validateGenome(child)).not.toThrow();
        expect(pairingProblem(child.backbone, child.neck)).toBeUndefined();
        expect(DEFAULT_SPACE.resolutions).toContain(child.resolution);
        expect(DEFAULT_SPACE.widths).toContain(child.width);
        return child;
      });
    }
  });

  it('explore the space: all families, mixed necks and every activation show up', () => {
    const rng = createRng(5);
    const gs = Array.from({ length: 400 }, () => sampleGenome(DEFAULT_SPACE, rng));
    expect(new Set(gs.map((g) => g.backbone)).size).toBe(FAMILIES.length);
    expect(gs.some((g) => g.neck !== g.backbone)).toBe(true);
    expect(new Set(gs.map((g) => g.activation)).size).toBe(DEFAULT_SPACE.activations.length);
  });

  it('the YOLOBench space keeps each family with its own neck and the published activations', () => {
    const rng = createRng(9);
    for (let i = 0; i < 200; i++) {
      const g = sampleGenome(YOLOBENCH_SPACE, rng);
      expect(g.neck).toBe(g.backbone);
      expect(g.activation).toBe('family');
      expect(genomeId(g)).not.toContain('+');
      const m = mutateGenome(g, YOLOBENCH_SPACE, rng);
      expect(m.neck).toBe(m.backbone);
    }
  });

  it('mutation changes exactly one gene group', () => {
    const rng = createRng(2);
    for (let i = 0; i < 200; i++) {
      const g = sampleGenome(DEFAULT_SPACE, rng);
      const m = mutateGenome(g, DEFAULT_SPACE, rng);
      const changed = (Object.keys(g) as (keyof Genome)[]).filter((k) => JSON.stringify(g[k]) !== JSON.stringify(m[k]));
      // A backbone change may also force a new neck.
      expect(changed.length).toBeLessThanOrEqual(changed.includes('backbone') ? 2 : 1);
    }
  });

  it('the same seed gives the same genomes; another seed gives others', () => {
    const run = (seed: number): string[] => {
      const rng = createRng(seed);
      const out: string[] = [];
      let g = sampleGenome(DEFAULT_SPACE, rng);
      for (let i = 0; i < 30; i++) {
        g = mutateGenome(g, DEFAULT_SPACE, rng);
        out.push(genomeId(g));
      }
      return out;
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('rejects a space with an empty gene or a backbone without a legal neck', () => {
    expect(() => validateSpace({ ...DEFAULT_SPACE, widths: [] })).toThrow(/no widths/);
    expect(() => validateSpace({ ...DEFAULT_SPACE, backbones: ['v8'], necks: ['v7'] })).toThrow(/backbone v8 has no legal neck/);
    expect(() => validateSpace({ ...DEFAULT_SPACE, resolutions: [300] })).toThrow(/resolution 300/);
    expect(validateSpace(DEFAULT_SPACE)).toBe(DEFAULT_SPACE);
  });
});
