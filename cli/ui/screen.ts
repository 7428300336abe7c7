// Draws the live view's frames on the terminal's alternate screen, rewriting only the lines that
// changed (inside synchronized-output markers), so redraws neither flicker nor cost much: ink's own
// renderer rebuilds every cell of the frame on each redraw, ~30 ms for 120x40 on a busy 2-core
// machine, which alone would cost a fast search a quarter of its throughput at 10 redraws a second.

const ESC = '\x1b[';

export class Screen {
  private prev: string[] = [];
  private active = false;

  constructor(private readonly out: { write(s: string): unknown }) {}

  /** Switches to the alternate screen, hides the cursor. */
  enter(): void {
    if (this.active) return;
    this.active = true;
    this.prev = [];
    this.out.write(`${ESC}?1049h${ESC}?25l${ESC}2J${ESC}H`);
  }

  /** Writes the lines that differ from the last frame; returns how many were written. */
  draw(lines: readonly string[]): number {
    if (!this.active) return 0;
    let buf = '';
    let changed = 0;
    const n = Math.max(lines.length, this.prev.length);
    for (let i = 0; i < n; i++) {
      const l = lines[i] ?? '';
      if (l === this.prev[i]) continue;
      buf += `${ESC}${i + 1};1H${l}${ESC}0m${ESC}K`;
      changed++;
    }
    if (changed > 0) this.out.write(`${ESC}?2026h${buf}${ESC}?2026l`);
    this.prev = [...lines];
    return changed;
  }

  /** After a resize: clear, and draw everything next time. */
  invalidate(): void {
    if (!this.active) return;
    this.prev = [];
    this.out.write(`${ESC}2J`);
  }

  /** Back to the normal screen, cursor shown; the last frame is printed there, so it stays. */
  leave(lastFrame?: readonly string[]): void {
    if (!this.active) return;
    this.active = false;
    this.out.write(`${ESC}0m${ESC}?25h${ESC}?1049l`);
    if (lastFrame) this.out.write(lastFrame.map((l) => `${l}${ESC}0m`).join('\n') + '\n');
  }
}
