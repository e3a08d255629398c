// Expanding a parsed word as sh does: '$?' becomes the last exit code, and a word with an unquoted '*', '?'
// or '[' becomes the sorted paths of the workspace it matches, or stays as it is when none matches. Paths are
// matched one segment at a time by listing directories; '*' and '?' do not match a leading '.'.
import type { WorkspaceFs } from '../entry.js';
import { globMatcher } from './glob.js';
import type { Word } from './parse.js';
import { byName } from './paths.js';

const GLOB_CHARS = /[*?[]/;

/** The word's text, and its glob (quoted characters escaped) when an unquoted glob character is in it. */
function expandParts(word: Word, status: number): { text: string; glob: string | undefined } {
  let text = '';
  let glob = '';
  let globbing = false;
  for (const part of word) {
    const piece = 'status' in part ? String(status) : part.text;
    text += piece;
    if ('quoted' in part && !part.quoted) {
      glob += piece;
      globbing ||= GLOB_CHARS.test(piece);
    } else {
      glob += piece.replace(/[*?[\]\\]/g, '\\$&');
    }
  }
  return { text, glob: globbing ? glob : undefined };
}

/** The fields a word expands to: one, or with a glob that matches, each path it matches. */
export async function expandWord(fs: WorkspaceFs, word: Word, status: number): Promise<string[]> {
  const { text, glob } = expandParts(word, status);
  if (glob === undefined) return [text];
  const matches = await matchPaths(fs, glob);
  return matches.length > 0 ? matches : [text];
}

/** A word that must stay one field (a redirection's target): globs are not expanded there. */
export function expandPlain(word: Word, status: number): string {
  return expandParts(word, status).text;
}

function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

/** Whether a glob segment has an unescaped glob character. */
function isPattern(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === '\\') i++;
    else if (GLOB_CHARS.test(segment[i]!)) return true;
  }
  return false;
}

async function matchPaths(fs: WorkspaceFs, glob: string): Promise<string[]> {
  const absolute = glob.startsWith('/');
  const segments = glob.split('/').filter((segment) => segment !== '');
  const trailingSlash = glob.endsWith('/');
  // Each candidate: the path as shown (relative paths stay relative) and its absolute path.
  let candidates: Array<{ shown: string; path: string }> = [{ shown: absolute ? '/' : '', path: '/' }];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: typeof candidates = [];
    for (const candidate of candidates) {
      const join = (name: string) => ({
        shown: candidate.shown === '' || candidate.shown.endsWith('/') ? candidate.shown + name : `${candidate.shown}/${name}`,
        path: candidate.path === '/' ? `/${name}` : `${candidate.path}/${name}`,
      });
      if (!isPattern(segment)) {
        const joined = join(unescape(segment));
        if (!last || (await fs.exists(joined.path))) next.push(joined);
        continue;
      }
      const entries = await fs.ls(candidate.path).catch(() => []);
      const matches = globMatcher(segment, false);
      const dotAllowed = segment.startsWith('.') || segment.startsWith('\\.');
      for (const entry of entries) {
        if (entry.name.startsWith('.') && !dotAllowed) continue;
        if (!matches(entry.name)) continue;
        if ((!last || trailingSlash) && entry.type !== 'directory') continue;
        next.push(join(entry.name));
      }
    }
    candidates = next;
  }
  return candidates.map(({ shown }) => (trailingSlash ? shown + '/' : shown)).sort(byName);
}
