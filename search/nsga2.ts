// NSGA-II (Deb et al. 2002), generic over the individual type and seeded: the same seed gives
// the same populations. Constraint handling by constrained domination: an infeasible individual
// never ranks ahead of a feasible one, so it never enters the first front while any feasible exists.
import type { Rng } from '../nn/index.js';
import { crowdingDistance, nonDominatedSort, type Evaluated } from './pareto.js';

export interface Nsga2Problem<T> {
  random(rng: Rng): T;
  crossover(a: T, b: T, rng: Rng): T;
  mutate(x: T, rng: Rng): T;
  evaluate(x: T): Evaluated;
}

export interface Member<T> extends Evaluated {
  readonly x: T;
}

/** Ranks and crowding of a population, for binary tournaments and survival. */
function rankAndCrowd<T>(pop: readonly Member<T>[]): { rank: number[]; crowd: number[]; fronts: number[][] } {
  const fronts = nonDominatedSort(pop);
  const rank = new Array<number>(pop.length).fill(0);
  const crowd = new Array<number>(pop.length).fill(0);
  fronts.forEach((f, r) => {
    const d = crowdingDistance(pop, f);
    for (const i of f) {
      rank[i] = r;
      crowd[i] = d.get(i) ?? 0;
    }
  });
  return { rank, crowd, fronts };
}

function tournament(rng: Rng, rank: readonly number[], crowd: readonly number[]): number {
  const a = rng.int(rank.length);
  const b = rng.int(rank.length);
  if ((rank[a] ?? 0) !== (rank[b] ?? 0)) return (rank[a] ?? 0) < (rank[b] ?? 0) ? a : b;
  return (crowd[a] ?? 0) >= (crowd[b] ?? 0) ? a : b;
}

/** Selects `size` survivors: whole fronts while they fit, then the most spread-out of the next. */
export function survivors<T>(pool: readonly Member<T>[], size: number): Member<T>[] {
  const { fronts } = rankAndCrowd(pool);
  const out: Member<T>[] = [];
  for (const f of fronts) {
    if (out.length + f.length <= size) {
      for (const i of f) out.push(pool[i] as Member<T>);
      continue;
    }
    const d = crowdingDistance(pool, f);
    const rest = [...f].sort((a, b) => (d.get(b) ?? 0) - (d.get(a) ?? 0) || a - b);
    for (const i of rest.slice(0, size - out.length)) out.push(pool[i] as Member<T>);
    break;
  }
  return out;
}

/** `count` children by binary tournament (rank, then crowding), crossover and mutation. */
export function offspring<T>(problem: Pick<Nsga2Problem<T>, 'crossover' | 'mutate'>, pop: readonly Member<T>[], rng: Rng, count: number): T[] {
  const { rank, crowd } = rankAndCrowd(pop);
  const children: T[] = [];
  while (children.length < count) {
    const a = pop[tournament(rng, rank, crowd)] as Member<T>;
    const b = pop[tournament(rng, rank, crowd)] as Member<T>;
    children.push(problem.mutate(problem.crossover(a.x, b.x, rng), rng));
  }
  return children;
}

/** One generation: offspring, evaluation, (mu + lambda) survival. */
export function nsga2Step<T>(problem: Nsga2Problem<T>, pop: readonly Member<T>[], rng: Rng): Member<T>[] {
  const children = offspring(problem, pop, rng, pop.length).map((x) => ({ x, ...problem.evaluate(x) }));
  return survivors([...pop, ...children], pop.length);
}

export function initialPopulation<T>(problem: Nsga2Problem<T>, size: number, rng: Rng): Member<T>[] {
  return Array.from({ length: size }, () => {
    const x = problem.random(rng);
    return { x, ...problem.evaluate(x) };
  });
}

/** The first front of a population (the feasible non-dominated members, if any are feasible). */
export function firstFront<T>(pop: readonly Member<T>[]): Member<T>[] {
  return (nonDominatedSort(pop)[0] ?? []).map((i) => pop[i] as Member<T>).filter((m) => m.violation === 0 || pop.every((p) => p.violation > 0));
}
