// zcnas report DIR in the terminal: the live view's panels, drawn once from the journal.
import { renderToString } from 'ink';
import type { JournalState } from '../../search/index.js';
import { LiveView } from './live-view.js';
import { RunModel } from './model.js';

export function renderReport(state: JournalState, dir: string, opts: { width: number; height: number; color: boolean }): string {
  const model = RunModel.fromJournal(state);
  return renderToString(<LiveView model={model} width={opts.width} height={opts.height} color={opts.color} dir={dir} />, { columns: opts.width });
}
