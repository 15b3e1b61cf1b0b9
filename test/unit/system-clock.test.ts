// SystemClock under node:test's mocked timers and Date: no real time passes.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { SystemClock } from '../../src/scheduler/system-clock.ts';

describe('SystemClock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('fires a timer longer than setTimeout allows (2^31-1 ms) at its due time, not early', () => {
    const clock = new SystemClock();
    const due = 2 ** 31 + 10_000; // setTimeout alone would clamp this to 1 ms
    let firedAt: number | undefined;
    // Real setTimeout clamps longer delays to 1 ms (TimeoutOverflowWarning); the mocked one
    // does not, so watch the delays the clock asks for instead.
    const delays = mock.method(globalThis, 'setTimeout');
    clock.setTimer(due, () => (firedAt = clock.now()));
    mock.timers.tick(1);
    assert.equal(firedAt, undefined);
    mock.timers.tick(due - 2);
    assert.equal(firedAt, undefined);
    mock.timers.tick(1);
    assert.equal(firedAt, due);
    assert.ok(delays.mock.calls.length >= 2, 'the wait was chained');
    for (const call of delays.mock.calls) assert.ok(Number(call.arguments[1]) <= 2 ** 31 - 1);
  });

  it('never calls a cleared timer, even one already chained', () => {
    const clock = new SystemClock();
    let fired = 0;
    const handle = clock.setTimer(2 ** 32, () => fired++);
    mock.timers.tick(2 ** 31);
    clock.clearTimer(handle);
    mock.timers.tick(2 ** 32);
    assert.equal(fired, 0);
  });

  it('fires an overdue timer asynchronously, once', () => {
    const clock = new SystemClock();
    let fired = 0;
    clock.setTimer(-5, () => fired++);
    assert.equal(fired, 0);
    mock.timers.tick(0);
    mock.timers.tick(10);
    assert.equal(fired, 1);
  });
});
