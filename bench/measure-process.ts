/**
 * Runs one command as a child process and measures it as a whole: wall time, CPU time (user +
 * sys) and peak resident memory. CPU and memory come from GNU time (`/usr/bin/time`), the only
 * way to read a child's rusage from Node; without it they are null and only the wall time is
 * measured.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measurement {
  /** Seconds. */
  readonly wall: number;
  /** Seconds of user + system CPU of the child and its children; null without GNU time. */
  readonly cpu: number | null;
  /** Peak resident set size in bytes; null without GNU time. */
  readonly peakRss: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandFailed extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    /** What the failed run cost until it ended. */
    readonly measurement: Measurement,
  ) {
    super(`${command.join(' ')} exited with ${exitCode ?? 'a signal'}\n${stderr.slice(-4000)}`);
  }

  /** One line on why: V8's out-of-memory message, else the last line the command wrote. */
  get reason(): string {
    if (/heap out of memory/.test(this.stderr)) return 'JavaScript heap out of memory';
    const lines = this.stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('at '));
    return `exit ${this.exitCode ?? 'by signal'}: ${(lines[lines.length - 1] ?? '').slice(0, 160)}`;
  }
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

let scratch: string | null = null;
let counter = 0;

async function timeFile(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'runrate-bench-time-'));
  return join(scratch, `time-${++counter}.txt`);
}

export async function removeTimeFiles(): Promise<void> {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = null;
}

/** Output beyond this is dropped: the benchmark reads small outputs only, files otherwise. */
const MAX_OUTPUT = 1 << 24;

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Exit codes that are not a failure (import exits 3 when rows were rejected). */
  readonly okExitCodes?: readonly number[];
}

export async function measure(command: readonly string[], options: RunOptions = {}): Promise<Measurement> {
  const [program, ...args] = command;
  if (program === undefined) throw new Error('measure: empty command');
  const file = hasGnuTime ? await timeFile() : null;
  const argv = file ? [GNU_TIME, '-f', '%e %U %S %M', '-o', file, program, ...args] : [program, ...args];
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(argv[0] ?? program, argv.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < MAX_OUTPUT) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < MAX_OUTPUT) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  const wallClock = Number(process.hrtime.bigint() - started) / 1e9;
  let measurement: Measurement = { wall: wallClock, cpu: null, peakRss: null, stdout, stderr };
  if (file) {
    // GNU time writes "Command exited with non-zero status N" (or "terminated by signal") first when it did.
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const figures = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    const [, user, sys, maxKb] = figures;
    if (figures.length !== 4 || figures.some((value) => !Number.isFinite(value))) throw new Error(`cannot read GNU time's output: ${lines.join(' | ')}`);
    // The wall clock is ours: GNU time's has a 10 ms resolution, too coarse for the queries.
    measurement = { ...measurement, cpu: (user ?? 0) + (sys ?? 0), peakRss: (maxKb ?? 0) * 1024 };
  }
  if (code !== 0 && !(code !== null && options.okExitCodes?.includes(code))) throw new CommandFailed(command, code, stderr, measurement);
  return measurement;
}

/** The sum of consecutive measurements: wall and CPU add up, the peak is the larger one. */
export function sequence(parts: readonly Measurement[]): Measurement {
  const sum = (values: (number | null)[]): number | null => (values.some((value) => value === null) ? null : values.reduce<number>((total, value) => total + (value ?? 0), 0));
  const peaks = parts.map((part) => part.peakRss);
  return {
    wall: parts.reduce((total, part) => total + part.wall, 0),
    cpu: sum(parts.map((part) => part.cpu)),
    peakRss: peaks.some((peak) => peak === null) ? null : Math.max(...peaks.map((peak) => peak ?? 0)),
    stdout: '',
    stderr: '',
  };
}
