/**
 * The `runrate` command line (cli.md). Errors become exit codes in exit-codes.ts only.
 */
import { Command } from 'commander';
import { cohortsCommand } from './commands/cohorts-command.js';
import { customerCommand } from './commands/customer-command.js';
import { customersCommand } from './commands/customers-command.js';
import { demoCommand } from './commands/demo-command.js';
import { exportCommand } from './commands/export-command.js';
import { importCommand, recomputeCommand } from './commands/import-command.js';
import { rejectsCommand } from './commands/rejects-command.js';
import { forecastCommand } from './commands/forecast-command.js';
import { metricsCommand } from './commands/metrics-command.js';
import { movementsCommand } from './commands/movements-command.js';
import { mrrCommand } from './commands/mrr-command.js';
import { ratesCommand } from './commands/rates-command.js';
import { syncCommand } from './commands/sync-command.js';
import { EXIT, reportError } from './exit-codes.js';
import { isClosedPipe, reportedWriteErrors, type RunState } from './source-options.js';

export function buildProgram(run: RunState): Command {
  const program = new Command('runrate')
    .description('Exact, explainable subscription-revenue analytics: MRR, movements and metrics from billing data.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExamples:\n  runrate demo --out demo-data\n  runrate mrr --data demo-data\n  runrate movements --data demo-data --customer cus_000042 --format json');
  program.addCommand(importCommand(run));
  program.addCommand(recomputeCommand(run));
  program.addCommand(rejectsCommand());
  program.addCommand(movementsCommand(run));
  program.addCommand(mrrCommand(run));
  program.addCommand(metricsCommand(run));
  program.addCommand(customersCommand(run));
  program.addCommand(customerCommand(run));
  program.addCommand(cohortsCommand(run));
  program.addCommand(forecastCommand(run));
  program.addCommand(exportCommand(run));
  program.addCommand(ratesCommand(run));
  program.addCommand(syncCommand());
  program.addCommand(demoCommand());
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Without a listener, an error on stdout (the reader closed the pipe, a full disk behind `>`)
 * is an uncaught exception with a stack trace. A closed pipe is the reader's choice and stays
 * quiet; any other error is one line and exit 1, as cli.md asks. Writes that wait for their
 * callback (`emit`) report their own errors; this catches commander's (help, version).
 */
function reportStdoutErrors(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error) => {
    if (isClosedPipe(error) || reportedWriteErrors.has(error)) return;
    process.stderr.write(`runrate: cannot write the output: ${error.message}\n`);
    process.exitCode = EXIT.failure;
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  reportStdoutErrors();
  const run: RunState = { rejectedRows: 0 };
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const reported = reportError(error, argv.includes('--debug'));
    if (reported.message !== null) process.stderr.write(`${reported.message}\n`);
    return reported.exitCode;
  }
  if (run.rejectedRows > 0) {
    process.stderr.write(`runrate: ${run.rejectedRows} input row${run.rejectedRows === 1 ? ' was' : 's were'} rejected (listed above); the output was computed from the accepted rows\n`);
    return EXIT.rejectedRows;
  }
  return EXIT.ok;
}
