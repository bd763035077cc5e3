// Progress of a long run on stderr (cli-progress): random starts of each stage with the current
// iteration and loglikelihood. Only for terminals: `plusmix run` creates a reporter when stderr is a
// TTY and --quiet is not set; pipes, files and CI get nothing.
//
// Estimation is synchronous, so the bar redraws from inside the callback (cli-progress's
// synchronousUpdate, throttled to `fps`), never from a timer.

import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../estimate/options.js';

export type { ProgressEvent };

export interface ProgressReporter {
  onProgress: (e: ProgressEvent) => void;
  /** clear the bar (call before printing anything else, and at the end of the run) */
  stop: () => void;
}

const STAGE_TITLE: Record<ProgressEvent['stage'], string> = {
  initial: 'Initial stage starts',
  final: 'Final stage optimizations',
  single: 'Estimation',
};

/** the text after the bar: iteration and loglikelihood */
export function progressDetail(e: ProgressEvent): string {
  const ll = Number.isFinite(e.loglikelihood) ? e.loglikelihood.toFixed(3) : '-';
  return `iteration ${e.iteration}  loglikelihood ${ll}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let bar: cliProgress.SingleBar | null = null;
  let stage: string | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
    stage = null;
  };
  const onProgress = (e: ProgressEvent) => {
    const counted = e.of !== undefined && e.of > 0;
    if (e.stage !== stage || !bar) {
      stop();
      stage = e.stage;
      const title = STAGE_TITLE[e.stage] ?? 'Estimation';
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: counted ? `${title} [{bar}] {value}/{total}  {detail}` : `${title}  {detail}`,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(counted ? e.of! : 1, 0, { detail: progressDetail(e) });
    }
    bar.update(counted ? Math.max(0, (e.start ?? 1) - 1) : 0, { detail: progressDetail(e) });
  };
  return { onProgress, stop };
}
