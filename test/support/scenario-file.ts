/**
 * Golden scenarios are Markdown stories: prose, then fenced blocks holding the dataset files
 * (```invoice_lines.csv), the configuration (```config), and the expected results
 * (```movements [flags…], ```mrr [flags…], ```customers [flags…], ```rejects [flags…]).
 * Expected tables are whitespace-aligned; `-` means null; amounts are in major units.
 */
import { readFileSync } from 'node:fs';

export interface ExpectationBlock {
  readonly kind: 'movements' | 'mrr' | 'metrics' | 'cohorts' | 'forecast' | 'customers' | 'rejects' | 'warnings' | 'error';
  /** CLI-style configuration flags for this expectation (`--churn-recognition period-end`). */
  readonly flags: readonly string[];
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** For rejects / warnings / error: the raw lines. */
  readonly lines: readonly string[];
}

export interface Scenario {
  readonly file: string;
  readonly title: string;
  readonly files: ReadonlyMap<string, string>;
  readonly expectations: readonly ExpectationBlock[];
}

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
const DATA_FILE = /^(customers|plans|invoice_lines|subscription_events|fx_rates)\.(csv|ndjson)$/;

export function parseScenario(file: string): Scenario {
  const text = readFileSync(file, 'utf8');
  const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? file;
  const files = new Map<string, string>();
  const expectations: ExpectationBlock[] = [];
  for (const match of text.matchAll(FENCE)) {
    const [name, ...flags] = match[1]!.trim().split(/\s+/);
    const body = match[2]!;
    if (name === 'config') files.set('runrate.config.json', body);
    else if (name && DATA_FILE.test(name)) files.set(name, body);
    else if (name === 'movements' || name === 'mrr' || name === 'metrics' || name === 'cohorts' || name === 'forecast' || name === 'customers') {
      const lines = body.split('\n').filter((line) => line.trim() !== '');
      const [headerLine, ...rowLines] = lines;
      expectations.push({
        kind: name,
        flags,
        header: headerLine ? headerLine.trim().split(/\s+/) : [],
        rows: rowLines.map((line) => line.trim().split(/\s+/)),
        lines,
      });
    } else if (name === 'rejects' || name === 'warnings' || name === 'error') {
      expectations.push({ kind: name, flags, header: [], rows: [], lines: body.split('\n').filter((line) => line.trim() !== '') });
    } else if (name !== undefined && name !== '' && name !== 'text') {
      throw new Error(`${file}: unknown block \`\`\`${name}`);
    }
  }
  return { file, title, files, expectations };
}

/**
 * `--churn-recognition period-end --segment country=FR --segment plan=gold` →
 * { churnRecognition: 'period-end', segment: ['country=FR', 'plan=gold'] } (camelCase keys;
 * `--segment` may repeat).
 */
export function parseFlags(flags: readonly string[]): { values: Record<string, string>; segments: string[] } {
  const values: Record<string, string> = {};
  const segments: string[] = [];
  for (let i = 0; i < flags.length; i += 2) {
    const flag = flags[i]!;
    const value = flags[i + 1];
    if (!flag.startsWith('--') || value === undefined) throw new Error(`bad scenario flags: ${flags.join(' ')}`);
    const key = flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (key === 'segment') segments.push(value);
    else values[key] = value;
  }
  return { values, segments };
}
