// The `tocsin` command (bin/tocsin.js → src/app/cli.ts) as a real child process, one case per
// row (a comment on each): help texts, usage errors (exit 2) and a refused configuration that
// must stop `start` before anything starts. None of these opens a port or a database; the
// environment is scrubbed of TOCSIN_* and points the data directory at a path that must stay
// absent, so a regression that did start something is seen rather than harmful.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { root, runTocsinAsync } from '../support/cli.ts';

const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const scratch = mkdtempSync(join(tmpdir(), 'tocsin-cli-'));
const dataDir = join(scratch, 'data');
after(() => rmSync(scratch, { recursive: true, force: true }));
const unknownPlanConfig = join(scratch, 'unknown-plan.json');
writeFileSync(
  unknownPlanConfig,
  JSON.stringify({ groups: { A: ['ann'] }, alarmTypes: [{ id: 'fire', name: 'Fire', priority: 1, plan: 'nosuch@1' }] }),
);

const danglingConfig = join(scratch, 'dangling.json');
writeFileSync(
  danglingConfig,
  JSON.stringify({
    groups: { A: { members: [{ kind: 'contact', id: 'nobody' }], fallback: 'Z' } },
    alarmTypes: [{ id: 'x', name: 'X', priority: 1, profile: 'p' }],
  }),
);

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly code: number;
  /** Expected on stdout (each must match); stdout must be empty when absent. */
  readonly stdout?: readonly RegExp[];
  /** Expected on stderr; stderr must be empty when absent. */
  readonly stderr?: readonly RegExp[];
}

const MAIN = /^tocsin — an open, on-premise alarm server\n\nUsage: tocsin <command> \[--help\]/m;
const ENV = /TOCSIN_HTTP_HOST {14}HTTP bind address/;

const cases: readonly Case[] = [
  // No command at all: the main help, success.
  {
    name: 'no arguments',
    args: [],
    code: 0,
    stdout: [MAIN, /start {5}run the server/, /migrate {3}bring/, /audit {5}verify the access log/, ENV],
  },
  // --help and -h: the same.
  { name: '--help', args: ['--help'], code: 0, stdout: [MAIN, ENV] },
  { name: '-h', args: ['-h'], code: 0, stdout: [MAIN] },
  // `help` alone and `help <command>`.
  { name: 'help', args: ['help'], code: 0, stdout: [MAIN] },
  {
    name: 'help start',
    args: ['help', 'start'],
    code: 0,
    stdout: [/^Usage: tocsin start\n/, /SIGINT or SIGTERM/, ENV],
  },
  { name: 'help migrate', args: ['help', 'migrate'], code: 0, stdout: [/^Usage: tocsin migrate\n/] },
  // `<command> --help` answers with that command's help and does not run it.
  { name: 'start --help', args: ['start', '--help'], code: 0, stdout: [/^Usage: tocsin start\n/, ENV] },
  { name: 'start -h', args: ['start', '-h'], code: 0, stdout: [/^Usage: tocsin start\n/] },
  { name: 'migrate --help', args: ['migrate', '--help'], code: 0, stdout: [/^Usage: tocsin migrate\n/, /take a lock/] },
  // The version, as in package.json.
  {
    name: '--version',
    args: ['--version'],
    code: 0,
    stdout: [new RegExp(`^tocsin ${version.replace(/\./g, '\\.')}\\n$`)],
  },
  // An unknown command: usage error, named, with the main help on stderr.
  {
    name: 'unknown command',
    args: ['frobnicate'],
    code: 2,
    stderr: [/^tocsin: unknown command 'frobnicate'\n\n/, MAIN],
  },
  // `main` is the help table's internal key, not a command.
  { name: "the help key 'main' is not a command", args: ['main'], code: 2, stderr: [/unknown command 'main'/] },
  // Help for an unknown command: usage error.
  { name: 'help for an unknown command', args: ['help', 'frobnicate'], code: 2, stderr: [/Usage: tocsin <command>/] },
  // An unknown option: usage error naming it, with the command's help.
  {
    name: 'unknown option',
    args: ['start', '--bogus'],
    code: 2,
    stderr: [/^tocsin start: Unknown option '--bogus'/, /Usage: tocsin start/],
  },
  // An unexpected positional argument: usage error.
  { name: 'unexpected argument', args: ['migrate', 'now'], code: 2, stderr: [/^tocsin migrate: .*'now'/] },
  // A refused configuration: exit 2 with the reason; nothing starts (no output, no data directory).
  {
    name: 'start with a non-loopback host and TLS off',
    args: ['start'],
    env: { TOCSIN_HTTP_HOST: '10.0.0.1' },
    code: 2,
    stderr: [/^tocsin: invalid configuration:\n {2}- TOCSIN_HTTP_HOST: a non-loopback address needs TOCSIN_TLS=on/],
  },
  // An alarm type pinned to a plan that was never published: refused at start, not at the first raise.
  {
    name: 'start with an alarm type whose plan does not exist',
    args: ['start'],
    env: { TOCSIN_CONFIG: unknownPlanConfig, TOCSIN_DATA_DIR: join(scratch, 'data-unknown-plan') },
    code: 2,
    stderr: [/alarm type 'fire': plan nosuch@1 does not exist/],
  },
  // Plan tools: a valid plan exits 0, an invalid one 1 with every problem, no file 2.
  {
    name: 'plan validate of the shipped plan',
    args: ['plan', 'validate', 'machines/plans/escalate.json'],
    code: 0,
    stdout: [/"ok": true/],
  },
  {
    name: 'plan validate of an invalid plan',
    args: ['plan', 'validate', 'test/fixtures/plans/valid/../../../../package.json'],
    code: 1,
    stdout: [/"ok": false/, /"pointer": "\/name"/],
  },
  { name: 'plan without a subcommand', args: ['plan'], code: 2, stderr: [/Usage: tocsin plan/] },
  {
    name: 'plan validate of a missing file',
    args: ['plan', 'validate', 'nope.json'],
    code: 2,
    stderr: [/cannot read nope.json: ENOENT/],
  },
  // The built-in generic type: 60 s per level, 3 rounds: 6 minutes and 9 notifications at worst.
  {
    name: 'plan analyse under the default alarm type',
    args: ['plan', 'analyse', 'machines/plans/escalate.json'],
    code: 0,
    stdout: [/"worstCaseLastEscalationMs": 360000/, /"maxNotificationsPerAlarm": 9/],
  },
  {
    name: 'plan simulate with a scenario',
    args: ['plan', 'simulate', 'machines/plans/escalate.json', 'test/fixtures/scenarios/accept-at-once.json'],
    code: 0,
    stdout: [/"reason": "final"/],
  },
  // `config`: help, usage, and a file checked without a database (every dangling reference named).
  { name: 'config --help', args: ['config', '--help'], code: 0, stdout: [/^Usage: tocsin config check FILE/] },
  { name: 'config without a subcommand', args: ['config'], code: 2, stderr: [/Usage: tocsin config/] },
  {
    name: 'config check of a valid file',
    args: ['config', 'check', 'test/fixtures/config-ward.json'],
    code: 0,
    stdout: [/"ok": true/, /"group": 4/],
  },
  {
    name: 'config check of a file with dangling references',
    args: ['config', 'check', danglingConfig],
    code: 1,
    stdout: [
      /"ok": false/,
      /alarmType 'x' at \/profile: unknown profile 'p'/,
      /group 'A' at \/members\/0\/id: unknown contact 'nobody'/,
      /group 'A' at \/fallback: unknown group 'Z'/,
    ],
  },
  // `audit`: help (saying nothing deletes the log), usage errors before any database is opened.
  {
    name: 'audit --help',
    args: ['audit', '--help'],
    code: 0,
    stdout: [/^Usage: tocsin audit verify \| export --format csv\|json/, /no command that\s+deletes or edits it/],
  },
  { name: 'audit without a subcommand', args: ['audit'], code: 2, stderr: [/Usage: tocsin audit/] },
  {
    name: 'audit export with an unknown format',
    args: ['audit', 'export', '--format', 'xml'],
    code: 2,
    stderr: [/^tocsin audit: --format must be csv or json/],
  },
  {
    name: 'audit export with a --from that is not ISO 8601',
    args: ['audit', 'export', '--format', 'csv', '--from', 'yesterday'],
    code: 2,
    stderr: [/--from: not an ISO 8601 date or date-time: yesterday/],
  },
  { name: 'audit delete does not exist', args: ['audit', 'delete'], code: 2, stderr: [/Usage: tocsin audit/] },
  // The same for migrate.
  {
    name: 'migrate with Redis but no database',
    args: ['migrate'],
    env: { TOCSIN_REDIS_URL: 'redis://127.0.0.1:6379' },
    code: 2,
    stderr: [/TOCSIN_REDIS_URL: cluster mode also needs TOCSIN_DATABASE_URL/],
  },
];

// Independent child processes: four at a time.
describe('tocsin CLI', { concurrency: 4 }, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runTocsinAsync(c.args, { TOCSIN_DATA_DIR: dataDir, ...c.env });
      assert.equal(r.signal, null);
      assert.equal(r.code, c.code, `stderr: ${r.stderr}`);
      for (const re of c.stdout ?? []) assert.match(r.stdout, re);
      for (const re of c.stderr ?? []) assert.match(r.stderr, re);
      if (!c.stdout) assert.equal(r.stdout, '');
      if (!c.stderr) assert.equal(r.stderr, '');
      assert.equal(existsSync(dataDir), false, 'the command created the data directory');
    });
  }
});
