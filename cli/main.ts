#!/usr/bin/env node
// The zcnas command.
import { describeError, UsageError } from './errors.js';
import { runInspect } from './inspect.js';
import { runScore } from './score.js';
import { runBenchProxies } from './bench-proxies.js';
import { runResumeCommand, runSearchCommand } from './search.js';
import { runExportCommand } from './export.js';
import { runCalibrate } from './calibrate.js';
import { runValidate } from './validate.js';
import { runWorkerCommand } from './worker.js';
import { toolVersion } from './version.js';
import { followParent, relaunch, relaunchEnv } from './relaunch.js';

const HELP = `zcnas: training-free architecture search for YOLO detectors on small hardware

Usage: zcnas <command> [options]

Commands:
  search [options]           search the space for the Pareto front of proxies against costs
  resume DIR                 continue an interrupted search exactly where it stopped
  export DIR                 write a run's winners as ONNX, JSON and Ultralytics YAML
  inspect <name-or-genome>   layers, parameters, MACs and activation memory of a candidate;
                             optionally writes it as an ONNX model
  score <names...>           zero-cost proxies (NASWOT, Zen, MeCo, SWAP, ...) of candidates
  bench-proxies --truth CSV  how well each proxy ranks the accuracy in a ground-truth table
  calibrate --target T       fit a latency predictor from measurements (or from a table)
  validate DIR --target T    measure a run's front on a target, next to the predictions
  worker --redis URL         evaluate candidates for searches on the redis backend
  report DIR [--html FILE]   a run's progress, front and best candidates (or an HTML report)
  help                       this help
  version                    the version

Run zcnas <command> --help for a command's options. In a terminal, zcnas with no arguments opens
the search launcher.`;

export async function main(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      // In a terminal, no arguments open the launcher.
      if (argv.length === 0 && process.stdin.isTTY && process.stdout.isTTY) return runSearchCommand(['--interactive'], out);
      out(HELP);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      out(HELP);
      return 0;
    case 'version':
    case '--version':
      out(toolVersion());
      return 0;
    case 'search':
      return runSearchCommand(rest, out);
    case 'resume':
      return runResumeCommand(rest, out);
    case 'export':
      return runExportCommand(rest, out);
    case 'inspect':
      return runInspect(rest, out);
    case 'score':
      return runScore(rest, out);
    case 'bench-proxies':
      return runBenchProxies(rest, out);
    case 'calibrate':
      return runCalibrate(rest, out);
    case 'validate':
      return runValidate(rest, out);
    case 'worker':
      return runWorkerCommand(rest, out);
    case 'report':
      return (await import('./report.js')).runReport(rest, out);
    default:
      throw new UsageError(`unknown command '${command}'. Commands: search, resume, export, inspect, score, bench-proxies, calibrate, validate, worker, report, help, version`);
  }
}

try {
  const argv = process.argv.slice(2);
  // score runs its sessions in this process: it starts again with the worker processes' malloc settings.
  const env = argv[0] === 'score' ? relaunchEnv(process.env) : undefined;
  if (argv[0] === 'score' && !env) followParent();
  process.exitCode = env ? await relaunch(env) : await main(argv);
} catch (err) {
  const { code, message } = describeError(err);
  process.stderr.write(`zcnas: ${message}\n`);
  process.exitCode = code;
}
