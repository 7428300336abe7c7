// Seeded sampling, mutation and crossover over a discrete grid of gene values. Every operator
// returns a valid genome: illegal backbone/neck pairings are repaired, never emitted.
import type { Rng } from '../nn/index.js';
import {
  ACTIVATIONS,
  FAMILIES,
  HEADS,
  SpaceError,
  legalNecks,
  normalise,
  validateGenome,
  type ActivationGene,
  type Family,
  type Genome,
  type HeadVariant,
  type StageGenes,
} from './genome.js';

/** The values each gene may take during a search. */
export interface SearchSpace {
  readonly backbones: readonly Family[];
  readonly necks: readonly Family[];
  /** false: every backbone keeps its own family's neck (as in YOLOBench). */
  readonly mixNecks: boolean;
  readonly heads: readonly HeadVariant[];
  readonly depths: readonly number[];
  readonly widths: readonly number[];
  /** Per-stage multipliers; [1] keeps every stage at the global depth / width. */
  readonly stageMultipliers: readonly number[];
  readonly resolutions: readonly number[];
  readonly activations: readonly ActivationGene[];
}

/** A broad default: every family and pairing, YOLOBench's scales and resolutions, MCU-friendly activations. */
export const DEFAULT_SPACE: SearchSpace = {
  backbones: FAMILIES,
  necks: FAMILIES,
  mixNecks: true,
  heads: HEADS,
  depths: [0.33, 0.5, 0.67, 1],
  widths: [0.25, 0.33, 0.5, 0.67, 0.75, 1],
  stageMultipliers: [0.5, 0.75, 1, 1.25, 1.5],
  resolutions: [160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480],
  activations: ACTIVATIONS,
};

/** YOLOBench's own space: same-family necks, the v8 head, published activations, no stage genes. */
export const YOLOBENCH_SPACE: SearchSpace = {
  ...DEFAULT_SPACE,
  mixNecks: false,
  heads: ['v8'],
  depths: [0.33, 0.67, 1],
  widths: [0.25, 0.5, 0.75, 1],
  stageMultipliers: [1],
  activations: ['family'],
};

/** Checks that every value of the space is a valid gene value and every backbone has a legal neck. */
export function validateSpace(space: SearchSpace): SearchSpace {
  const nonEmpty = (what: string, xs: readonly unknown[]): void => {
    if (xs.length === 0) throw new SpaceError(`the search space has no ${what}: give at least one`);
  };
  nonEmpty('backbones', space.backbones);
  nonEmpty('necks', space.necks);
  nonEmpty('heads', space.heads);
  nonEmpty('depths', space.depths);
  nonEmpty('widths', space.widths);
  nonEmpty('stage multipliers', space.stageMultipliers);
  nonEmpty('resolutions', space.resolutions);
  nonEmpty('activations', space.activations);
  for (const backbone of space.backbones) {
    if (!necksFor(space, backbone).length)
      throw new SpaceError(`backbone ${backbone} has no legal neck in the space (necks: ${space.necks.join(', ')}); add one of ${legalNecks(backbone).join(', ')}`);
  }
  // Check each value by validating a genome that uses it.
  const base = {
    backbone: space.backbones[0] as Family,
    neck: necksFor(space, space.backbones[0] as Family)[0] as Family,
    head: space.heads[0] as HeadVariant,
    depth: space.depths[0] as number,
    width: space.widths[0] as number,
    stageDepth: [1, 1, 1, 1] as StageGenes,
    stageWidth: [1, 1, 1, 1] as StageGenes,
    resolution: space.resolutions[0] as number,
    activation: space.activations[0] as ActivationGene,
  };
  space.heads.forEach((head) => validateGenome({ ...base, head }));
  space.depths.forEach((depth) => validateGenome({ ...base, depth }));
  space.widths.forEach((width) => validateGenome({ ...base, width }));
  space.stageMultipliers.forEach((m) => validateGenome({ ...base, stageDepth: [m, m, m, m] }));
  space.resolutions.forEach((resolution) => validateGenome({ ...base, resolution }));
  space.activations.forEach((activation) => validateGenome({ ...base, activation }));
  return space;
}

function necksFor(space: SearchSpace, backbone: Family): Family[] {
  if (!space.mixNecks) return [backbone];
  const legal = legalNecks(backbone);
  return space.necks.filter((n) => legal.includes(n));
}

function stages(space: SearchSpace, rng: Rng): StageGenes {
  return [rng.pick(space.stageMultipliers), rng.pick(space.stageMultipliers), rng.pick(space.stageMultipliers), rng.pick(space.stageMultipliers)];
}

/** A uniformly random genome of the space. */
export function sampleGenome(space: SearchSpace, rng: Rng): Genome {
  const backbone = rng.pick(space.backbones);
  return normalise(
    validateGenome({
      backbone,
      neck: rng.pick(necksFor(space, backbone)),
      head: rng.pick(space.heads),
      depth: rng.pick(space.depths),
      width: rng.pick(space.widths),
      stageDepth: stages(space, rng),
      stageWidth: stages(space, rng),
      resolution: rng.pick(space.resolutions),
      activation: rng.pick(space.activations),
    }),
  );
}

type Gene = 'backbone' | 'neck' | 'head' | 'depth' | 'width' | 'stageDepth' | 'stageWidth' | 'resolution' | 'activation';
const GENES: readonly Gene[] = ['backbone', 'neck', 'head', 'depth', 'width', 'stageDepth', 'stageWidth', 'resolution', 'activation'];

/** A value different from `current` when the list allows one. */
function other<T>(rng: Rng, values: readonly T[], current: T, eq: (a: T, b: T) => boolean = (a, b) => a === b): T {
  const choices = values.filter((v) => !eq(v, current));
  return choices.length > 0 ? rng.pick(choices) : current;
}

/** Keeps the neck when the pairing stays legal, otherwise picks a legal one. */
function repairNeck(space: SearchSpace, g: Genome, rng: Rng): Genome {
  const necks = necksFor(space, g.backbone);
  return necks.includes(g.neck) ? g : { ...g, neck: rng.pick(necks) };
}

/** Changes one gene (chosen uniformly) to another value of the space. */
export function mutateGenome(genome: Genome, space: SearchSpace, rng: Rng): Genome {
  const gene = rng.pick(GENES);
  let g: Genome = { ...genome };
  switch (gene) {
    case 'backbone':
      g = { ...g, backbone: other(rng, space.backbones, g.backbone) };
      break;
    case 'neck':
      g = { ...g, neck: other(rng, necksFor(space, g.backbone), g.neck) };
      break;
    case 'head':
      g = { ...g, head: other(rng, space.heads, g.head) };
      break;
    case 'depth':
      g = { ...g, depth: other(rng, space.depths, g.depth) };
      break;
    case 'width':
      g = { ...g, width: other(rng, space.widths, g.width) };
      break;
    case 'stageDepth':
    case 'stageWidth': {
      const i = rng.int(4);
      const genes = [...g[gene]] as [number, number, number, number];
      genes[i] = other(rng, space.stageMultipliers, genes[i] ?? 1);
      g = { ...g, [gene]: genes };
      break;
    }
    case 'resolution':
      g = { ...g, resolution: other(rng, space.resolutions, g.resolution) };
      break;
    case 'activation':
      g = { ...g, activation: other(rng, space.activations, g.activation) };
      break;
  }
  return normalise(validateGenome(repairNeck(space, g, rng)));
}

/** Uniform crossover: each gene from either parent; the neck follows its backbone when mixing would be illegal. */
export function crossoverGenomes(a: Genome, b: Genome, space: SearchSpace, rng: Rng): Genome {
  const from = (): Genome => (rng.next() < 0.5 ? a : b);
  const backboneParent = from();
  let child: Genome = {
    backbone: backboneParent.backbone,
    neck: from().neck,
    head: from().head,
    depth: from().depth,
    width: from().width,
    stageDepth: from().stageDepth,
    stageWidth: from().stageWidth,
    resolution: from().resolution,
    activation: from().activation,
  };
  if (!legalNecks(child.backbone).includes(child.neck)) child = { ...child, neck: backboneParent.neck };
  return normalise(validateGenome(repairNeck(space, child, rng)));
}
