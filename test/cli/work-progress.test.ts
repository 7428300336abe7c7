// The time left of a run over candidates of different sizes is weighed by their work.
import { describe, expect, it } from 'vitest';
import { progressLine, secondsLeft } from '../../cli/work-progress.js';

describe('work-weighed progress', () => {
  it('estimates the time left from the work left, not the count left', () => {
    // Ten small candidates (1 unit each) took 100 s; two large ones (50 units each) are left.
    const p = { doneBefore: 0, doneNow: 10, total: 12, workDone: 10, workLeft: 100, elapsedSeconds: 100 };
    expect(secondsLeft(p)).toBe(1000);
    // Counting candidates would have said 20 s.
    expect(progressLine(p, 'MACs')).toBe('scored 10/12 candidates, 6.0/min, ETA 17 min (weighed by MACs)');
  });

  it('counts candidates finished before this run in the total but not in the pace', () => {
    const p = { doneBefore: 700, doneNow: 6, total: 968, workDone: 30, workLeft: 300, elapsedSeconds: 120 };
    expect(progressLine(p, 'MACs')).toBe('scored 706/968 candidates, 3.0/min, ETA 20 min (weighed by MACs)');
  });

  it('has no estimate before any work is done', () => {
    const p = { doneBefore: 3, doneNow: 0, total: 9, workDone: 0, workLeft: 60, elapsedSeconds: 5 };
    expect(secondsLeft(p)).toBeNaN();
    expect(progressLine(p, 'MACs')).toBe('scored 3/9 candidates, 0.0/min, ETA ?');
  });
});
