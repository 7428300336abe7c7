// The launcher: choose the space (families, resolutions), the proxies (each with a line saying what
// it measures), the objectives and constraints, the hardware model, the strategy and the budget, the
// workers; see the equivalent command line and the config before starting; save the config.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Box, render, Text, useInput, useStdout, type Key } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import { BOARDS } from '../../hardware/index.js';
import { COSTS, parseSearchConfig, type SearchConfig } from '../../search/index.js';
import { FAMILIES } from '../../space/index.js';
import { parseConstraints, parseObjectives } from '../search.js';
import { COST_DESCRIPTIONS, LAUNCHER_PROXIES, proxyDescription } from './proxies.js';

export interface LauncherInit {
  /** The config so far (from --config and flags); the launcher edits its fields on top of it. */
  readonly raw: Record<string, unknown>;
  readonly out?: string | undefined;
  readonly minutes?: number | undefined;
  readonly configFile?: string | undefined;
  readonly color: boolean;
}

export interface LaunchChoice {
  readonly raw: Record<string, unknown>;
  readonly out: string;
  readonly minutes: number | undefined;
}

const STRATEGIES = ['nsga2', 'evolution', 'random'] as const;
const RESOLUTIONS = [96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480, 512, 640];
const TARGETS = ['none', ...BOARDS.map((b) => `mcu:${b.id}`)];

export interface Form {
  strategy: string;
  families: string[];
  resolutions: number[];
  /** In order: 'max:<proxy>' and 'min:<cost>'. */
  objectives: string[];
  constraints: string;
  /** The proxies' batch: a folder of images, or a YOLO-format dataset (labels); empty for Gaussian noise. */
  images: string;
  labels: string;
  target: string;
  predictor: string;
  population: string;
  generations: string;
  minutes: string;
  workers: string;
  seed: string;
  out: string;
  saveAs: string;
}

type TextKey = 'constraints' | 'images' | 'labels' | 'predictor' | 'population' | 'generations' | 'minutes' | 'workers' | 'seed' | 'out' | 'saveAs';

type Field =
  | { readonly kind: 'choice'; readonly key: 'strategy' | 'target'; readonly label: string; readonly options: readonly string[] }
  | { readonly kind: 'multi'; readonly key: 'families' | 'resolutions' | 'costs'; readonly label: string; readonly options: readonly string[] }
  | { readonly kind: 'proxy'; readonly name: string; readonly label: string }
  | { readonly kind: 'text'; readonly key: TextKey; readonly label: string; readonly hint: string; readonly numeric: boolean }
  | { readonly kind: 'button'; readonly key: 'start' | 'save' | 'quit'; readonly label: string };

export const FIELDS: readonly Field[] = [
  { kind: 'choice', key: 'strategy', label: 'strategy', options: STRATEGIES },
  { kind: 'multi', key: 'families', label: 'families', options: FAMILIES },
  { kind: 'multi', key: 'resolutions', label: 'resolutions', options: RESOLUTIONS.map(String) },
  ...LAUNCHER_PROXIES.map((name, i): Field => ({ kind: 'proxy', name, label: i === 0 ? 'maximise' : '' })),
  { kind: 'multi', key: 'costs', label: 'minimise', options: COSTS },
  { kind: 'text', key: 'constraints', label: 'constraints', hint: 'e.g. macs<=2e9,memory<=512KB,latency<=50ms', numeric: false },
  { kind: 'text', key: 'images', label: 'images', hint: "a folder of .jpg/.png for the proxies' batch; empty: Gaussian noise", numeric: false },
  { kind: 'text', key: 'labels', label: 'labels', hint: 'or a YOLO dataset (images/, labels/): the gradient proxies use the detection loss', numeric: false },
  { kind: 'choice', key: 'target', label: 'mcu target', options: TARGETS },
  { kind: 'text', key: 'predictor', label: 'predictor', hint: 'latency predictor file from zcnas calibrate', numeric: false },
  { kind: 'text', key: 'population', label: 'population', hint: 'candidates per generation', numeric: true },
  { kind: 'text', key: 'generations', label: 'generations', hint: 'budget = population x generations', numeric: true },
  { kind: 'text', key: 'minutes', label: 'time limit', hint: 'minutes, 0 = none (stops cleanly, resumable)', numeric: true },
  { kind: 'text', key: 'workers', label: 'workers', hint: '0 = this thread', numeric: true },
  { kind: 'text', key: 'seed', label: 'seed', hint: '', numeric: true },
  { kind: 'text', key: 'out', label: 'run directory', hint: 'must not exist yet', numeric: false },
  { kind: 'text', key: 'saveAs', label: 'config file', hint: 'w saves the config here', numeric: false },
  { kind: 'button', key: 'start', label: 'Start the search (s)' },
  { kind: 'button', key: 'save', label: 'Save the config (w)' },
  { kind: 'button', key: 'quit', label: 'Quit (q)' },
];

function objectiveText(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  if (typeof r.maximize === 'string') return `max:${r.maximize}`;
  if (typeof r.minimize === 'string') return `min:${r.minimize}`;
  return undefined;
}

function constraintText(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null) return undefined;
  const r = c as { cost?: unknown; max?: unknown };
  return typeof r.cost === 'string' && typeof r.max === 'number' ? `${r.cost}<=${r.max}` : undefined;
}

/** The form's starting values: the config so far (valid or not yet), the built-in defaults under it. */
export function initialForm(init: Omit<LauncherInit, 'color'>): Form {
  const d = parseSearchConfig({});
  const r = init.raw;
  const space = (typeof r.space === 'object' && r.space !== null ? r.space : {}) as Record<string, unknown>;
  const hw = (typeof r.hardware === 'object' && r.hardware !== null ? r.hardware : {}) as { target?: unknown; predictor?: unknown };
  const num = (v: unknown, fallback: number | undefined): string => (typeof v === 'number' ? String(v) : String(fallback ?? ''));
  return {
    strategy: typeof r.strategy === 'string' ? r.strategy : d.strategy,
    families: Array.isArray(space.backbones) ? space.backbones.map(String) : [...d.space.backbones],
    resolutions: Array.isArray(space.resolutions) ? space.resolutions.map(Number) : [...d.space.resolutions],
    objectives: (Array.isArray(r.objectives) ? r.objectives : d.objectives).map(objectiveText).filter((s): s is string => s !== undefined),
    constraints: (Array.isArray(r.constraints) ? r.constraints : []).map(constraintText).filter((s): s is string => s !== undefined).join(','),
    images: typeof r.images === 'string' ? r.images : '',
    labels: typeof r.labels === 'string' ? r.labels : '',
    target: typeof hw.target === 'string' ? hw.target : 'none',
    predictor: typeof hw.predictor === 'string' ? hw.predictor : '',
    population: num(r.population, d.population),
    generations: num(r.generations, d.generations),
    minutes: String(init.minutes ?? 0),
    workers: num(r.workers, availableParallelism()),
    seed: num(r.seed, d.seed),
    out: init.out ?? '',
    saveAs: init.configFile ?? 'search.json',
  };
}

export interface Built {
  readonly raw: Record<string, unknown>;
  readonly config?: SearchConfig;
  readonly error?: string;
  readonly command: string;
  readonly out: string;
  readonly minutes: number | undefined;
}

const quote = (s: string): string => (/^[\w@%+=:,./<>-]+$/.test(s) ? (/[<>]/.test(s) ? `'${s}'` : s) : `'${s.replace(/'/g, `'\\''`)}'`);

/** The config, the run directory and the equivalent command line of a form. */
export function buildLaunch(base: Record<string, unknown>, form: Form, baseFile?: string): Built {
  const raw: Record<string, unknown> = { ...base };
  const errors: string[] = [];
  const num = (key: TextKey, label: string): number | undefined => {
    const t = form[key].trim();
    if (!/^\d+$/.test(t)) {
      errors.push(`${label}: '${t}' is not a whole number`);
      return undefined;
    }
    return Number(t);
  };
  raw.strategy = form.strategy;
  raw.seed = num('seed', 'seed');
  raw.population = num('population', 'population');
  raw.generations = num('generations', 'generations');
  raw.workers = num('workers', 'workers');
  const minutes = num('minutes', 'time limit');
  try {
    raw.objectives = form.objectives.length ? parseObjectives(form.objectives.join(',')) : [];
  } catch (e) {
    errors.push((e as Error).message);
  }
  try {
    raw.constraints = form.constraints.trim() === '' ? [] : parseConstraints(form.constraints);
  } catch (e) {
    errors.push((e as Error).message);
  }
  for (const key of ['images', 'labels'] as const) {
    const dir = form[key].trim();
    delete raw[key];
    if (dir === '') continue;
    raw[key] = dir;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) errors.push(`${key}: ${dir} is not a folder${key === 'labels' ? ' (a YOLO dataset holds images/ and labels/)' : ' of images'}`);
  }
  raw.space = { ...((base.space as Record<string, unknown> | undefined) ?? {}), backbones: form.families, resolutions: form.resolutions };
  const hardware: Record<string, unknown> = { ...((base.hardware as Record<string, unknown> | undefined) ?? {}) };
  delete hardware.target;
  delete hardware.predictor;
  if (form.target !== 'none') hardware.target = form.target;
  if (form.predictor.trim() !== '') hardware.predictor = form.predictor.trim();
  if (Object.keys(hardware).length > 0) raw.hardware = hardware;
  else delete raw.hardware;
  let config: SearchConfig | undefined;
  if (errors.length === 0) {
    try {
      config = parseSearchConfig(raw, 'launcher');
    } catch (e) {
      errors.push((e as Error).message.replace(/^launcher: /, ''));
    }
  }
  const out = form.out.trim() || `runs/${form.strategy}-seed${form.seed.trim()}`;
  if (errors.length === 0 && existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) errors.push(`run directory ${out} already exists: choose another (or resume it with zcnas resume ${out})`);
  const args = ['zcnas', 'search'];
  if (baseFile !== undefined) args.push('--config', baseFile);
  args.push('--strategy', form.strategy, '--seed', form.seed, '--population', form.population, '--generations', form.generations);
  args.push('--objectives', form.objectives.join(','));
  if (form.constraints.trim()) args.push('--constraints', form.constraints.trim());
  args.push('--families', form.families.join(','), '--resolutions', form.resolutions.join(','));
  if (form.images.trim()) args.push('--images', form.images.trim());
  if (form.labels.trim()) args.push('--labels', form.labels.trim());
  if (form.target !== 'none') args.push('--target', form.target);
  if (form.predictor.trim()) args.push('--predictor', form.predictor.trim());
  args.push('--workers', form.workers);
  if (minutes) args.push('--minutes', String(minutes));
  args.push('--out', out);
  return { raw, ...(config ? { config } : {}), ...(errors.length ? { error: errors[0] } : {}), command: args.map(quote).join(' '), out, minutes: minutes ? minutes : undefined };
}

/** The config as JSON with one line per top-level key (the space's lists stay on one line). */
export function compactJson(config: object): string[] {
  const entries = Object.entries(config);
  return ['{', ...entries.map(([k, v], i) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}${i < entries.length - 1 ? ',' : ''}`), '}'];
}

function wrap(text: string, width: number): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = `    ${w}`;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

export interface LauncherProps extends LauncherInit {
  readonly onDone: (choice: LaunchChoice | undefined) => void;
  readonly size?: { columns: number; rows: number };
  /** Writes the config file (tests replace it). */
  readonly save?: (file: string, text: string) => void;
}

export function Launcher(props: LauncherProps): ReactNode {
  const { stdout } = useStdout();
  const [form, setForm] = useState<Form>(() => initialForm(props));
  const [focus, setFocus] = useState(0);
  const [item, setItem] = useState(0);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | undefined>(undefined);
  const size = props.size ?? { columns: stdout.columns || 100, rows: stdout.rows || 40 };
  const c = (name: string): string | undefined => (props.color ? name : undefined);
  const built = buildLaunch(props.raw, form, props.configFile);
  const field = FIELDS[focus] as Field;

  // Keys can arrive faster than renders (typing under load, or a paste split into chunks): the
  // handler reads and writes the latest state through refs, not the values of its render.
  const formRef = useRef(form);
  const focusRef = useRef(focus);
  const itemRef = useRef(item);
  const editRef = useRef(editing);
  const putForm = (f: Form): void => {
    formRef.current = f;
    setForm(f);
  };
  const putFocus = (f: number): void => {
    focusRef.current = f;
    setFocus(f);
  };
  const putItem = (i: number): void => {
    itemRef.current = i;
    setItem(i);
  };
  const putEditing = (e: string | undefined): void => {
    editRef.current = e;
    setEditing(e);
  };

  const save = (): void => {
    const built = buildLaunch(props.raw, formRef.current, props.configFile);
    if (!built.config) {
      setMessage({ text: `cannot save: ${built.error ?? 'invalid'}`, bad: true });
      return;
    }
    const file = formRef.current.saveAs.trim() || 'search.json';
    try {
      (props.save ?? ((f: string, t: string) => writeFileSync(f, t)))(file, JSON.stringify(built.config, null, 2) + '\n');
      setMessage({ text: `config saved to ${file}; run it with: zcnas search --config ${file} --out ${built.out}`, bad: false });
    } catch (e) {
      setMessage({ text: `cannot save ${file}: ${(e as Error).message}`, bad: true });
    }
  };
  const start = (): void => {
    const built = buildLaunch(props.raw, formRef.current, props.configFile);
    if (!built.config) {
      setMessage({ text: `cannot start: ${built.error ?? 'invalid'}`, bad: true });
      return;
    }
    props.onDone({ raw: built.raw, out: built.out, minutes: built.minutes });
  };
  const toggle = <T,>(list: readonly T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  // The handler ink holds may be from an earlier render (its effects are not always flushed before
  // the next key): it calls the latest one through a ref.
  const onKey = (input: string, key: Key): void => {
    const form = formRef.current;
    const focus = focusRef.current;
    const item = itemRef.current;
    const editing = editRef.current;
    const field = FIELDS[focus] as Field;
    if (editing !== undefined && field.kind === 'text') {
      if (key.return || key.tab) {
        putForm({ ...form, [field.key]: editing });
        putEditing(undefined);
      } else if (key.escape) putEditing(undefined);
      else if (key.backspace || key.delete) putEditing(editing.slice(0, -1));
      else if (!key.ctrl && !key.meta && input && !key.upArrow && !key.downArrow) {
        const add = field.numeric ? input.replace(/[^0-9]/g, '') : input.replace(/[\r\n]/g, '');
        putEditing(editing + add);
      }
      return;
    }
    setMessage(undefined);
    if (key.ctrl && input === 'c') props.onDone(undefined);
    else if (key.upArrow || key.downArrow || key.tab) {
      const step = key.upArrow ? -1 : 1;
      putFocus((focus + step + FIELDS.length) % FIELDS.length);
      putItem(0);
    } else if (input === 'q' || key.escape) props.onDone(undefined);
    else if (input === 's') start();
    else if (input === 'w') save();
    else if (key.leftArrow || key.rightArrow) {
      const d = key.leftArrow ? -1 : 1;
      if (field.kind === 'multi') putItem((item + d + field.options.length) % field.options.length);
      else if (field.kind === 'choice') {
        const i = field.options.indexOf(form[field.key]);
        putForm({ ...form, [field.key]: field.options[(i + d + field.options.length) % field.options.length] as string });
      } else if (field.kind === 'text' && field.numeric) {
        const v = Math.max(0, (Number(form[field.key]) || 0) + d);
        putForm({ ...form, [field.key]: String(v) });
      }
    } else if (input === ' ' || key.return) {
      if (field.kind === 'multi') {
        const opt = field.options[item] as string;
        if (field.key === 'families') putForm({ ...form, families: FAMILIES.filter((f) => (f === opt ? !form.families.includes(f) : form.families.includes(f))) });
        else if (field.key === 'resolutions') putForm({ ...form, resolutions: toggle(form.resolutions, Number(opt)).sort((a, b) => a - b) });
        else putForm({ ...form, objectives: toggle(form.objectives, `min:${opt}`) });
      } else if (field.kind === 'proxy') putForm({ ...form, objectives: toggle(form.objectives, `max:${field.name}`) });
      else if (field.kind === 'choice' && key.return) {
        const i = field.options.indexOf(form[field.key]);
        putForm({ ...form, [field.key]: field.options[(i + 1) % field.options.length] as string });
      } else if (field.kind === 'text' && key.return) putEditing(form[field.key]);
      else if (field.kind === 'button' && key.return) {
        if (field.key === 'start') start();
        else if (field.key === 'save') save();
        else props.onDone(undefined);
      }
    }
  };
  const latest = useRef(onKey);
  latest.current = onKey;
  useInput((input, key) => latest.current(input, key));

  const width = size.columns;
  const height = Math.max(16, size.rows - 1);
  const side = width >= 150;
  const formW = side ? 84 : width;
  const previewW = side ? width - formW - 2 : width;
  const commandLines = wrap(built.command, previewW - 2);
  const jsonLines = built.config ? compactJson(built.config) : [];
  const previewBody = [...commandLines.map((l) => ({ text: l, bad: false, head: false })), { text: `config (w saves it to ${form.saveAs || 'search.json'}):`, bad: false, head: true }, ...(built.error ? [{ text: built.error, bad: true, head: false }] : jsonLines.map((l) => ({ text: l, bad: false, head: false })))];
  const previewRows = side ? height - 3 : Math.min(previewBody.length + 1, Math.max(6, Math.floor((height - 3) * 0.45)));
  const formRows = side ? height - 3 : height - 3 - previewRows;
  // A window of the fields around the focused one.
  const first = Math.max(0, Math.min(focus - Math.floor(formRows / 2), FIELDS.length - formRows));
  const shown = FIELDS.slice(first, first + formRows);

  const row = (f: Field, index: number): ReactNode => {
    const focused = index === focus;
    const label = (f.kind === 'button' ? '' : f.label).padEnd(14);
    const mark = focused ? '›' : ' ';
    let body: ReactNode;
    switch (f.kind) {
      case 'choice':
        body = <Text>{focused ? `‹ ${form[f.key]} ›` : form[f.key]}{f.key === 'target' ? <Text color={c('gray')}>  latency, RAM, flash of the int8 model</Text> : null}</Text>;
        break;
      case 'multi': {
        const on = (o: string): boolean => (f.key === 'families' ? form.families.includes(o) : f.key === 'resolutions' ? form.resolutions.includes(Number(o)) : form.objectives.includes(`min:${o}`));
        body = (
          <Text>
            {f.options.map((o, i) => (
              <Text key={o} inverse={focused && i === item} color={on(o) ? c('green') : undefined}>
                {on(o) ? '[x]' : '[ ]'}
                {o}
                {f.key === 'costs' && (o === 'latency' || o === 'ram' || o === 'flash') ? '*' : ''}
                {i < f.options.length - 1 ? ' ' : ''}
              </Text>
            ))}
          </Text>
        );
        break;
      }
      case 'proxy': {
        const on = form.objectives.includes(`max:${f.name}`);
        body = (
          <Text>
            <Text color={on ? c('green') : undefined}>
              {on ? '[x]' : '[ ]'} {f.name.padEnd(12)}
            </Text>
            <Text color={c('gray')}>{proxyDescription(f.name)}</Text>
          </Text>
        );
        break;
      }
      case 'text': {
        const v = focused && editing !== undefined ? `${editing}▏` : form[f.key];
        body = (
          <Text>
            <Text underline={focused && editing !== undefined}>{v === '' ? (f.key === 'out' ? built.out : '-') : v}</Text>
            <Text color={c('gray')}>{f.hint ? `  ${f.hint}` : ''}</Text>
          </Text>
        );
        break;
      }
      case 'button':
        body = <Text inverse={focused} bold>{` ${f.label} `}</Text>;
        break;
    }
    return (
      <Text key={index} wrap="truncate-end">
        <Text color={focused ? c('cyan') : undefined} bold={focused}>
          {mark} {label}
        </Text>
        {body}
      </Text>
    );
  };

  const costHelp = field.kind === 'multi' && field.key === 'costs' ? `${field.options[item]}: ${COST_DESCRIPTIONS[field.options[item] as keyof typeof COST_DESCRIPTIONS]}` : undefined;
  const keysLine =
    editing !== undefined
      ? 'typing: Enter keeps it, Esc cancels, Backspace deletes'
      : '↑↓ move  ←→ choose  Space toggle  Enter edit/press  s start  w save config  q quit';

  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={c('cyan')}>
        zcnas: launch a search <Text color={c('gray')}>(budget {Number(form.population) * Number(form.generations) || '?'} candidates)</Text>
      </Text>
      <Box flexDirection={side ? 'row' : 'column'}>
        <Box flexDirection="column" width={formW} height={formRows}>
          {shown.map((f, i) => row(f, first + i))}
        </Box>
        {side ? <Box width={2} /> : null}
        <Box flexDirection="column" width={previewW} height={previewRows}>
          <Text bold>command line:</Text>
          {previewBody.slice(0, previewRows - 1).map((l, i) => (
            <Text key={i} wrap="truncate-end" color={l.bad ? c('red') : l.head ? undefined : c('gray')} bold={l.head}>
              {l.text}
            </Text>
          ))}
        </Box>
      </Box>
      <Text wrap="truncate-end" color={message ? c(message.bad ? 'red' : 'green') : undefined}>
        {message ? message.text : (costHelp ?? ' ')}
      </Text>
      <Text wrap="truncate-end" color={c('gray')}>
        {keysLine}
      </Text>
    </Box>
  );
}

/** Shows the launcher; resolves with the choice, or undefined when the user quits. */
export async function runLauncher(init: LauncherInit): Promise<LaunchChoice | undefined> {
  let result: LaunchChoice | undefined;
  const app = render(
    <Launcher
      {...init}
      onDone={(choice) => {
        result = choice;
        app.unmount();
      }}
    />,
    { exitOnCtrlC: false, maxFps: 20 },
  );
  await app.waitUntilExit();
  return result;
}
