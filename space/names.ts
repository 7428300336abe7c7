// The canonical name of a genome. YOLOBench names (`yolo5d67w25_320`, `yolo6l-d33w5_480`,
// `yolo7n_224`) are the names of the fixed points of the space; genomes beyond YOLOBench add
// `+` extensions: `yolo8n+n5+arelu+sw1x1x0.5x1_320` (neck v5, ReLU, narrower P4 stage).
import {
  ACTIVATIONS,
  FAMILIES,
  HEADS,
  SpaceError,
  UNIT_STAGES,
  normalise,
  validateGenome,
  type ActivationGene,
  type Family,
  type Genome,
  type HeadVariant,
  type StageGenes,
} from './genome.js';

/** Depth and width of the scale letters of v3, v4, v5, v7, v8. */
export const SCALES = {
  n: [0.33, 0.25],
  s: [0.33, 0.5],
  m: [0.67, 0.75],
  l: [1, 1],
} as const satisfies Record<string, readonly [number, number]>;
type ScaleLetter = keyof typeof SCALES;

/** Depth and width of the YOLOv6 v3.0 configs the sub-family letters name alone (`yolo6s`). */
const V6_DEFAULTS: Readonly<Record<'s' | 'm' | 'l', readonly [number, number]>> = {
  s: [0.33, 0.5],
  m: [0.6, 0.75],
  l: [1, 1],
};

/** YOLOBench's multiple code: `1` is 1.0, other digits are the decimals (`33` 0.33, `6` 0.6, `05` 0.05). */
export function encodeMultiple(v: number): string {
  if (Math.abs(v - 1) < 1e-9) return '1';
  const digits = v.toFixed(2).slice(2).replace(/0$/, '');
  return digits === '1' ? '10' : digits;
}

export function decodeMultiple(code: string, what: string): number {
  if (code === '1') return 1;
  if (!/^\d{1,2}$/.test(code)) throw new SpaceError(`${what} code '${code}' is not valid: use 1 (1.0) or one or two decimals such as 33 (0.33) or 5 (0.5)`);
  return Number(`0.${code}`);
}

function familyCode(f: Family): string {
  return f.slice(1);
}

function parseFamilyCode(code: string, what: string): Family {
  const f = `v${code}`;
  if (!(FAMILIES as readonly string[]).includes(f))
    throw new SpaceError(`unknown ${what} family '${code}': use one of ${FAMILIES.map(familyCode).join(', ')}`);
  return f as Family;
}

function letterOf(depth: number, width: number): ScaleLetter | undefined {
  return (Object.keys(SCALES) as ScaleLetter[]).find((l) => Math.abs(SCALES[l][0] - depth) < 1e-9 && Math.abs(SCALES[l][1] - width) < 1e-9);
}

function stageCode(genes: StageGenes): string {
  return genes.map((v) => String(Math.round(v * 100) / 100)).join('x');
}

function parseStages(code: string, what: string): StageGenes {
  const parts = code.split('x');
  if (parts.length !== 4 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p)))
    throw new SpaceError(`${what} '${code}' is not valid: give four multipliers joined by x, e.g. 1x1x0.5x1`);
  return parts.map(Number) as unknown as StageGenes;
}

/** The architecture part of a name (no extensions, no resolution), e.g. `yolo6m-d6w25`. */
export function archName(g: Genome): string {
  if (g.backbone === 'v6s' || g.backbone === 'v6m' || g.backbone === 'v6l')
    return `yolo6${g.backbone.slice(2)}-d${encodeMultiple(g.depth)}w${encodeMultiple(g.width)}`;
  const letter = letterOf(g.depth, g.width);
  const fam = familyCode(g.backbone);
  return letter ? `yolo${fam}${letter}` : `yolo${fam}d${encodeMultiple(g.depth)}w${encodeMultiple(g.width)}`;
}

/** The canonical string id of a genome. */
export function genomeId(genome: Genome): string {
  const g = normalise(validateGenome(genome));
  const ext: string[] = [];
  if (g.neck !== g.backbone) ext.push(`n${familyCode(g.neck)}`);
  if (g.head !== 'v8') ext.push(`h${g.head}`);
  if (g.activation !== 'family') ext.push(`a${g.activation}`);
  if (stageCode(g.stageDepth) !== stageCode(UNIT_STAGES)) ext.push(`sd${stageCode(g.stageDepth)}`);
  if (stageCode(g.stageWidth) !== stageCode(UNIT_STAGES)) ext.push(`sw${stageCode(g.stageWidth)}`);
  return `${archName(g)}${ext.map((e) => `+${e}`).join('')}_${g.resolution}`;
}

const ARCH = /^yolo(?:(?<fam>[34578])(?:(?<letter>[nsml])|d(?<d>\d+)w(?<w>\d+))|6(?<sub>[sml])(?:-d(?<d6>\d+)w(?<w6>\d+))?)$/;

/** Parses a canonical name (YOLOBench style plus extensions); throws SpaceError on any problem. */
export function parseName(name: string): Genome {
  const trimmed = name.trim();
  const cut = trimmed.lastIndexOf('_');
  if (cut < 0) throw new SpaceError(`'${name}' has no resolution: names end in _<pixels>, e.g. yolo8n_320`);
  const resText = trimmed.slice(cut + 1);
  if (!/^\d+$/.test(resText)) throw new SpaceError(`'${name}': resolution '${resText}' is not a number of pixels (e.g. _320)`);
  const [arch = '', ...exts] = trimmed.slice(0, cut).split('+');
  const m = ARCH.exec(arch);
  if (!m?.groups)
    throw new SpaceError(
      `'${arch}' is not a known architecture: use yolo{3,4,5,7,8}{n,s,m,l}, yolo{3,4,5,7,8}d<D>w<W> (e.g. yolo5d67w25) or yolo6{s,m,l}-d<D>w<W> (e.g. yolo6l-d33w5)`,
    );
  const gr = m.groups;
  let backbone: Family;
  let depth: number;
  let width: number;
  if (gr.sub) {
    backbone = `v6${gr.sub}` as Family;
    const defaults = V6_DEFAULTS[gr.sub as 's' | 'm' | 'l'];
    depth = gr.d6 ? decodeMultiple(gr.d6, 'depth') : defaults[0];
    width = gr.w6 ? decodeMultiple(gr.w6, 'width') : defaults[1];
  } else {
    backbone = `v${gr.fam}` as Family;
    if (gr.letter) [depth, width] = SCALES[gr.letter as ScaleLetter];
    else {
      depth = decodeMultiple(gr.d ?? '', 'depth');
      width = decodeMultiple(gr.w ?? '', 'width');
    }
  }
  let neck: Family = backbone;
  let head: HeadVariant = 'v8';
  let activation: ActivationGene = 'family';
  let stageDepth: StageGenes = UNIT_STAGES;
  let stageWidth: StageGenes = UNIT_STAGES;
  for (const e of exts) {
    if (e.startsWith('sd')) stageDepth = parseStages(e.slice(2), 'stage depth');
    else if (e.startsWith('sw')) stageWidth = parseStages(e.slice(2), 'stage width');
    else if (e.startsWith('n')) neck = parseFamilyCode(e.slice(1), 'neck');
    else if (e.startsWith('h')) {
      const h = e.slice(1);
      if (!(HEADS as readonly string[]).includes(h)) throw new SpaceError(`unknown head '${h}': use one of ${HEADS.join(', ')}`);
      head = h as HeadVariant;
    } else if (e.startsWith('a')) {
      const a = e.slice(1);
      if (!(ACTIVATIONS as readonly string[]).includes(a)) throw new SpaceError(`unknown activation '${a}': use one of ${ACTIVATIONS.join(', ')}`);
      activation = a as ActivationGene;
    } else throw new SpaceError(`unknown extension '+${e}' in '${name}': use +n<neck>, +h<head>, +a<activation>, +sd<a>x<b>x<c>x<d> or +sw<...>`);
  }
  return validateGenome({ backbone, neck, head, depth, width, stageDepth, stageWidth, resolution: Number(resText), activation });
}

/** Accepts a canonical name or a genome as JSON text. */
export function parseGenomeArg(text: string): Genome {
  const t = text.trim();
  if (!t.startsWith('{')) return parseName(t);
  let raw: unknown;
  try {
    raw = JSON.parse(t);
  } catch (e) {
    throw new SpaceError(`genome JSON does not parse: ${(e as Error).message}`);
  }
  return genomeFromJson(raw);
}

/** Checks an untrusted JSON value field by field; missing optional genes take their defaults. */
export function genomeFromJson(raw: unknown): Genome {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpaceError('a genome must be a JSON object');
  const o = raw as Record<string, unknown>;
  const known = ['backbone', 'neck', 'head', 'depth', 'width', 'stageDepth', 'stageWidth', 'resolution', 'activation'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new SpaceError(`unknown genome field(s) ${unknown.join(', ')}: the fields are ${known.join(', ')}`);
  const need = (k: string, type: 'string' | 'number'): unknown => {
    if (typeof o[k] !== type) throw new SpaceError(`genome field '${k}' must be a ${type}`);
    return o[k];
  };
  const backbone = need('backbone', 'string') as Family;
  return validateGenome({
    backbone,
    neck: (o.neck === undefined ? backbone : need('neck', 'string')) as Family,
    head: (o.head === undefined ? 'v8' : need('head', 'string')) as HeadVariant,
    depth: need('depth', 'number') as number,
    width: need('width', 'number') as number,
    stageDepth: (o.stageDepth ?? UNIT_STAGES) as StageGenes,
    stageWidth: (o.stageWidth ?? UNIT_STAGES) as StageGenes,
    resolution: need('resolution', 'number') as number,
    activation: (o.activation === undefined ? 'family' : need('activation', 'string')) as ActivationGene,
  });
}

/**
 * The 88 architectures YOLOBench trained (VOC, from scratch): v3, v4, v5, v8 at depth {0.33,
 * 0.67, 1} x width {0.25, 0.5, 0.75, 1}; v6 s/m/l at depth {0.33, 0.6, 1} x the same widths;
 * v7 n/s/m/l. Names only; their measured accuracy lives in the user's ground-truth file.
 */
export function yolobenchArchitectures(): string[] {
  const out: string[] = [];
  const widths = [0.25, 0.5, 0.75, 1];
  for (const fam of ['v3', 'v4', 'v5', 'v8'] as const)
    for (const depth of [0.33, 0.67, 1]) for (const width of widths) out.push(archName({ ...BASE, backbone: fam, neck: fam, depth, width }));
  for (const fam of ['v6s', 'v6m', 'v6l'] as const)
    for (const depth of [0.33, 0.6, 1]) for (const width of widths) out.push(archName({ ...BASE, backbone: fam, neck: fam, depth, width }));
  for (const [depth, width] of Object.values(SCALES)) out.push(archName({ ...BASE, backbone: 'v7', neck: 'v7', depth, width }));
  return out;
}

const BASE: Genome = { backbone: 'v8', neck: 'v8', head: 'v8', depth: 1, width: 1, stageDepth: UNIT_STAGES, stageWidth: UNIT_STAGES, resolution: 320, activation: 'family' };
