// The documentation stays readable and its links keep working: README.md and docs/*.md hold lines of at most
// 110 columns and table cells of at most 100 characters, and every relative link names a file of the repository
// (and, with a #fragment, a heading of that file, as GitHub makes anchors from headings).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_COLUMNS = 110;
const MAX_CELL = 100;

const documents = ['README.md', ...readdirSync(join(repo, 'docs')).filter((name) => name.endsWith('.md')).map(
  (name) => `docs/${name}`,
)];

/** The lines of a Markdown file outside fenced code blocks, with their line numbers. */
function prose(text: string): Array<[number, string]> {
  let fenced = false;
  const lines: Array<[number, string]> = [];
  text.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced) lines.push([index + 1, line]);
  });
  return lines;
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as '-', repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, line] of prose(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** The targets of a file's Markdown links, code spans left out. */
function links(text: string): Array<[number, string]> {
  const found: Array<[number, string]> = [];
  for (const [number, line] of prose(text)) {
    for (const match of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) found.push([number, match[1]!]);
  }
  return found;
}

describe.each(documents)('%s', (document) => {
  const text = readFileSync(join(repo, document), 'utf8');

  test(`has no line over ${MAX_COLUMNS} columns`, () => {
    const long = text.split('\n').flatMap((line, index) => ([...line].length > MAX_COLUMNS ? [index + 1] : []));
    expect(long).toEqual([]);
  });

  test(`has no table cell over ${MAX_CELL} characters`, () => {
    const wide = prose(text).flatMap(([number, line]) => {
      if (!line.startsWith('|')) return [];
      const cells = line.split(/(?<!\\)\|/).slice(1, -1);
      return cells.some((cell) => [...cell.trim()].length > MAX_CELL) ? [number] : [];
    });
    expect(wide).toEqual([]);
  });

  test('links only to files and headings that exist', () => {
    const broken = links(text).flatMap(([number, target]) => {
      if (/^[a-z]+:/i.test(target)) return [];  // another site
      const [path, fragment] = target.split('#') as [string, string | undefined];
      const file = path === '' ? join(repo, document) : join(repo, dirname(document), path);
      if (!existsSync(file)) return [`${number}: ${target}`];
      if (fragment === undefined || !file.endsWith('.md')) return [];
      if (anchors(readFileSync(file, 'utf8')).has(fragment)) return [];
      return [`${number}: ${target} (no such heading in ${relative(repo, file)})`];
    });
    expect(broken).toEqual([]);
  });
});
