// Lines of coloured segments, painted with ANSI codes (or none under NO_COLOR) and cut to a width.
// The live view is built as plain lines like these and drawn as one ink <Text>, which keeps each
// redraw cheap (a handful of nodes instead of hundreds).

export interface Style {
  readonly color?: 'green' | 'gray' | 'red' | 'cyan' | 'yellow' | 'magenta' | 'white';
  readonly bold?: boolean;
  readonly inverse?: boolean;
  readonly background?: 'green' | 'gray';
}

export type Seg = readonly [text: string, style?: Style];

const FG: Record<NonNullable<Style['color']>, number> = { red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36, white: 37, gray: 90 };

function paint(text: string, s: Style | undefined, color: boolean): string {
  if (!s || text === '') return text;
  let open = '';
  let close = '';
  if (s.bold) {
    open += '\x1b[1m';
    close = '\x1b[22m' + close;
  }
  if (s.inverse) {
    open += '\x1b[7m';
    close = '\x1b[27m' + close;
  }
  if (color && s.background) {
    open += s.background === 'green' ? '\x1b[42m' : '\x1b[100m';
    close = '\x1b[49m' + close;
  }
  if (color && s.color) {
    open += `\x1b[${FG[s.color]}m`;
    close = '\x1b[39m' + close;
  }
  return open + text + close;
}

/** Length in terminal cells (the view uses no wide characters). */
export const cells = (text: string): number => [...text].length;

/** One line: the segments cut to `width` cells (an ellipsis marks a cut), optionally padded. */
export function line(segs: readonly Seg[], width: number, color: boolean, pad = false): string {
  let left = Math.max(0, width);
  let out = '';
  let used = 0;
  for (const [text, style] of segs) {
    if (left <= 0) break;
    const chars = [...text];
    if (chars.length > left) {
      const cut = chars.slice(0, Math.max(0, left - 1)).join('') + '…';
      out += paint(cut, style, color);
      used += left;
      left = 0;
      break;
    }
    out += paint(text, style, color);
    used += chars.length;
    left -= chars.length;
  }
  return pad && used < width ? out + ' '.repeat(width - used) : out;
}

export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
