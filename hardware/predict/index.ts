// Latency predictors: graph features, a non-negative fit, family-held-out validation, the file.
export { FEATURE_DOC, FEATURES, graphFeatures, type FeatureName, type FeatureVector } from './features.js';
export { nnls } from './nnls.js';
export { accuracy, crossValidateByFamily, fitCoefficients, predictWith, type Accuracy, type Coefficients, type CrossValidation, type Sample } from './fit.js';
export { familyGroup, latencyModelOf, parsePredictor, predictLatency, predictorSchema, readPredictor, writePredictor, type LatencyModel, type PredictorFile } from './model.js';
export { calibrateFromTruth, calibrateOnTarget, sampleOf, spreadSample, type Calibration } from './calibrate.js';
