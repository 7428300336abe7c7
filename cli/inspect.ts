// zcnas inspect: the per-layer structure and costs of one candidate.
import { parseArgs } from 'node:util';
import { BOARDS, formatBytes, HardwareError, formatMcuReport, mcuReport, openTarget, targetKind, type McuReport } from '../hardware/index.js';
import { costs, toOnnx, type Costs, type Graph } from '../nn/index.js';
import { buildGraph, genomeId, parseGenomeArg, type Genome } from '../space/index.js';
import { UsageError } from './errors.js';
import { TARGET_FLAGS, TARGET_HELP, targetOptions } from './target-options.js';
import { writeFileAtomic } from './files.js';
import { bytes, si, table, thousands } from './format.js';
import { parseIntFlag } from './flags.js';

export const INSPECT_HELP = `Usage: zcnas inspect <name-or-genome> [options]

Shows a candidate's layers (name, module, output shape, parameters, MACs) and its totals:
parameters, MACs at batch 1, and peak live activation memory (fp32 and int8).

  <name-or-genome>   a name such as yolo8n_320, yolo6l-d33w5_480, yolo5n+n8+arelu_224,
                     or a genome as JSON: '{"backbone":"v8","depth":0.33,"width":0.25,"resolution":320}'

Options:
  --classes N        classes of the detect head (default 80)
  --json             print JSON instead of a table
  --nodes            list every graph node instead of one row per layer
  --onnx FILE        also write the model as ONNX (opset 17) to FILE
  --batch N          batch size of the ONNX model (default 1; 0 = dynamic)
  --seed S           seed of the ONNX model's initial weights (default 0)
  -h, --help         show this help

With --target mcu:<board>, it shows the int8 deployment per layer (ops, weights, arena live,
latency) and whether it fits (exit code 2 when it does not); with local or ssh:user@host[:port] it
measures the batch-1 latency.

${TARGET_HELP}

Boards for mcu:<board>:
${BOARDS.map((b) => `  ${b.id.padEnd(26)} ${b.core} ${b.clockMHz} MHz, ${formatBytes(b.flashBytes)} flash, ${formatBytes(b.ramBytes)} RAM${b.externalRamBytes ? `, ${formatBytes(b.externalRamBytes)} SDRAM` : ''}${b.externalFlashBytes ? `, ${formatBytes(b.externalFlashBytes)} ext. flash` : ''}${b.mcubench ? '  (MCUBench)' : ''}`).join('\n')}`;

export interface InspectReport {
  readonly id: string;
  readonly genome: Genome;
  readonly classes: number;
  readonly params: number;
  readonly macs: number;
  readonly peakActivationBytes: { readonly fp32: number; readonly int8: number; readonly atNode: string };
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly layers: readonly { readonly name: string; readonly module: string; readonly outputShape: readonly number[]; readonly params: number; readonly macs: number }[];
}

export function inspectReport(genome: Genome, graph: Graph, c: Costs, classes: number, nodes: boolean): InspectReport {
  const rows = nodes
    ? graph.nodes.map((n, i) => ({
        name: n.name,
        module: n.op.kind,
        outputShape: graph.tensors.get(n.outputs[0] ?? '')?.shape ?? [],
        params: c.nodes[i]?.params ?? 0,
        macs: c.nodes[i]?.macs ?? 0,
      }))
    : c.layers.map((l) => ({ name: l.scope, module: l.module, outputShape: l.outputShape, params: l.params, macs: l.macs }));
  return {
    id: genomeId(genome),
    genome,
    classes,
    params: c.params,
    macs: c.macs,
    peakActivationBytes: { fp32: c.peak.bytesFp32, int8: c.peak.bytesInt8, atNode: c.peak.atNode },
    outputs: graph.outputs.map((name) => ({ name, shape: graph.tensors.get(name)?.shape ?? [] })),
    layers: rows,
  };
}

export function renderInspect(r: InspectReport): string {
  const shape = (s: readonly number[]): string => s.join('x');
  const body = table(
    ['layer', 'module', 'output', 'params', 'MACs'],
    r.layers.map((l) => [l.name, l.module, shape(l.outputShape), thousands(l.params), si(l.macs)]),
    ['left', 'left', 'right', 'right', 'right'],
  );
  return [
    `${r.id}  (${r.genome.backbone} backbone, ${r.genome.neck} neck, ${r.genome.head} head, ${r.classes} classes, input 3x${r.genome.resolution}x${r.genome.resolution})`,
    '',
    body,
    '',
    `parameters       ${thousands(r.params)}`,
    `MACs (batch 1)   ${si(r.macs)}  (${(2 * r.macs / 1e9).toFixed(2)} GFLOPs as thop counts them)`,
    `peak activations ${bytes(r.peakActivationBytes.fp32)} fp32, ${bytes(r.peakActivationBytes.int8)} int8 (at ${r.peakActivationBytes.atNode})`,
    `outputs          ${r.outputs.map((o) => `${o.name} [N, ${o.shape.join(', ')}]`).join('; ')}`,
  ].join('\n');
}

function mcuJson(r: McuReport): object {
  return { board: r.board, compress: r.compress, totals: r.totals, fit: r.fit, layers: r.rows };
}

export async function runInspect(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      classes: { type: 'string' },
      json: { type: 'boolean' },
      nodes: { type: 'boolean' },
      onnx: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      ...TARGET_FLAGS,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(INSPECT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`inspect takes one name or genome, got ${positionals.length}. Example: zcnas inspect yolo8n_320`);
  const genome = parseGenomeArg(positionals[0] as string);
  const classes = parseIntFlag('--classes', values.classes, 80, 1);
  const batch = parseIntFlag('--batch', values.batch, 1, 0);
  const seed = parseIntFlag('--seed', values.seed, 0, 0);
  const graph = buildGraph(genome, { classes });
  const c = costs(graph);
  if (values.onnx !== undefined) writeFileAtomic(values.onnx, toOnnx(graph, { batch: batch === 0 ? 'dynamic' : batch, seed }));
  const report = inspectReport(genome, graph, c, classes, values.nodes ?? false);
  if (values.target === undefined) {
    out(values.json ? JSON.stringify(report, null, 2) : renderInspect(report) + (values.onnx ? `\nONNX written   ${values.onnx}` : ''));
    return 0;
  }
  const compress = targetOptions(values, seed).compress ?? 'none';
  if (targetKind(values.target) === 'mcu') {
    const r = mcuReport(graph, values.target.slice('mcu:'.length), { compress, seed });
    out(values.json ? JSON.stringify({ ...report, layers: undefined, mcu: mcuJson(r) }, null, 2) : `${report.id} on ${r.board.name} (int8${compress === 'lz4' ? ', LZ4 weights' : ''})\n\n${formatMcuReport(r)}`);
    // The table is worth seeing either way; not fitting is then the one error, exit code 2.
    if (!r.fit.fits) throw new HardwareError(`${report.id} does not fit ${r.board.name}: ${r.fit.reasons.join('; ')}`);
    return 0;
  }
  const target = await openTarget(values.target, targetOptions(values, seed));
  try {
    const m = await target.measure({ id: report.id, genome, graph }, (line) => process.stderr.write(`${line}\n`));
    const l = m.latencyMs;
    out(
      values.json
        ? JSON.stringify({ ...report, measurement: m }, null, 2)
        : `${renderInspect(report)}\nlatency          ${l.median.toFixed(2)} ms median on ${m.target} (IQR ${l.iqr.toFixed(2)} ms over ${l.repeats} runs, batch 1)`,
    );
  } finally {
    await target.close();
  }
  return 0;
}
