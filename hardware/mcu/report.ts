// Per-layer breakdown of the int8 model on a board, for `zcnas inspect --target mcu:<board>`:
// which ops each layer became, its MACs, weight bytes, the arena live during it and its latency.
import type { Graph } from '../../nn/index.js';
import type { Fit } from '../types.js';
import { findBoard, formatBytes, type Board } from './boards.js';
import { estimateMcu, type McuEstimate, type McuOptions } from './estimate.js';
import { BIAS_BYTES, CONST_QUANT_BYTES, QUANT_PARAM_BYTES_PER_CHANNEL } from './flash.js';
import type { McuOpKind } from './lower.js';

export interface McuReportRow {
  /** Layer scope, e.g. `backbone.4`; `(graph)` for ops outside every layer. */
  readonly layer: string;
  readonly module: string;
  /** The op kinds the layer lowered to, each once, in order. */
  readonly kinds: readonly McuOpKind[];
  readonly ops: number;
  /** Shape of the layer's last output. */
  readonly outputShape: readonly number[];
  readonly macs: number;
  /** int8 weight bytes as stored (after LZ4 where it helps). */
  readonly weightBytes: number;
  /** Stored weights + biases + quantisation parameters + constants. */
  readonly flashBytes: number;
  /** Largest arena extent (highest end offset of a live buffer) during any of the layer's ops. */
  readonly peakArenaBytes: number;
  readonly latencyMs: number;
}

export interface McuReport {
  readonly board: Board;
  readonly graph: string;
  readonly compress: 'none' | 'lz4';
  readonly rows: readonly McuReportRow[];
  readonly totals: {
    readonly macs: number;
    readonly weightBytes: number;
    readonly flashBytes: number;
    readonly arenaBytes: number;
    readonly ramBytes: number;
    readonly latencyMs: number;
    readonly ops: number;
  };
  readonly fit: Fit;
  readonly estimate: McuEstimate;
}

const OUTSIDE = '(graph)';

export function mcuReport(graph: Graph, board: Board | string, options: McuOptions = {}): McuReport {
  const b = typeof board === 'string' ? findBoard(board) : board;
  const estimate = estimateMcu(graph, b, options);
  const { model, memory, flash, latency } = estimate;
  const stored = new Map(flash.layers.map((l) => [l.op, l.storedBytes]));
  const rows = new Map<string, { module: string; kinds: McuOpKind[]; ops: number; outputShape: readonly number[]; macs: number; weightBytes: number; flashBytes: number; peakArenaBytes: number; latencyMs: number }>();
  for (const l of graph.layers) rows.set(l.scope, { module: l.module, kinds: [], ops: 0, outputShape: [], macs: 0, weightBytes: 0, flashBytes: 0, peakArenaBytes: 0, latencyMs: 0 });
  const seen = new Set<string>();
  model.ops.forEach((op, i) => {
    const key = op.layer && rows.has(op.layer) ? op.layer : OUTSIDE;
    let row = rows.get(key);
    if (!row) {
      row = { module: 'Graph', kinds: [], ops: 0, outputShape: [], macs: 0, weightBytes: 0, flashBytes: 0, peakArenaBytes: 0, latencyMs: 0 };
      rows.set(key, row);
    }
    if (!row.kinds.includes(op.kind)) row.kinds.push(op.kind);
    row.ops += 1;
    row.outputShape = op.outputs[op.outputs.length - 1]?.shape ?? row.outputShape;
    row.macs += op.macs;
    const w = stored.get(op.name) ?? 0;
    row.weightBytes += w;
    row.flashBytes += w + op.biases * BIAS_BYTES + op.channels * QUANT_PARAM_BYTES_PER_CHANNEL;
    // A shared constant counts in the first layer that reads it.
    for (const c of op.constants) if (!seen.has(c.name)) row.flashBytes += c.elements + CONST_QUANT_BYTES;
    for (const c of op.constants) seen.add(c.name);
    row.peakArenaBytes = Math.max(row.peakArenaBytes, memory.plan.perOp[i]?.extentBytes ?? 0);
    row.latencyMs += latency.perOp[i]?.ms ?? 0;
  });
  const list = [...rows].filter(([, r]) => r.ops > 0).map(([layer, r]) => ({ layer, ...r }));
  return {
    board: b,
    graph: graph.name,
    compress: estimate.compress,
    rows: list,
    totals: {
      macs: list.reduce((a, r) => a + r.macs, 0),
      weightBytes: flash.storedWeightBytes,
      flashBytes: flash.totalBytes,
      arenaBytes: memory.arenaBytes,
      ramBytes: memory.ramBytes,
      latencyMs: latency.ms,
      ops: model.ops.length,
    },
    fit: estimate.fit,
    estimate,
  };
}

const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The report as a plain-text table with a totals line and the fit verdict. */
export function formatMcuReport(report: McuReport): string {
  const header = ['layer', 'module', 'ops', 'output', 'MACs', 'weights', 'peak arena', 'ms'];
  const body = report.rows.map((r) => [r.layer, r.module, r.kinds.join(','), r.outputShape.join('x'), thousands(r.macs), formatBytes(r.weightBytes), formatBytes(r.peakArenaBytes), r.latencyMs.toFixed(2)]);
  const t = report.totals;
  const total = ['total', '', `${t.ops} ops`, '', thousands(t.macs), formatBytes(t.weightBytes), formatBytes(t.arenaBytes), t.latencyMs.toFixed(2)];
  const all = [header, ...body, total];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const right = new Set([4, 5, 6, 7]);
  const line = (row: readonly string[]): string =>
    row
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const b = report.board;
  const lines = [
    `${report.graph} on ${b.name} (${b.core}, ${b.clockMHz} MHz, ${formatBytes(b.ramBytes)} RAM, ${formatBytes(b.flashBytes)} flash), int8, weights ${report.compress === 'lz4' ? 'LZ4-compressed' : 'uncompressed'}`,
    line(header),
    rule,
    ...body.map(line),
    rule,
    line(total),
    `RAM ${formatBytes(t.ramBytes)} (arena ${formatBytes(t.arenaBytes)} + bookkeeping ${formatBytes(t.ramBytes - t.arenaBytes)}), flash ${formatBytes(t.flashBytes)}, latency ${t.latencyMs.toFixed(1)} ms (predicted)`,
    report.fit.fits ? (report.fit.reasons.length ? `fits, with: ${report.fit.reasons.join('; ')}` : 'fits in internal memory') : `does not fit: ${report.fit.reasons.join('; ')}`,
  ];
  return lines.join('\n');
}
