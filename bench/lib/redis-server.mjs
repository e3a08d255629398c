// A redis-server of the benchmark's own on a free 127.0.0.1 port, with persistence off, as tests/js/loopback.ts
// starts one for the tests; and an ioredis client to count the commands it served.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port) => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
});

export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'strata-bench-redis-'));
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let up = false;
  for (let tries = 0; tries < 100 && !up && child.exitCode === null; tries++) {
    up = await accepts(port);
    if (!up) await sleep(20);
  }
  if (!up) throw new Error('redis-server did not start (is it installed? scripts/setup.sh installs it)');
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url);
  return {
    url,
    /** Empties the server and zeroes its command counts. */
    async reset() {
      await admin.flushall();
      await admin.config('RESETSTAT');
    },
    /** Calls served since reset(), by command ('get', 'set', ...), the admin's own calls left out. */
    async calls() {
      const counts = {};
      for (const [, name, calls] of (await admin.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
        if (!['flushall', 'config', 'info'].includes(name)) counts[name] = Number(calls);
      }
      return counts;
    },
    async stop() {
      admin.disconnect();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
