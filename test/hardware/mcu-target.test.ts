import { describe, expect, it } from 'vitest';
import { costs, GraphBuilder } from '../../nn/index.js';
import { buildGraph, genomeId, parseName } from '../../space/index.js';
import { HardwareError, type Candidate } from '../../hardware/types.js';
import {
  BOARDS,
  CYCLES_PER_MAC,
  estimateMcu,
  findBoard,
  formatMcuReport,
  latencyOf,
  lowerGraph,
  mcuReport,
  mcuTarget,
  PER_OP_OVERHEAD_CYCLES,
} from '../../hardware/mcu/index.js';

const candidate = (name: string): Candidate => {
  const genome = parseName(name);
  return { id: genomeId(genome), genome, graph: buildGraph(genome) };
};

describe('board database', () => {
  it('holds the MCUBench boards and the other common ones, looked up case-insensitively', () => {
    for (const id of ['nucleo-h743zi', 'stm32f769i-disco', 'stm32f469i-disco', 'b-u585i-iot02a', 'stm32h573i-dk', 'stm32f746g-disco', 'stm32h747i-disco', 'nucleo-f401re', 'nucleo-l4r5zi', 'arduino-nano-33-ble-sense'])
      expect(findBoard(id).id).toBe(id);
    expect(BOARDS.filter((b) => b.mcubench).length).toBe(5);
    expect(findBoard('NUCLEO-H743ZI').ramBytes).toBe(1024 * 1024);
    expect(findBoard('stm32f769i-disco').externalRamBytes).toBe(16 * 1024 * 1024);
    expect(findBoard(' Nucleo-F401RE ').core).toBe('cortex-m4');
  });

  it('an unknown board id is a HardwareError naming it and listing the known ones', () => {
    let err: unknown;
    try {
      mcuTarget('nucleo-h999zz');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HardwareError);
    const message = (err as Error).message;
    expect(message).toContain("'nucleo-h999zz'");
    for (const b of BOARDS) expect(message).toContain(b.id);
  });
});

describe('mcuTarget', () => {
  it('measures yolo8n_160 on the NUCLEO-H743ZI as a prediction with RAM, flash and fit', async () => {
    const target = mcuTarget('nucleo-h743zi');
    expect(target.name).toBe('mcu:nucleo-h743zi');
    expect(target.kind).toBe('mcu');
    const c = candidate('yolo8n_160');
    const m = await target.measure(c);
    await target.close();
    expect(m.source).toBe('predicted');
    expect(m.target).toBe('mcu:nucleo-h743zi');
    expect(m.id).toBe(c.id);
    expect(m.latencyMs.iqr).toBe(0);
    expect(m.environment).toMatchObject({ board: 'nucleo-h743zi', core: 'cortex-m7', clockMHz: 480, compress: 'none' });
    // RAM can be no less than the largest activation live at once as int8 (nn/costs' peak), and flash
    // no less than one byte per conv weight (3.16 M parameters, nearly all conv weights) + code.
    expect(m.ramBytes ?? 0).toBeGreaterThanOrEqual(costs(c.graph).peak.bytesInt8);
    expect(m.flashBytes ?? 0).toBeGreaterThan(3_000_000);
    // 3 MiB of int8 weights do not fit 2 MiB of flash, and this board has no external flash.
    expect(m.fit?.fits).toBe(false);
    expect(m.fit?.reasons.some((r) => /flash/.test(r) && /NUCLEO-H743ZI/.test(r))).toBe(true);
    // Latency at least MACs x the M7's dense cycles/MAC at 480 MHz.
    const floor = (costs(c.graph).macs * 1.23) / 480e6 * 1000;
    expect(m.latencyMs.median).toBeGreaterThan(floor);
    expect(m.latencyMs.median).toBeLessThan(2 * floor);
  });

  it('a model too large for a small board does not fit, naming RAM and flash', async () => {
    const m = await mcuTarget('nucleo-f401re').measure(candidate('yolo8n_160'));
    expect(m.fit?.fits).toBe(false);
    const reasons = m.fit?.reasons.join('\n') ?? '';
    expect(reasons).toMatch(/RAM.*exceeds the 96 KiB internal RAM of NUCLEO-F401RE/);
    expect(reasons).toMatch(/flash.*exceeds the 512 KiB internal flash of NUCLEO-F401RE/);
  });

  it('fits with external memory where the board has it, and says so', async () => {
    // STM32F469I-DISCO: 384 KiB RAM, 16 MiB SDRAM and 16 MiB flash outside. At 256 pixels the first
    // SiLU alone holds three 16 x 128 x 128 int8 maps (768 KiB) alive; the 3 MiB of weights exceed 2 MiB.
    const m = await mcuTarget('stm32f469i-disco').measure(candidate('yolo8n_256'));
    expect(m.fit?.fits).toBe(true);
    expect(m.fit?.reasons.some((r) => /fits only using the external 16 MiB SDRAM \(slower\)/.test(r))).toBe(true);
    expect(m.fit?.reasons.some((r) => /fits only using the external 16 MiB flash \(slower\)/.test(r))).toBe(true);
    expect(m.environment['externalRam']).toBe(true);
    // External memory costs latency.
    const graph = buildGraph(parseName('yolo8n_256'));
    const model = lowerGraph(graph);
    const board = findBoard('stm32f469i-disco');
    expect(latencyOf(model, board, { externalRam: true }).ms).toBeGreaterThan(latencyOf(model, board).ms);
    expect(latencyOf(model, board, { externalFlash: true }).ms).toBeGreaterThan(latencyOf(model, board).ms);
  });

  it('a small model fits a small board', async () => {
    const b = new GraphBuilder('small', [3, 32, 32]);
    const y = b.act(b.batchNorm(b.conv(b.input, { cout: 8, k: 3, stride: 2 }), 1e-3), 'relu');
    const graph = b.finish([y]);
    const m = await mcuTarget('nucleo-f401re').measure({ id: 'small', genome: parseName('yolo8n_160'), graph });
    expect(m.fit).toEqual({ fits: true, reasons: [] });
  });

  it('latency of one conv is MACs x cycles/MAC + the per-op overhead, over the clock', () => {
    // A 1x1 conv 16 -> 32 on 8x8: 32 * 64 * 16 = 32768 MACs; on the M4 at 84 MHz: (32768 * 2.1 + overhead) cycles.
    const b = new GraphBuilder('one', [16, 8, 8]);
    const graph = b.finish([b.conv(b.input, { cout: 32, k: 1 })]);
    const lat = latencyOf(lowerGraph(graph), findBoard('nucleo-f401re'));
    expect(lat.cycles).toBeCloseTo(32768 * 2.1 + PER_OP_OVERHEAD_CYCLES, 6);
    expect(lat.ms).toBeCloseTo(((32768 * 2.1 + PER_OP_OVERHEAD_CYCLES) / 84e6) * 1000, 9);
    // Same op on the M7 is cheaper per cycle, the M33 costs like the M4.
    expect(CYCLES_PER_MAC['cortex-m7'].conv1x1).toBeLessThan(CYCLES_PER_MAC['cortex-m4'].conv1x1);
    expect(CYCLES_PER_MAC['cortex-m33']).toEqual(CYCLES_PER_MAC['cortex-m4']);
  });

  it('is deterministic: the same seed gives the same numbers, with LZ4', async () => {
    const c = candidate('yolo8n_160');
    const a = await mcuTarget('b-u585i-iot02a', { compress: 'lz4', seed: 7 }).measure(c);
    const b = await mcuTarget('b-u585i-iot02a', { compress: 'lz4', seed: 7 }).measure(c);
    expect(b).toEqual(a);
    expect(a.environment).toMatchObject({ compress: 'lz4', seed: 7, core: 'cortex-m33' });
  });
});

describe('mcuReport', () => {
  it('splits the totals into per-layer rows and formats a table', () => {
    const graph = buildGraph(parseName('yolo8n_160'));
    const report = mcuReport(graph, 'stm32h747i-disco');
    const estimate = estimateMcu(graph, findBoard('stm32h747i-disco'));
    expect(report.rows.reduce((a, r) => a + r.ops, 0)).toBe(estimate.model.ops.length);
    expect(report.rows.reduce((a, r) => a + r.macs, 0)).toBe(costs(graph).macs);
    expect(report.rows.reduce((a, r) => a + r.latencyMs, 0)).toBeCloseTo(report.totals.latencyMs, 6);
    expect(report.rows.reduce((a, r) => a + r.weightBytes, 0)).toBe(report.totals.weightBytes);
    // Flash rows + code = the flash total.
    expect(report.rows.reduce((a, r) => a + r.flashBytes, 0) + estimate.flash.codeBytes).toBe(report.totals.flashBytes);
    expect(Math.max(...report.rows.map((r) => r.peakArenaBytes))).toBe(report.totals.arenaBytes);
    const first = report.rows[0];
    expect(first?.layer).toBe('backbone.0');
    expect(first?.kinds).toEqual(['CONV_2D', 'LOGISTIC', 'MUL']);
    expect(first?.outputShape).toEqual([16, 80, 80]);
    const text = formatMcuReport(report);
    for (const l of graph.layers) expect(text).toContain(l.scope);
    expect(text).toMatch(/^total/m);
    expect(text).toContain('STM32H747I-DISCO');
  });
});
