import { Command, Option } from 'commander';
import { openStore } from '../../app/store/open-store.js';
import { renderCsv } from '../format/render-csv.js';
import { emit, storeLocation } from '../source-options.js';

export function rejectsCommand(): Command {
  return new Command('rejects')
    .description('list every row rejected by imports into the store, with its file, line, column, message and raw row')
    .option('--db <path>', 'the store (default ./runrate.duckdb, or PostgreSQL when DATABASE_URL is set)')
    .option('--import <id>', 'only the rows of this import')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json', 'ndjson']).default('table'))
    .option('-o, --output <file>', 'write the output to a file instead of stdout')
    .addHelpText('after', '\nExample:\n  runrate rejects --format csv --output rejects.csv')
    .action(async (flags: { db?: string; import?: string; format: string; output?: string }) => {
      const store = await openStore(storeLocation(flags), { create: false });
      try {
        const rows = (await store.rejects()).filter((row) => flags.import === undefined || String(row.importId) === flags.import);
        const records = rows.map((row) => ({ import_id: row.importId, file: row.file, line: row.line, column: row.column, message: row.message, raw: row.raw }));
        let text: string;
        switch (flags.format) {
          case 'json':
            text = `${JSON.stringify({ rejects: records }, null, 2)}\n`;
            break;
          case 'ndjson':
            text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
            break;
          case 'csv':
            text = renderCsv(['import_id', 'file', 'line', 'column', 'message', 'raw'], records.map((r) => [r.import_id, r.file, r.line, r.column, r.message, r.raw]));
            break;
          default:
            text = records.map((r) => `${r.file}:${r.line}: ${r.column}: ${r.message}${r.raw === null ? '' : `\n    ${r.raw}`}\n`).join('') + `${records.length} rejected rows\n`;
        }
        await emit(text, flags);
      } finally {
        await store.close();
      }
    });
}
