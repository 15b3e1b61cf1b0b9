/**
 * The measurements' parameters (full and `--quick`), and figures 1 and 2 (throughput, raise
 * and commit latency; first-send latency through the runtime and over HTTP). Every loop is
 * bounded in count AND in time, and stops by itself (loops.ts). Each function fills cells (row
 * key → printed value) for one mode's column; figures 3 and 4 are in timers-figure.ts.
 */
import { Agent, request } from 'node:http';
import type { Config } from '../src/app/config.ts';
import { startStack, type Stack, LONG_TYPE } from './modes.ts';
import { bounded, fmtInt, fmtMs, fmtP50P99, summarize } from './stats.ts';
import { fsyncCounter } from './fsync-counter.ts';
import { StallMonitor } from './stall-monitor.ts';
import { ACTOR, closedLoop, cutNote, newId, openLoop, raiseReq, waitFor } from './loops.ts';

export interface Params {
  readonly quick: boolean;
  readonly raiseN: number;
  readonly raiseConcurrency: number;
  readonly raiseCapMs: number;
  readonly rate: number;
  readonly rateDurationMs: number;
  readonly drainCapMs: number;
  readonly pendingN: number;
  readonly pendingCapMs: number;
  readonly shortN: number;
  readonly shortSpreadMs: number;
}

export const fullParams: Params = {
  quick: false,
  raiseN: 2000,
  raiseConcurrency: 32,
  raiseCapMs: 30_000,
  rate: 50,
  rateDurationMs: 15_000,
  drainCapMs: 20_000,
  pendingN: 10_000,
  pendingCapMs: 95_000,
  shortN: 300,
  shortSpreadMs: 6000,
};

export const quickParams: Params = {
  ...fullParams,
  quick: true,
  raiseN: 200,
  raiseCapMs: 15_000,
  rateDurationMs: 1_500,
  drainCapMs: 10_000,
  pendingN: 1000,
  pendingCapMs: 30_000,
  shortN: 30,
  shortSpreadMs: 1500,
};

export type Cells = Map<string, string>;

/** Figures 1 and 2 on one fresh stack. */
export async function throughputAndLatency(config: Config, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const stack = await startStack(config);
  try {
    await figure1(stack, p, cells);
    await figure2Runtime(stack, p, cells, notes);
    await figure2Http(stack, p, cells, notes);
  } finally {
    await bounded(stack.tocsin.stop(), 60_000, 'stop');
  }
}

async function figure1(stack: Stack, p: Params, cells: Cells): Promise<void> {
  const { runtime } = stack.tocsin;
  const lat: number[] = [];
  stack.commits.length = 0;
  const fs0 = fsyncCounter.snapshot();
  const stalls = new StallMonitor();
  stalls.start();
  const r = await closedLoop(p.raiseN, p.raiseConcurrency, p.raiseCapMs, async (i) => {
    const t0 = performance.now();
    await runtime.raise(raiseReq(LONG_TYPE, newId(`f1x${i}`)), ACTOR);
    lat.push(performance.now() - t0);
  });
  const st = stalls.stop();
  const fs = fsyncCounter.since(fs0);
  const commits = [...stack.commits];
  cells.set('f1.rate', `${fmtInt(r.done / (r.elapsedMs / 1000))} /s${cutNote(r, p.raiseN)}`);
  cells.set('f1.raise', fmtP50P99(lat));
  cells.set('f1.commit', fmtP50P99(commits));
  cells.set(
    'f1.eld',
    `${fmtMs(st.maxMs)} ms longest; ${(st.stalledShare * 100).toFixed(0)}% of the time in stalls > 20 ms`,
  );
  cells.set(
    'f1.fsync',
    fs.calls === 0
      ? 'none'
      : `${(fs.calls / Math.max(1, commits.length)).toFixed(2)} /commit, ${fmtMs(fs.p50)} / ${fmtMs(fs.p99)} ms, ${fmtMs(fs.totalMs)} ms total`,
  );
}

async function figure2Runtime(stack: Stack, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const { runtime } = stack.tocsin;
  const n = stack.notifier;
  n.reset();
  let errors = 0;
  let firstError: string | undefined;
  const offered = await openLoop(p.rate, p.rateDurationMs, (i, intended) => {
    const id = newId(`f2r${i}`);
    n.expect(id, performance.now(), intended);
    runtime.raise(raiseReq(LONG_TYPE, id), ACTOR).catch((err: unknown) => {
      errors++;
      firstError ??= (err as Error).message;
      n.unexpect(id);
    });
  });
  const complete = await waitFor(() => n.outstanding === 0, p.drainCapMs);
  await bounded(runtime.drain(), p.drainCapMs, 'drain after figure 2 (runtime)');
  cells.set('f2r.lat', latencyCell(n.fromIssue, offered.issued, complete, errors, firstError));
  cells.set('f2r.co', `${fmtMs(summarize(n.fromIntended).p99)} (sender lag p99 ${fmtMs(offered.lagP99)})`);
  if (!complete)
    notes.push(
      `figure 2 (runtime): ${n.outstanding} alarms had no first send within ${p.drainCapMs / 1000} s after the last raise`,
    );
  n.reset();
}

async function figure2Http(stack: Stack, p: Params, cells: Cells, notes: string[]): Promise<void> {
  const { port } = await stack.tocsin.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const n = stack.notifier;
  n.reset();
  let errors = 0;
  let firstError: string | undefined;
  const statuses = new Map<number, number>();
  const post = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/alarms',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${stack.token}`,
          },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('HTTP request timed out after 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  try {
    // Warm-up: the first request pays for connection set-up and lazy route compilation.
    await post(JSON.stringify({ type: LONG_TYPE, text: 'warm-up', id: newId('f2hw') }));
    const offered = await openLoop(p.rate, p.rateDurationMs, (i, intended) => {
      const id = newId(`f2h${i}`);
      n.expect(id, performance.now(), intended);
      post(
        JSON.stringify({
          type: LONG_TYPE,
          text: 'benchmark alarm',
          location: 'deck 7',
          source: { adapter: 'bench' },
          id,
        }),
      )
        .then((status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 201) {
            errors++;
            firstError ??= `HTTP ${status}`;
            n.unexpect(id);
          }
        })
        .catch((err: unknown) => {
          errors++;
          firstError ??= (err as Error).message;
          n.unexpect(id);
        });
    });
    const complete = await waitFor(() => n.outstanding === 0, p.drainCapMs);
    await bounded(stack.tocsin.runtime.drain(), p.drainCapMs, 'drain after figure 2 (HTTP)');
    cells.set('f2h.lat', latencyCell(n.fromIssue, offered.issued, complete, errors, firstError));
    cells.set('f2h.co', `${fmtMs(summarize(n.fromIntended).p99)} (sender lag p99 ${fmtMs(offered.lagP99)})`);
    if (!complete)
      notes.push(
        `figure 2 (HTTP): ${n.outstanding} alarms had no first send within ${p.drainCapMs / 1000} s after the last request`,
      );
  } finally {
    agent.destroy();
    n.reset();
  }
}

function latencyCell(
  samples: readonly number[],
  issued: number,
  complete: boolean,
  errors: number,
  firstError?: string,
): string {
  const s = summarize(samples);
  let out = `${fmtMs(s.p50)} / ${fmtMs(s.p99)} / ${fmtMs(s.max)}`;
  if (s.n !== issued) out += ` (n=${s.n}/${issued})`;
  if (!complete) out += ' [bound hit]';
  if (errors) out += ` [${errors} errors, first: ${firstError}]`;
  return out;
}
