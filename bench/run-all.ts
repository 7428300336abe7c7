// npm run bench: every figure of bench/, each written to bench/results/<name>.json.
// The 968-model proxy-quality run is separate (node dist/bench/proxy-quality.js): it takes hours;
// so is the table of every proxy on a subset (node dist/bench/proxy-quality-all.js).
import { benchBuildTime } from './build-time.js';
import { benchForwardThroughput } from './forward-throughput.js';
import { benchNaswotOverhead } from './naswot-overhead.js';
import { benchBackwardOverhead } from './backward-overhead.js';
import { benchProxyThroughput } from './proxy-throughput.js';
import { benchProxyTime } from './proxy-time.js';
import { benchMemoryEstimates } from './memory-estimates.js';
import { benchSessionOptimizations } from './session-optimizations.js';
import { benchSearch } from './search-figures.js';
import { benchLocalLatency } from './local-latency.js';
import { benchPredictorAccuracy } from './predictor-accuracy.js';
import { benchRedisBackend } from './redis-backend.js';
import { benchUiOverhead } from './ui-overhead.js';

await benchBuildTime();
await benchForwardThroughput();
await benchNaswotOverhead();
await benchBackwardOverhead();
await benchProxyThroughput();
await benchProxyTime();
await benchMemoryEstimates();
await benchSessionOptimizations();
await benchSearch();
await benchLocalLatency();
await benchPredictorAccuracy();
await benchRedisBackend();
await benchUiOverhead();
