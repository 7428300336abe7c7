// npm run bench: every figure of bench/, each written to bench/results/<name>.json.
import { benchBuildTime } from './build-time.js';
import { benchForwardThroughput } from './forward-throughput.js';

await benchBuildTime();
await benchForwardThroughput();
