// A framework-free registry and runner for Jest-style cases (describe, test, test.each), so the contract cases
// written for Jest run unchanged in a page; results go back to Jest through page.evaluate.

type Body = () => unknown;
type Row = readonly unknown[];

interface Case {
  name: string;
  body: Body;
}

export interface CaseResult {
  name: string;
  error?: string;
}

const cases: Case[] = [];
const path: string[] = [];

/** Jest's '%s' placeholders, filled from a table row in order. */
function title(template: string, row: Row): string {
  let i = 0;
  return template.replace(/%[sdp]/g, () => String(row[i++]));
}

function each(define: (name: string, body: Body) => void) {
  return (table: readonly (Row | string | number)[]) => (template: string, body: (...row: never[]) => unknown) => {
    for (const entry of table) {
      // As in Jest, a row that is not an array is the case's one argument (so 'lru' is not spread to letters).
      const row: Row = Array.isArray(entry) ? entry : [entry];
      define(title(template, row), () => body(...(row as never[])));
    }
  };
}

export function describe(name: string, body: Body): void {
  path.push(name);
  try {
    body();
  } finally {
    path.pop();
  }
}
describe.each = each(describe);

export function test(name: string, body: Body): void {
  cases.push({ name: [...path, name].join(' › '), body });
}
test.each = each(test);

const CASE_TIMEOUT_MS = 30_000;

/** Runs, one at a time, every case whose name starts with `prefix`. */
export async function runCases(prefix: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const { name, body } of cases.filter((c) => c.name.startsWith(prefix))) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
    });
    try {
      await Promise.race([body(), timeout]);
      results.push({ name });
    } catch (error) {
      results.push({ name, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}
