/**
 * Import progress on stderr: a bar with rows, rows per second and an ETA on a terminal; plain
 * lines every few seconds otherwise (logs, CI); nothing with --quiet. The edge owns the clock.
 */
import cliProgress from 'cli-progress';
import { groupDigits } from './format/group-digits.js';
import type { ReadProgress } from '../app/import/read-import-sources.js';
import type { ComputeProgress } from '../app/store/import-into-store.js';

export interface ImportProgress {
  read(progress: ReadProgress): void;
  computed(progress: ComputeProgress): void;
  phase(name: string): void;
  stop(): void;
}

const LINE_EVERY_MS = 2000;

export function importProgress(options: { quiet: boolean; terminal: boolean }): ImportProgress {
  if (options.quiet) return { read: () => {}, computed: () => {}, phase: () => {}, stop: () => {} };
  const started = Date.now();
  let phaseStarted = started;
  const computeEta = (progress: ComputeProgress) => {
    const elapsed = (Date.now() - phaseStarted) / 1000;
    return progress.customers === 0 ? '?' : `${Math.max(0, Math.round((elapsed * (progress.total - progress.customers)) / progress.customers))}s`;
  };
  const rate = (rows: number) => Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000));
  const eta = (progress: ReadProgress) => {
    const elapsed = (Date.now() - started) / 1000;
    return progress.bytes === 0 ? '?' : `${Math.max(0, Math.round((elapsed * (progress.totalBytes - progress.bytes)) / progress.bytes))}s`;
  };
  if (options.terminal) {
    const bar = new cliProgress.SingleBar(
      { format: 'reading [{bar}] {percentage}% | {rows} rows | {speed} rows/s | ETA {etaText}', stream: process.stderr, hideCursor: true, noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
    const computing = new cliProgress.SingleBar(
      { format: 'computing [{bar}] {percentage}% | {value}/{total} customers | ETA {etaText}', stream: process.stderr, hideCursor: true, noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
    let started_ = false;
    let computingStarted = false;
    return {
      computed(progress) {
        if (!computingStarted) {
          computing.start(Math.max(1, progress.total), 0, { etaText: '?' });
          computingStarted = true;
        }
        computing.update(progress.customers, { etaText: computeEta(progress) });
      },
      read(progress) {
        if (!started_) {
          bar.start(Math.max(1, progress.totalBytes), 0, { rows: 0, speed: 0, etaText: '?' });
          started_ = true;
        }
        bar.update(progress.bytes, { rows: groupDigits(progress.rows), speed: groupDigits(rate(progress.rows)), etaText: eta(progress) });
      },
      phase(name) {
        phaseStarted = Date.now();
        if (started_) {
          bar.stop();
          started_ = false;
        }
        if (name !== 'reading') process.stderr.write(`${name}…\n`);
      },
      stop() {
        if (started_) bar.stop();
        if (computingStarted) computing.stop();
      },
    };
  }
  let lastLine = 0;
  return {
    computed(progress) {
      const now = Date.now();
      if (now - lastLine < LINE_EVERY_MS && progress.customers < progress.total) return;
      lastLine = now;
      const percent = progress.total === 0 ? 100 : Math.floor((100 * progress.customers) / progress.total);
      process.stderr.write(`computing: ${percent}%, ${groupDigits(progress.customers)} of ${groupDigits(progress.total)} customers, ETA ${computeEta(progress)}\n`);
    },
    read(progress) {
      const now = Date.now();
      if (now - lastLine < LINE_EVERY_MS && progress.bytes < progress.totalBytes) return;
      lastLine = now;
      const percent = progress.totalBytes === 0 ? 100 : Math.floor((100 * progress.bytes) / progress.totalBytes);
      process.stderr.write(`reading: ${percent}%, ${groupDigits(progress.rows)} rows, ${groupDigits(rate(progress.rows))} rows/s, ETA ${eta(progress)}\n`);
    },
    phase(name) {
      phaseStarted = Date.now();
      if (name !== 'reading') process.stderr.write(`${name}…\n`);
    },
    stop() {},
  };
}
