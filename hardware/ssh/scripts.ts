// The two small programs uploaded to the board: one for onnxruntime-node, one for Python's
// onnxruntime. Both take `probe` (is the runtime there, which version) or `bench <config.json>`
// (warm-up, then repeats each timed on its own, a random input of the model's shape) and print
// exactly one JSON line marked `"zcnas": 1`. They are plain files: no value is ever spliced into
// their text; the model path, shape and counts travel in the uploaded config file.

/** Config file the benchmark reads. */
export interface BenchConfig {
  readonly model: string;
  readonly shape: readonly number[];
  readonly warmup: number;
  readonly repeats: number;
  readonly threads: number;
  readonly seed: number;
  /** onnxruntime-node's resolved entry file, as the probe found it (node runtime only). */
  readonly ortPath?: string;
}

export const NODE_BENCH_FILE = 'bench.cjs';
export const PYTHON_BENCH_FILE = 'bench.py';

export const NODE_BENCH = String.raw`'use strict';
// zcnas latency benchmark for onnxruntime-node (CommonJS, Node >= 16).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');
const { execFileSync } = require('child_process');

function emit(obj) { process.stdout.write(JSON.stringify(Object.assign({ zcnas: 1 }, obj)) + '\n'); }

function versionOf(ort, entry) {
  const v = ort && ort.env && ort.env.versions;
  if (v && (v.node || v.common)) return String(v.node || v.common);
  let dir = path.dirname(entry);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'onnxruntime-node') return String(pkg.version);
    } catch (e) { /* keep looking */ }
    dir = path.dirname(dir);
  }
  return 'unknown';
}

function attempt(resolveFrom, request, where, tried) {
  let entry;
  try { entry = resolveFrom.resolve(request); } catch (e) { tried.push(where); return undefined; }
  try {
    const ort = require(entry);
    return { ok: true, runtimePath: entry, from: where, version: versionOf(ort, entry) };
  } catch (e) {
    return { ok: false, reason: 'broken', runtimePath: entry, from: where, error: String((e && e.message) || e) };
  }
}

function probe() {
  const tried = [];
  const home = os.homedir();
  const found =
    attempt(require, 'onnxruntime-node', 'NODE_PATH', tried) ||
    attempt(createRequire(path.join(home, '.zcnas', 'noop.js')), 'onnxruntime-node', '~/.zcnas/node_modules', tried) ||
    (function () {
      let root;
      try {
        root = execFileSync('npm', ['root', '-g'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 }).trim();
      } catch (e) { tried.push('npm root -g (npm not found)'); return undefined; }
      return attempt(require, path.join(root, 'onnxruntime-node'), 'npm global root ' + root, tried);
    })();
  if (found) emit(Object.assign({ runtime: 'node', node: process.version }, found));
  else emit({ runtime: 'node', ok: false, reason: 'missing', node: process.version, tried: tried });
}

async function bench(configFile) {
  const cfg = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const ort = require(cfg.ortPath);
  const session = await ort.InferenceSession.create(cfg.model, {
    intraOpNumThreads: cfg.threads, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3,
  });
  const size = cfg.shape.reduce(function (a, b) { return a * b; }, 1);
  const data = new Float32Array(size);
  let s = (cfg.seed >>> 0) || 1;
  for (let i = 0; i < size; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; data[i] = s / 4294967296 * 2 - 1; }
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('float32', data, cfg.shape);
  for (let i = 0; i < cfg.warmup; i++) await session.run(feeds);
  const samples = [];
  for (let i = 0; i < cfg.repeats; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  emit({ samples: samples, threads: cfg.threads, warmup: cfg.warmup });
}

const mode = process.argv[2];
if (mode === 'probe') probe();
else if (mode === 'bench') bench(process.argv[3]).catch(function (e) { process.stderr.write(((e && e.stack) || String(e)) + '\n'); process.exit(1); });
else { process.stderr.write('usage: bench.cjs probe | bench <config.json>\n'); process.exit(2); }
`;

export const PYTHON_BENCH = String.raw`# zcnas latency benchmark for Python's onnxruntime (Python >= 3.7).
import json
import platform
import sys
import time


def emit(obj):
    out = {'zcnas': 1}
    out.update(obj)
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()


def probe():
    try:
        import onnxruntime as ort
    except ImportError as e:
        emit({'runtime': 'python', 'ok': False, 'reason': 'missing', 'python': platform.python_version(), 'error': str(e)})
        return
    except Exception as e:
        emit({'runtime': 'python', 'ok': False, 'reason': 'broken', 'python': platform.python_version(), 'error': str(e)})
        return
    emit({'runtime': 'python', 'ok': True, 'version': ort.__version__, 'python': platform.python_version(), 'runtimePath': ort.__file__})


def bench(config_file):
    with open(config_file) as f:
        cfg = json.load(f)
    import numpy as np
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = cfg['threads']
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3
    sess = ort.InferenceSession(cfg['model'], so, providers=['CPUExecutionProvider'])
    x = np.random.default_rng(cfg['seed']).uniform(-1.0, 1.0, size=cfg['shape']).astype(np.float32)
    feeds = {sess.get_inputs()[0].name: x}
    for _ in range(cfg['warmup']):
        sess.run(None, feeds)
    samples = []
    for _ in range(cfg['repeats']):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        samples.append((time.perf_counter() - t0) * 1000.0)
    emit({'samples': samples, 'threads': cfg['threads'], 'warmup': cfg['warmup']})


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'probe':
        probe()
    elif len(sys.argv) >= 3 and sys.argv[1] == 'bench':
        bench(sys.argv[2])
    else:
        sys.stderr.write('usage: bench.py probe | bench <config.json>\n')
        sys.exit(2)
`;
