/**
 * A private, throwaway PostgreSQL cluster for the tests: vitest's globalSetup starts one unless
 * RUNRATE_TEST_DATABASE_URL already names a server (.ci/run starts its own the same way), and
 * gives its URL to the test files (`inject('runrateTestDatabaseUrl')`). There is no fallback to
 * skipping: without PostgreSQL binaries the run fails, so a green run always covers PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the test server, whose databases the test files create and drop. */
    runrateTestDatabaseUrl: string;
  }
}

export const TEST_DATABASE_URL_VARIABLE = 'RUNRATE_TEST_DATABASE_URL';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/runrate_test (trust authentication). */
  readonly url: string;
  stop(): void;
}

/** The newest server binaries on this machine: $RUNRATE_PG_BINDIR, Debian's layout, then PATH. */
export function findPostgresBinaries(): string | null {
  const candidates: string[] = [];
  if (process.env.RUNRATE_PG_BINDIR) candidates.push(process.env.RUNRATE_PG_BINDIR);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config on PATH: try the directories of PATH itself.
  }
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== ''));
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a cluster in a fresh temporary directory: initdb with trust authentication, durability
 * off (the data is thrown away), listening on 127.0.0.1 at a free port and on a private socket.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  if (bin === null) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found: install PostgreSQL 15 (apt-get install postgresql-15), ' +
        `set RUNRATE_PG_BINDIR to their directory, or set ${TEST_DATABASE_URL_VARIABLE} to a server the tests may create databases on`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: readonly string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, command), asRoot ? ['-u', 'postgres', '--', path.join(bin, command), ...args] : [...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'runrate-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone: nothing left to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A crashed run must not leave a server behind.
  process.once('exit', stop);

  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    let port = 0;
    // A free port can be taken between the probe and the start: try a few.
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      const settings = `-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -k ${dir} -h 127.0.0.1 -p ${port}`;
      try {
        run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings, 'start']);
        started = true;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    run('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-t', '30']);
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'runrate_test']);
    return { url: `postgres://postgres@127.0.0.1:${port}/runrate_test`, stop };
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    const output = (error as { stderr?: string }).stderr ?? '';
    stop();
    process.removeListener('exit', stop);
    throw new Error(`could not start the test PostgreSQL cluster: ${error instanceof Error ? error.message : String(error)}\n${output}\n${serverLog}`);
  }
}

/** vitest globalSetup: a server for the whole run, stopped when it ends. */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env[TEST_DATABASE_URL_VARIABLE];
  if (given) {
    project.provide('runrateTestDatabaseUrl', given);
    return undefined;
  }
  const cluster = await startPostgresCluster();
  project.provide('runrateTestDatabaseUrl', cluster.url);
  // Also for processes the tests spawn (the CLI), which inherit the environment.
  process.env[TEST_DATABASE_URL_VARIABLE] = cluster.url;
  return () => {
    cluster.stop();
    delete process.env[TEST_DATABASE_URL_VARIABLE];
  };
}
