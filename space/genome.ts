// The genome: one point of the search space, as plain JSON.

export const FAMILIES = ['v3', 'v4', 'v5', 'v6s', 'v6m', 'v6l', 'v7', 'v8'] as const;
export type Family = (typeof FAMILIES)[number];

/** `family` keeps each family's published activations (YOLOBench); the others replace every one. */
export const ACTIVATIONS = ['family', 'silu', 'relu', 'relu6', 'hardswish', 'leakyrelu'] as const;
export type ActivationGene = (typeof ACTIVATIONS)[number];

/** `v8`: YOLOv8's decoupled head (two 3x3 convs per branch); `v8lite`: one 3x3 conv per branch. */
export const HEADS = ['v8', 'v8lite'] as const;
export type HeadVariant = (typeof HEADS)[number];

/** Multipliers for the backbone stages at strides 4, 8, 16 and 32, on top of the global value. */
export type StageGenes = readonly [number, number, number, number];

export interface Genome {
  readonly backbone: Family;
  readonly neck: Family;
  readonly head: HeadVariant;
  /** Global depth multiple, 0.1 to 1 in steps of 0.01. */
  readonly depth: number;
  /** Global width multiple, 0.1 to 1 in steps of 0.01. */
  readonly width: number;
  readonly stageDepth: StageGenes;
  readonly stageWidth: StageGenes;
  /** Input side in pixels: a multiple of 32 from 96 to 1280. */
  readonly resolution: number;
  readonly activation: ActivationGene;
}

export const LIMITS = {
  multiple: { min: 0.1, max: 1 },
  stage: { min: 0.25, max: 2 },
  resolution: { min: 96, max: 1280, step: 32 },
} as const;

export const UNIT_STAGES: StageGenes = [1, 1, 1, 1];

/** Bad genome or name: says what is wrong and what would be right. */
export class SpaceError extends Error {
  override readonly name = 'SpaceError';
}

/** Families whose backbone ends in a spatial pyramid pooling block. */
const BACKBONE_HAS_SPP: Readonly<Record<Family, boolean>> = {
  v3: false,
  v4: false,
  v5: true,
  v6s: true,
  v6m: true,
  v6l: true,
  v7: false,
  v8: true,
};

/** Families whose neck starts with its own SPP block (SPPCSP, SPPCSPC) on P5. */
const NECK_HAS_SPP: Readonly<Record<Family, boolean>> = {
  v3: false,
  v4: true,
  v5: false,
  v6s: false,
  v6m: false,
  v6l: false,
  v7: true,
  v8: false,
};

/**
 * Every backbone yields P2..P5 at strides 4..32 and every neck adapts to its inputs' channels, so
 * any pairing lines up; the one rule is a single SPP block: a backbone that ends in one does not
 * feed a neck that opens with another (two pyramids in a row add cost and no new receptive field).
 */
export function pairingProblem(backbone: Family, neck: Family): string | undefined {
  if (BACKBONE_HAS_SPP[backbone] && NECK_HAS_SPP[neck])
    return `backbone ${backbone} ends in an SPP block and neck ${neck} starts with one; pair ${neck} necks with v3, v4 or v7 backbones, or ${backbone} backbones with v3, v5, v6 or v8 necks`;
  return undefined;
}

export function legalNecks(backbone: Family): Family[] {
  return FAMILIES.filter((n) => pairingProblem(backbone, n) === undefined);
}

function hasTwoDecimals(v: number): boolean {
  return Math.abs(Math.round(v * 100) - v * 100) < 1e-9;
}

function checkMultiple(what: string, v: number, min: number, max: number): void {
  if (!Number.isFinite(v) || v < min - 1e-12 || v > max + 1e-12 || !hasTwoDecimals(v))
    throw new SpaceError(`${what} ${v} is out of range: use a number from ${min} to ${max} with at most two decimals`);
}

/** Throws a SpaceError naming the first problem; returns the genome otherwise. */
export function validateGenome(g: Genome): Genome {
  if (!FAMILIES.includes(g.backbone)) throw new SpaceError(`unknown backbone family '${g.backbone}': use one of ${FAMILIES.join(', ')}`);
  if (!FAMILIES.includes(g.neck)) throw new SpaceError(`unknown neck family '${g.neck}': use one of ${FAMILIES.join(', ')}`);
  if (!HEADS.includes(g.head)) throw new SpaceError(`unknown head '${g.head}': use one of ${HEADS.join(', ')}`);
  if (!ACTIVATIONS.includes(g.activation)) throw new SpaceError(`unknown activation '${g.activation}': use one of ${ACTIVATIONS.join(', ')}`);
  checkMultiple('depth', g.depth, LIMITS.multiple.min, LIMITS.multiple.max);
  checkMultiple('width', g.width, LIMITS.multiple.min, LIMITS.multiple.max);
  for (const [what, genes] of [['stage depth', g.stageDepth], ['stage width', g.stageWidth]] as const) {
    if (!Array.isArray(genes) || genes.length !== 4) throw new SpaceError(`${what} needs 4 multipliers (strides 4, 8, 16, 32)`);
    for (const v of genes) checkMultiple(`${what} multiplier`, v, LIMITS.stage.min, LIMITS.stage.max);
  }
  const { min, max, step } = LIMITS.resolution;
  if (!Number.isInteger(g.resolution) || g.resolution % step !== 0 || g.resolution < min || g.resolution > max)
    throw new SpaceError(`resolution ${g.resolution} is not valid: use a multiple of ${step} from ${min} to ${max}`);
  const problem = pairingProblem(g.backbone, g.neck);
  if (problem) throw new SpaceError(`illegal pairing: ${problem}`);
  return g;
}

/** Equal genomes compare equal field by field (and then have equal ids). */
export function sameGenome(a: Genome, b: Genome): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** Fixed field order and rounded multiples, so JSON forms of equal genomes are identical. */
export function normalise(g: Genome): Genome {
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    backbone: g.backbone,
    neck: g.neck,
    head: g.head,
    depth: r(g.depth),
    width: r(g.width),
    stageDepth: g.stageDepth.map(r) as unknown as StageGenes,
    stageWidth: g.stageWidth.map(r) as unknown as StageGenes,
    resolution: g.resolution,
    activation: g.activation,
  };
}
