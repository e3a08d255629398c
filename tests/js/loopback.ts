// Servers the tests start themselves on 127.0.0.1 (memcached, redis-server): a free port, and the wait until one
// accepts connections.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

import { sleep } from './backends.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once 127.0.0.1:port accepts connections; throws after about two seconds. */
async function untilAccepting(port: number, what: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await accepts(port)) return;
    await sleep(20);
  }
  throw new Error(`${what} did not start`);
}

/** A server process of the test's own on 127.0.0.1:port; start() again after stop() brings it back, empty. */
export class LoopbackServer {
  #process: ChildProcess | undefined;
  constructor(readonly port: number, readonly command: string, readonly args: readonly string[]) {}

  async start(): Promise<void> {
    this.#process = spawn(this.command, this.args, { stdio: 'ignore' });
    await untilAccepting(this.port, this.command);
  }

  /** Kills it at once, as a crash would. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A redis-server of its own on 127.0.0.1:port, keeping nothing on disk, working in `folder`/port, with `extra`. */
export function redisServer(folder: string, port: number, extra: string[] = []): LoopbackServer {
  const dir = join(folder, String(port));
  mkdirSync(dir, { recursive: true });
  return new LoopbackServer(port, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra,
  ]);
}
