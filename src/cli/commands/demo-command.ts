import { Command } from 'commander';
import { UsageError } from '../../app/errors.js';

function positiveInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name}: "${value}" is not a positive whole number`);
  return Number(value);
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('write a realistic synthetic dataset (seeded: the same options give the same files)')
    .requiredOption('--out <dir>', 'the folder to write the dataset to')
    .option('--customers <n>', 'number of customers', '200')
    .option('--months <n>', 'months of history, ending 2025-12-31', '36')
    .option('--seed <s>', 'random seed', '42')
    .option('--periods', 'also write the business as month-aligned periods (periods/periods.csv) and as their own dataset (periods-dataset/), for the benchmark')
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText('after', '\nExample:\n  runrate demo --out demo-data --customers 1000 --seed 7 && runrate mrr --data demo-data')
    .action(async (flags: { out: string; customers: string; months: string; seed: string; periods?: boolean }) => {
      const { writeDemoDataset } = await import('../../app/demo/write-demo-dataset.js');
      const summary = await writeDemoDataset(flags.out, {
        customers: positiveInteger('--customers', flags.customers),
        months: positiveInteger('--months', flags.months),
        seed: Number.parseInt(flags.seed, 10) || 0,
        periods: flags.periods === true,
      });
      process.stderr.write(
        `wrote ${summary.dir}: ${summary.customers} customers, ${summary.invoiceLines} invoice lines, ${summary.subscriptionEvents} subscription events, ${summary.fxRates} exchange rates (${summary.firstDate} → ${summary.asOf})\n`,
      );
      if (summary.periods !== undefined) {
        process.stderr.write(`wrote ${summary.periods} month-aligned periods (periods/periods.csv) and ${summary.periodLines ?? 0} invoice lines of them (periods-dataset/)\n`);
      }
    });
}
