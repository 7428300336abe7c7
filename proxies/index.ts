// proxies/: zero-cost proxies behind one interface, their registry, batch sources and the evaluator.
export { BatchSourceError, describeSource, gaussianSource, imageFolderSource, letterbox, makeBatch, type Batch, type BatchSource } from './batch.js';
export { activationInputs, activationOutputs, convOutputs, SWAP_MAX_BATCH, ZEN_GAMMA } from './defs.js';
export { computeProxies, getProxy, PROXIES, parseProxyList, PROXY_NAMES, scoreCandidate, UnknownProxyError, type CandidateScores, type ScoreOptions } from './evaluate.js';
export { minEigenvalueSymmetric, slogdet, square, type Square } from './linalg.js';
export { ProbeBuilder } from './probes.js';
export { ProxyFailure, type CandidateContext, type Proxy, type ProxyFailureKind, type ProxyNeeds, type ProxyResult } from './types.js';
export { ScoreCache, cacheKey, type CacheKey } from './cache.js';
export { kendallTau, paretoFront, paretoRecovery, quality, ranks, spearman, topOverlap, type Quality } from './quality.js';
export { proxyQuality, type ProxyQuality, type ScoredRow } from './report.js';
export { readTruthTable, TruthTableError, type TruthRow } from './truth.js';
export { convWeightGradients, convWeightParams, GRADIENT_PROXIES, GRASP_STEP, jacobCovScore, levelMaps, SURROGATE_LOSS, surrogateLoss, symmetricEigenvalues, zicoScore, ZICO_SPLITS } from './gradient.js';
export { synflow } from './synflow.js';
export { averageRanks, rankAggregate, type RankAggregate, type RankAggregateOptions } from './aggregate.js';
export { AZ_NAS_COMPONENTS, azCotangent, azNas, azNasComponents, azNasValue, azStages, eigenvaluesSymmetric, spectrumEntropy, trainabilityTerm, type AzNasComponents } from './azn.js';
