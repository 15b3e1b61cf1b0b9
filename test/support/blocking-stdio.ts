/**
 * Preloaded into every test process by test/run.ts (`--import`): makes stdout and stderr blocking
 * when they are pipes.
 *
 * Under `--test` each test file runs in a child that streams its results to the runner over its
 * stdout, a pipe. On Linux pipe writes are asynchronous, and `--test-force-exit` calls
 * `process.exit()` as soon as the last test has finished: the frames still queued are lost. The
 * runner then reports fewer tests than ran, with exit code 0, and a failing test among the lost
 * ones shows only as its file failing, without name or error (nodejs/node#64833, open). Blocking
 * writes leave nothing queued at exit. Node itself does the same for a TTY before it exits.
 */
type Handle = { setBlocking?: (blocking: boolean) => number };

for (const stream of [process.stdout, process.stderr]) {
  const handle = (stream as unknown as { _handle?: Handle })._handle;
  handle?.setBlocking?.(true);
}
