// Search strategies over genomes, all seeded and generation-synchronous: each generation the
// strategy proposes genomes, then observes their evaluations in proposal order. Proposals depend
// only on the seed and what was observed, so replaying a journal reproduces them exactly.
import { createRng, type Rng } from '../nn/index.js';
import { crossoverGenomes, mutateGenome, sampleGenome, type Genome, type SearchSpace } from '../space/index.js';
import { offspring, survivors, type Member } from './nsga2.js';

export type StrategyName = 'random' | 'evolution' | 'nsga2';

export interface Strategy {
  propose(generation: number): Genome[];
  observe(generation: number, evaluated: readonly Member<Genome>[]): void;
}

export interface StrategyOptions {
  readonly space: SearchSpace;
  readonly seed: number;
  readonly population: number;
  readonly sampleSize: number;
}

/** Feasible before infeasible; then the first objective (minimised). */
function better(a: Member<Genome>, b: Member<Genome>): boolean {
  if (a.violation !== b.violation) return a.violation < b.violation;
  return (a.objectives[0] ?? Infinity) < (b.objectives[0] ?? Infinity);
}

function randomGenomes(space: SearchSpace, rng: Rng, n: number): Genome[] {
  return Array.from({ length: n }, () => sampleGenome(space, rng));
}

export function createStrategy(name: StrategyName, o: StrategyOptions): Strategy {
  const rng = createRng(o.seed, `strategy:${name}`);
  switch (name) {
    case 'random':
      return { propose: () => randomGenomes(o.space, rng, o.population), observe: () => undefined };
    case 'evolution': {
      // Regularized (aging) evolution, a generation of children at a time: each child mutates the
      // best of `sampleSize` random members; the oldest members leave as children join.
      let population: Member<Genome>[] = [];
      return {
        propose(generation) {
          if (generation === 0 || population.length === 0) return randomGenomes(o.space, rng, o.population);
          return Array.from({ length: o.population }, () => {
            let best: Member<Genome> | undefined;
            for (let i = 0; i < o.sampleSize; i++) {
              const m = population[rng.int(population.length)] as Member<Genome>;
              if (!best || better(m, best)) best = m;
            }
            return mutateGenome((best as Member<Genome>).x, o.space, rng);
          });
        },
        observe(_generation, evaluated) {
          population = [...population, ...evaluated].slice(-o.population);
        },
      };
    }
    case 'nsga2': {
      let population: Member<Genome>[] = [];
      const ops = { crossover: (a: Genome, b: Genome, r: Rng) => crossoverGenomes(a, b, o.space, r), mutate: (x: Genome, r: Rng) => mutateGenome(x, o.space, r) };
      return {
        propose(generation) {
          if (generation === 0 || population.length === 0) return randomGenomes(o.space, rng, o.population);
          return offspring(ops, population, rng, o.population);
        },
        observe(_generation, evaluated) {
          population = survivors([...population, ...evaluated], o.population);
        },
      };
    }
  }
}
