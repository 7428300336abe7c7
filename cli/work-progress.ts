// Progress of a run over candidates of very different sizes. Counting candidates predicts the
// time left badly when their sizes differ this much (the 968 YOLOBench models range from 0.22 to
// 139 GMACs; with the small ones scored first, the count said 769 minutes for a rest the MACs put
// at about three hours), so the estimate weighs each candidate by its work, e.g. its MAC count.

export interface WorkProgress {
  /** Candidates finished (scored or failed) before this run and in it. */
  readonly doneBefore: number;
  readonly doneNow: number;
  readonly total: number;
  /** Work of the candidates finished in this run, and of those still to do. */
  readonly workDone: number;
  readonly workLeft: number;
  readonly elapsedSeconds: number;
}

/** Seconds left at this run's pace per unit of work; NaN until some work is done. */
export function secondsLeft(p: WorkProgress): number {
  return p.workDone > 0 ? (p.elapsedSeconds * p.workLeft) / p.workDone : NaN;
}

/** E.g. "scored 782/968 candidates, 2.1/min, ETA 160 min (weighed by MACs)". */
export function progressLine(p: WorkProgress, weighedBy: string): string {
  const perMinute = (60 * p.doneNow) / Math.max(p.elapsedSeconds, 1e-9);
  const left = secondsLeft(p);
  const eta = Number.isFinite(left) ? `${Math.round(left / 60)} min (weighed by ${weighedBy})` : '?';
  return `scored ${p.doneBefore + p.doneNow}/${p.total} candidates, ${perMinute.toFixed(1)}/min, ETA ${eta}`;
}
