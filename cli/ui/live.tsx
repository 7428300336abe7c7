// The live view of a running search: renders the model about 10 times a second (only when something
// changed), handles the keys, and drives the run through its hooks (pause, stop).
import { join } from 'node:path';
import { render, useInput, useStdout, type Key, type RenderOptions } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { EXPORT_FORMATS, exportRecords, runSearch, type EvalRecord, type Journal, type JournalState, type RunOutcome, type SearchConfig, type SearchEvent } from '../../search/index.js';
import { LiveView, viewLines } from './live-view.js';
import { Screen } from './screen.js';
import { RunModel } from './model.js';

export interface Controls {
  pause: boolean;
  stop: boolean;
}

/** Writes the current front of the model to DIR/export; returns what to tell the user. */
export function exportFront(model: RunModel, dir: string): string {
  const config = model.config;
  if (!config) return 'nothing to export yet';
  const byId = new Map(model.records.map((r) => [r.id, r]));
  const records = model.front.map((f) => byId.get(f.id)).filter((r): r is EvalRecord => r !== undefined);
  if (records.length === 0) return 'nothing to export: no feasible candidate yet';
  const target = join(dir, 'export');
  try {
    const done = exportRecords(records, config, EXPORT_FORMATS, target);
    return `exported ${done.length} front candidate(s) to ${target}`;
  } catch (e) {
    return `export failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export interface LiveAppProps {
  readonly model: RunModel;
  readonly controls: Controls;
  readonly dir: string;
  readonly color: boolean;
  /** Redraw period in ms (100: at most 10 redraws a second). */
  readonly period?: number;
  /** A second Ctrl-C: quit at once. */
  readonly onQuitNow?: () => void;
  readonly onExport?: () => string;
  /** Fixed size (tests); the terminal's otherwise. */
  readonly size?: { columns: number; rows: number };
  /** Draw frames through this (a Screen) instead of ink's renderer; ink then renders nothing. */
  readonly painter?: { draw(lines: readonly string[]): unknown; invalidate(): void };
}

export function LiveApp(props: LiveAppProps): ReactNode {
  const { model, controls } = props;
  const { stdout } = useStdout();
  const [, setFrame] = useState(0);
  const [help, setHelp] = useState(false);
  const [size, setSize] = useState(() => props.size ?? { columns: stdout.columns || 100, rows: stdout.rows || 30 });
  useEffect(() => {
    let seen = -1;
    let lastTick = 0;
    let due = 0;
    const period = props.period ?? 100;
    // Checked often, drawn at most once a period: timers run late while the search computes, and a
    // plain 100 ms interval would draw less often than 10 times a second.
    const timer = setInterval(
      () => {
        const now = Date.now();
        if (now < due) return;
        // On a fixed beat (a late check does not push the next one back), so ~10 a second.
        due = Math.max(due + period, now - period / 2);
        // Redraw when the model changed, and once a second anyway (elapsed times, ETA).
        if (model.version !== seen || now - lastTick >= 1000) {
          seen = model.version;
          lastTick = now;
          setFrame((f) => f + 1);
        }
      },
      Math.max(5, Math.floor(period / 5)),
    );
    const onResize = (): void => {
      props.painter?.invalidate();
      setSize(props.size ?? { columns: stdout.columns || 100, rows: stdout.rows || 30 });
    };
    stdout.on('resize', onResize);
    return () => {
      clearInterval(timer);
      stdout.off('resize', onResize);
    };
  }, [model, stdout, props.period, props.size]);
  // ink may hold the handler of an earlier render: it calls the latest one through a ref.
  useInput((input, key) => {
    // Keys typed quickly can arrive together ("pq"): each counts.
    const keys = key.ctrl || key.meta || input.length <= 1 ? [input] : [...input];
    for (const k of keys) latest.current(k, key);
  });
  const onKey = (input: string, key: Key): void => {
    if (help) {
      setHelp(false);
      return;
    }
    if (input === 'p') {
      if (controls.stop) return;
      controls.pause = !controls.pause;
      model.note(controls.pause ? 'pause: candidates in flight finish, then none start (p continues)' : 'continue');
    } else if (input === 'q' || (key.ctrl && input === 'c')) {
      if (controls.stop && key.ctrl) {
        props.onQuitNow?.();
        return;
      }
      controls.stop = true;
      controls.pause = false;
      model.note('stopping: candidates in flight finish, then the journal is flushed (Ctrl-C again quits at once)');
    } else if (input === 'e') {
      model.note('exporting the front...');
      setFrame((f) => f + 1);
      setTimeout(() => model.note(props.onExport ? props.onExport() : exportFront(model, props.dir)), 0);
    } else if (input === '?' || input === 'h') setHelp(true);
  };
  const latest = useRef(onKey);
  latest.current = onKey;
  const painter = props.painter;
  useEffect(() => {
    // The last column stays empty: a full line would wrap on some terminals.
    if (painter) painter.draw(viewLines({ model, width: size.columns - 1, height: size.rows, color: props.color, help, dir: props.dir, live: true }));
  });
  if (painter) return null;
  return <LiveView model={model} width={size.columns} height={size.rows - 1} color={props.color} help={help} dir={props.dir} live />;
}

export interface LiveOptions {
  readonly journal: Journal;
  readonly config: SearchConfig;
  readonly state: JournalState | undefined;
  readonly dir: string;
  readonly color: boolean;
  /** Stop cleanly at this time (ms since the epoch). */
  readonly deadline?: number;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  /** Sees every event after the view (the UI benchmark times the run by it). */
  readonly tap?: (e: SearchEvent) => void;
  /** Called after each redraw (the UI benchmark counts them). */
  readonly onRender?: RenderOptions['onRender'];
  /** Leave signals alone (the benchmark, tests). */
  readonly noSignals?: boolean;
  /** Draw with ink's own renderer instead of the line-diffing Screen (slower; the benchmark compares). */
  readonly inkRenderer?: boolean;
}

/** Runs the search under the live view; resolves when the run ends (completed or stopped). */
export async function runLive(o: LiveOptions): Promise<RunOutcome> {
  const model = new RunModel();
  const controls: Controls = { pause: false, stop: false };
  let quitNow = false;
  const stdout = o.stdout ?? process.stdout;
  const screen = o.inkRenderer ? undefined : new Screen(stdout);
  const lastFrame = (): string[] => viewLines({ model, width: (stdout.columns || 100) - 1, height: Math.max(12, (stdout.rows || 30) - 4), color: o.color, dir: o.dir, live: false });
  screen?.enter();
  const app = render(
    <LiveApp
      model={model}
      controls={controls}
      dir={o.dir}
      color={o.color}
      {...(screen
        ? {
            painter: {
              draw: (lines: readonly string[]) => {
                const t = performance.now();
                screen.draw(lines);
                o.onRender?.({ renderTime: performance.now() - t });
              },
              invalidate: () => screen.invalidate(),
            },
          }
        : {})}
      onQuitNow={() => {
        quitNow = true;
        app.unmount();
        screen?.leave(lastFrame());
        process.stderr.write(`\nquit at once; continue with: zcnas resume ${o.dir}\n`);
        process.exit(130);
      }}
    />,
    { exitOnCtrlC: false, maxFps: 30, ...(o.stdout ? { stdout: o.stdout } : {}), ...(o.stdin ? { stdin: o.stdin } : {}), ...(o.onRender && !screen ? { onRender: o.onRender } : {}) },
  );
  const onSignal = (): void => {
    controls.stop = true;
    controls.pause = false;
  };
  if (!o.noSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let timeNoted = false;
  try {
    return await runSearch(o.journal, o.config, o.state, {
      log: () => undefined,
      stopRequested: () => {
        if (o.deadline !== undefined && Date.now() >= o.deadline && !controls.stop) {
          controls.stop = true;
          if (!timeNoted) model.note('time limit reached: stopping');
          timeNoted = true;
        }
        return controls.stop;
      },
      pauseRequested: () => controls.pause,
      onEvent: (e) => {
        model.apply(e);
        o.tap?.(e);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!quitNow) {
      // The last frame stays on the screen.
      model.version++;
      await new Promise((r) => setTimeout(r, 120));
      app.unmount();
      await app.waitUntilExit().catch(() => undefined);
      screen?.leave(lastFrame());
    }
  }
}
