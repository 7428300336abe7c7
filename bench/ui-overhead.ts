// What the live view costs the search: a cost-only search (no onnxruntime, ~1000 candidates a
// second, the hardest case for the UI) timed with no UI and with the live view rendered at 10
// redraws a second to a fake terminal (120x40), alternately in one process. Target: under 5%.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runLive } from '../cli/ui/live.js';
import { viewLines } from '../cli/ui/live-view.js';
import { RunModel } from '../cli/ui/model.js';
import { Screen } from '../cli/ui/screen.js';
import { Journal, parseSearchConfig, runSearch, type SearchConfig, type SearchEvent } from '../search/index.js';
import { median, progress, progressDone, writeResult } from './common.js';

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  columns = 120;
  rows = 40;
  bytes = 0;
  write(s: string): boolean {
    this.bytes += s.length;
    return true;
  }
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  setRawMode(): void {}
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

/** The events of the last run with the live view (to time one redraw on its final state). */
let lastEvents: SearchEvent[] = [];

/** CPU time of one redraw of the live view (build the lines, diff, write) on a finished run's model. */
function redrawMs(events: readonly SearchEvent[]): number {
  const model = new RunModel();
  for (const e of events) model.apply(e);
  const screen = new Screen({ write: () => true });
  screen.enter();
  const n = 300;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    model.note(`frame ${i}`); // one changed line each time, as a running search changes some
    screen.draw(viewLines({ model, width: 119, height: 40, color: true, dir: 'runs/bench', live: true }));
  }
  return (performance.now() - t) / n;
}

interface Timing {
  readonly seconds: number;
  readonly evaluated: number;
  readonly redraws: number;
  readonly renderMs: number;
}

async function timed(config: SearchConfig, ui: 'none' | 'screen' | 'ink'): Promise<Timing> {
  const dir = mkdtempSync(join(tmpdir(), 'zcnas-bench-ui-'));
  try {
    const journal = Journal.create(join(dir, 'run'), config, 'bench');
    const t0 = performance.now();
    if (ui === 'none') {
      const r = await runSearch(journal, config, undefined, { log: () => undefined, stopRequested: () => false });
      return { seconds: (performance.now() - t0) / 1000, evaluated: r.evaluated, redraws: 0, renderMs: 0 };
    }
    let end = 0;
    lastEvents = [];
    let redraws = 0;
    let renderMs = 0;
    const stdout = new FakeStdout();
    const r = await runLive({
      journal,
      config,
      state: undefined,
      dir: join(dir, 'run'),
      color: true,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
      noSignals: true,
      inkRenderer: ui === 'ink',
      tap: (e) => {
        lastEvents.push(e);
        if (e.type === 'finished') end = performance.now();
      },
      onRender: (m) => {
        if (end === 0) {
          redraws++;
          renderMs += m.renderTime;
        }
      },
    });
    return { seconds: (end - t0) / 1000, evaluated: r.evaluated, redraws, renderMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchUiOverhead(): Promise<object> {
  // Every ink instance adds an exit listener; this benchmark mounts a few dozen.
  process.setMaxListeners(100);
  // Sized so that one search takes a few seconds: the UI's 10 redraws a second have time to count.
  const config = parseSearchConfig({ objectives: [{ minimize: 'macs' }, { minimize: 'memory' }], constraints: [{ cost: 'params', max: 5e6 }], population: 50, generations: 30, seed: 1, workers: 0 });
  const warm = parseSearchConfig({ ...config, generations: 4 });
  for (const ui of ['none', 'screen', 'ink'] as const) await timed(warm, ui);
  const rates: Record<'none' | 'screen' | 'ink', number[]> = { none: [], screen: [], ink: [] };
  const redrawRates: Record<'screen' | 'ink', number[]> = { screen: [], ink: [] };
  let evaluated = 0;
  let inkRenderMs = 0;
  const rounds = 7;
  for (let i = 0; i < rounds; i++) {
    progress(`UI overhead ${i + 1}/${rounds}`);
    // The order alternates, so a drifting machine load does not favour one mode.
    for (const ui of i % 2 === 0 ? (['none', 'screen', 'ink'] as const) : (['ink', 'screen', 'none'] as const)) {
      const t = await timed(config, ui);
      evaluated = t.evaluated;
      rates[ui].push(t.evaluated / t.seconds);
      if (ui !== 'none') redrawRates[ui].push(t.redraws / t.seconds);
      if (ui === 'ink' && t.redraws) inkRenderMs = t.renderMs / t.redraws;
    }
  }
  progressDone();
  const ms = redrawMs(lastEvents);
  // Paired: each round's overhead against the same round's plain run, then the median over rounds
  // (the machine's load drifts between rounds).
  const overheads = (ui: 'screen' | 'ink'): number[] => rates.none.map((p, i) => p / (rates[ui][i] ?? p) - 1);
  const result = {
    figure: 'UI overhead: cost-only search throughput with and without the live view (fake 120x40 terminal, 10 redraws/s)',
    candidatesPerRun: evaluated,
    rounds,
    withoutUiPerSecond: median(rates.none),
    liveView: {
      renderer: 'line-diffing Screen (what zcnas uses)',
      perSecond: median(rates.screen),
      redrawsPerSecond: median(redrawRates.screen),
      overhead: median(overheads('screen')),
      overheadPerRound: overheads('screen'),
      cpuMsPerRedraw: ms,
      cpuShareAt10PerSecond: (ms * 10) / 1000,
    },
    inkRenderer: {
      renderer: "ink's own renderer (for comparison)",
      perSecond: median(rates.ink),
      redrawsPerSecond: median(redrawRates.ink),
      renderMsPerRedraw: inkRenderMs,
      overhead: median(overheads('ink')),
      overheadPerRound: overheads('ink'),
    },
    overhead: median(overheads('screen')),
    target: 0.05,
  };
  console.log(
    `UI overhead: ${(result.liveView.overhead * 100).toFixed(1)}% (${result.liveView.perSecond.toFixed(0)} vs ${result.withoutUiPerSecond.toFixed(0)} candidates/s, ${result.liveView.redrawsPerSecond.toFixed(1)} redraws/s, ${ms.toFixed(2)} ms of CPU per redraw = ${(ms).toFixed(1)}% at 10/s; target < 5%); with ink's renderer ${(result.inkRenderer.overhead * 100).toFixed(1)}% (${inkRenderMs.toFixed(1)} ms per redraw)`,
  );
  writeResult('ui-overhead', result);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await benchUiOverhead();
