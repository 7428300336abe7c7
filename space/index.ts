// space/: the search space: genomes, their names, the families and how a genome becomes a graph.
export {
  ACTIVATIONS,
  FAMILIES,
  HEADS,
  LIMITS,
  SpaceError,
  UNIT_STAGES,
  legalNecks,
  normalise,
  pairingProblem,
  sameGenome,
  validateGenome,
  type ActivationGene,
  type Family,
  type Genome,
  type HeadVariant,
  type StageGenes,
} from './genome.js';
export { SCALES, archName, decodeMultiple, encodeMultiple, genomeFromJson, genomeId, parseGenomeArg, parseName, yolobenchArchitectures } from './names.js';
export { BN_EPS, FAMILY_DEFS, HEAD_STRIDES, MAX_CLASSES, buildGraph, checkClasses, makeScaler, type BuildOptions } from './build.js';
export { DEFAULT_SPACE, YOLOBENCH_SPACE, crossoverGenomes, mutateGenome, sampleGenome, validateSpace, type SearchSpace } from './sample.js';
