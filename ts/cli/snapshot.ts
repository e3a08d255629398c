// `stratacache snapshot <file.tar>`: what a workspace snapshot (ws.snapshot()) holds, read from its headers and
// manifest as Workspace.load checks them, without keeping any file's bytes.
import { createReadStream, existsSync } from 'node:fs';

import { StrataError } from '../errors.js';
import { describeSnapshot } from '../workspace/snapshot.js';
import type { Output } from './commands.js';
import { formatBytes, formatInstant } from './format.js';

export async function snapshot(archive: string, out: Output): Promise<void> {
  if (!existsSync(archive)) throw new StrataError('ERR_NOT_FOUND', `there is no file ${archive}`);
  const { created, files, missing } = await describeSnapshot(createReadStream(archive, { highWaterMark: 1 << 20 }));
  const bytes = files.reduce((sum, file) => sum + file.version.size, 0);
  if (out.json) {
    const listed = files.map(({ path, version }) => ({ path, ...version }));
    const report = { archive, created: created ?? null, files: files.length, bytes, missing, entries: listed };
    out.line(JSON.stringify(report));
    return;
  }
  out.line(`archive     ${archive}`);
  out.line(`created     ${created ?? '-'}`);
  out.line(`files       ${files.length} (${formatBytes(bytes)})`);
  out.line(`missing     ${missing.length}${missing.length > 0 ? `: ${missing.join(', ')}` : ''}`);
  for (const { path, version } of files) {
    out.line(`${formatBytes(version.size).padStart(10)}  ${formatInstant(version.mtimeMs, '-').padEnd(24)}  ${path}`);
  }
}
