// Soak: four processes, each with worker threads, hammer two [ram(), disk()] caches over shared folders (one
// write-through with a bounded namespace, one write-back) with random operations, while this script SIGKILLs and
// restarts processes, terminates worker threads and fills the disk. Afterwards every value read back must be one
// that was written for its key, verify() must find nothing to repair, and each folder must hold its budget.
//
//   node bench/soak.mjs [--seconds 60] [--processes 4] [--threads 2] [--faults kill,terminate,full]
//
// The folders live on a small tmpfs when this process may mount one (root on Linux), so that the disk really
// fills; elsewhere on a temp folder, and the full-disk phase fills what it can. Exits 1 when a check fails.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';

import { Cache, disk, ram, StrataError } from '../dist/node.js';

const KEYS = 400;
const RAM_LIMIT = '2MB';
const DISK_LIMIT = 6 * 1024 * 1024;
const NAMESPACE_LIMIT = 1024 * 1024;
const TMPFS_BYTES = 24 * 1024 * 1024;

// ---- values that prove where they came from -------------------------------------------------------------------

/** A value for `key`: a header naming its writer and sequence number, then bytes derived from all three. */
function valueFor(key, writer, sequence) {
  const header = `${key}|${writer}|${sequence}|`;
  const size = 64 + (createHash('sha256').update(header).digest()[0] * 97) % 12_000;
  const body = Buffer.alloc(size);
  let block = createHash('sha256').update(header).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(body, at);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat([Buffer.from(header), body]);
}

/** Whether `bytes` is a value some writer wrote for `key`. */
function isValueOf(key, bytes) {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = text.subarray(0, 200).toString('latin1').split('|');
  if (parts.length < 4 || parts[0] !== key) return false;
  return valueFor(key, parts[1], Number(parts[2])).equals(text);
}

const openCaches = (root) =>
  Promise.all([
    Cache.open({
      shared: 'soak-through',
      tiers: [ram({ cacheLimit: RAM_LIMIT }), disk({ path: join(root, 'through'), cacheLimit: DISK_LIMIT })],
      ttl: null,
    }),
    Cache.open({
      shared: 'soak-back',
      tiers: [ram({ cacheLimit: RAM_LIMIT }), disk({ path: join(root, 'back'), cacheLimit: DISK_LIMIT })],
      writePolicy: 'back',
      ttl: null,
    }),
  ]);

// ---- a worker: random operations until told to stop -----------------------------------------------------------

/** Errors a cache may give under these faults; anything else is a finding. */
const EXPECTED = new Set(['ERR_QUOTA', 'ERR_IO', 'ERR_CLOSED', 'ERR_TOO_LARGE']);

async function work({ root, writer }) {
  const [through, back] = await openCaches(root);
  const views = [through, through.namespace('bulky', { cacheLimit: NAMESPACE_LIMIT }), back];
  const counts = { ops: 0, wrong: 0, expected: 0, unexpected: [] };
  let stopping = false;
  parentPort?.on('message', (message) => message === 'stop' && (stopping = true));
  process.on('message', (message) => message === 'stop' && (stopping = true));
  let sequence = 0;
  while (!stopping) {
    const view = views[Math.floor(Math.random() * views.length)];
    const key = `k${Math.floor(Math.random() * KEYS)}`;
    const roll = Math.random();
    try {
      if (roll < 0.45) {
        const bytes = await view.get(key);
        if (bytes !== undefined && !isValueOf(key, bytes)) counts.wrong += 1;
      } else if (roll < 0.85) {
        await view.set(key, valueFor(key, writer, sequence++));
      } else if (roll < 0.95) {
        await view.delete(key);
      } else {
        const bytes = await view.getOrSet(key, () => valueFor(key, writer, sequence++));
        if (!isValueOf(key, bytes)) counts.wrong += 1;
      }
    } catch (error) {
      if (error instanceof StrataError && EXPECTED.has(error.code)) counts.expected += 1;
      else counts.unexpected.push(String(error?.stack ?? error));
    }
    counts.ops += 1;
  }
  await Promise.all([through.close(), back.close()]);
  return counts;
}

if (!isMainThread) {
  parentPort.postMessage(await work(workerData));
} else if (process.env.SOAK_CHILD) {
  // A process: a worker loop on its main thread, and threads that come and go (terminated mid-operation).
  const { root, threads, terminate } = JSON.parse(process.env.SOAK_CHILD);
  const me = `p${process.pid}`;
  const totals = { ops: 0, wrong: 0, expected: 0, unexpected: [], terminated: 0 };
  const add = (counts) => {
    totals.ops += counts.ops;
    totals.wrong += counts.wrong;
    totals.expected += counts.expected;
    totals.unexpected.push(...counts.unexpected);
  };
  let stopping = false;
  process.on('message', (message) => message === 'stop' && (stopping = true));
  const thread = async (index) => {
    while (!stopping) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { root, writer: `${me}t${index}` } });
      const done = new Promise((resolve) => {
        worker.once('message', (counts) => resolve(add(counts)));
        worker.once('error', (error) => resolve(totals.unexpected.push(String(error?.stack ?? error))));
        worker.once('exit', resolve);
      });
      // Most threads are terminated with operations in flight; the rest are asked to stop and close.
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1500));
      if (terminate && Math.random() < 0.7) {
        totals.terminated += 1;
        await worker.terminate();
      } else {
        worker.postMessage('stop');
      }
      await done;
    }
  };
  const running = [work({ root, writer: me }).then(add), ...Array.from({ length: threads }, (_, i) => thread(i))];
  await Promise.all(running);
  process.send({ ...totals, unexpected: totals.unexpected.slice(0, 10) }, () => process.exit(0));
} else {
  await soak();
}

// ---- the conductor -----------------------------------------------------------------------------------------------

function mountTmpfs(folder) {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', folder], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function soak() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      processes: { type: 'string', default: '4' },
      threads: { type: 'string', default: '2' },
      faults: { type: 'string', default: 'kill,terminate,full' },
    },
  });
  const seconds = Number(values.seconds);
  const faults = new Set(values.faults.split(','));
  const root = mkdtempSync(join(tmpdir(), 'stratacache-soak-'));
  const onTmpfs = faults.has('full') && mountTmpfs(root);
  const log = (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const started = performance.now();
  const totals = { ops: 0, wrong: 0, expected: 0, unexpected: [], terminated: 0, killed: 0, crashed: 0, diskFull: 0 };
  const children = new Set();

  const spawnChild = () => {
    const child = fork(new URL(import.meta.url), [], {
      env: { ...process.env, SOAK_CHILD: JSON.stringify({ root, threads: Number(values.threads), terminate: faults.has('terminate') }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.on('message', (counts) => {
      for (const field of ['ops', 'wrong', 'expected', 'terminated']) totals[field] += counts[field];
      totals.unexpected.push(...counts.unexpected);
    });
    child.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (signal !== 'SIGKILL' && code !== 0) {
          totals.crashed += 1;
          log(`process ${child.pid} died: code ${code}, signal ${signal}`);
        }
        resolve();
      }),
    );
    return child;
  };

  log(`soak for ${seconds} s: ${values.processes} processes × (1 + ${values.threads} threads), faults ${[...faults].join(', ')}, folders on ${onTmpfs ? `a ${TMPFS_BYTES >> 20} MiB tmpfs` : 'a temp folder'}`);
  for (let i = 0; i < Number(values.processes); i++) spawnChild();
  const deadline = started + seconds * 1000;
  const filler = join(root, 'filler');
  while (performance.now() < deadline - 2000) {
    await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 2000));
    const roll = Math.random();
    if (roll < 0.5 && faults.has('kill')) {
      const victim = [...children][Math.floor(Math.random() * children.size)];
      victim.kill('SIGKILL');
      totals.killed += 1;
      await victim.exited;
      spawnChild();
    } else if (roll < 0.7 && onTmpfs) {
      // Fill the disk for a moment: writes fail with ERR_QUOTA, reads go on.
      try {
        writeFileSync(filler, Buffer.alloc(TMPFS_BYTES));
      } catch {
        totals.diskFull += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 800));
      rmSync(filler, { force: true });
    }
  }
  for (const child of children) child.send('stop');
  await Promise.all([...children].map((child) => child.exited));
  log(`stopped: ${totals.ops} operations, ${totals.killed} processes killed, ${totals.terminated} threads terminated, ${totals.diskFull} full-disk phases`);

  // ---- the checks ----
  const findings = [];
  if (totals.wrong > 0) findings.push(`${totals.wrong} reads returned bytes that no writer wrote for the key`);
  if (totals.crashed > 0) findings.push(`${totals.crashed} processes died on their own`);
  if (totals.unexpected.length > 0) findings.push(`${totals.unexpected.length} unexpected errors, first: ${totals.unexpected[0]}`);
  const [through, back] = await openCaches(root);
  let read = 0;
  for (const [name, cache] of [['through', through], ['back', back]]) {
    const report = await cache.verify();
    log(`verify ${name}: ${JSON.stringify(report)}`);
    if (report.removedEntries > 0) findings.push(`verify(${name}) removed ${report.removedEntries} damaged entries`);
    for (let i = 0; i < KEYS; i++) {
      for (const view of [cache, cache.namespace('bulky')]) {
        const bytes = await view.get(`k${i}`);
        if (bytes === undefined) continue;
        read += 1;
        if (!isValueOf(`k${i}`, bytes)) findings.push(`${name} k${i} holds bytes no writer wrote for it`);
      }
    }
    const tier = cache.stats().tiers.find((t) => t.name === 'disk');
    log(`${name} disk tier: ${tier.entries} entries, ${tier.bytes} bytes of ${DISK_LIMIT}`);
    if (tier.bytes > DISK_LIMIT) findings.push(`${name} disk tier holds ${tier.bytes} bytes, over its ${DISK_LIMIT}`);
  }
  await Promise.all([through.close(), back.close()]);
  log(`read back ${read} values; ${totals.expected} expected errors (ERR_QUOTA and the like)`);
  if (onTmpfs) execFileSync('umount', [root]);
  rmSync(root, { recursive: true, force: true });
  for (const finding of findings) log(`FINDING: ${finding}`);
  log(findings.length === 0 ? 'soak: no findings' : `soak: ${findings.length} findings`);
  process.exit(findings.length === 0 ? 0 : 1);
}
