// The live board's server-sent events (GET /api/v1/alarms/events, src/http/alarm-events.ts)
// over a real HTTP connection: a snapshot of the active alarms first, then every change of an
// alarm as it commits (raise, notifications sent, accepted → ended), never an alarm of another
// environment; 401 without credentials. The clock is virtual; waiting is for IO only.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SYSTEM } from '../../src/runtime/auth-service.ts';
import { startHarness, testFileConfig, type Harness } from '../support/harness.ts';

let h: Harness;
let base: string;

interface Sse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly events: { event: string; data: any }[];
  next(match: (e: { event: string; data: any }) => boolean): Promise<{ event: string; data: any }>;
  close(): void;
}

/** Opens the event stream and parses it as it arrives. */
function open(headers: Record<string, string>): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/v1/alarms/events`, { headers }, (res) => {
      const events: { event: string; data: any }[] = [];
      const waiters: { match: (e: { event: string; data: any }) => boolean; resolve: (e: any) => void }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!name || data === undefined) continue;
          const e = { event: name, data: JSON.parse(data) };
          events.push(e);
          for (const w of [...waiters])
            if (w.match(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'],
        events,
        next: (match) =>
          new Promise((r) => {
            const hit = events.find(match);
            if (hit) r(hit);
            else waiters.push({ match, resolve: r });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

before(async () => {
  h = await startHarness({
    file: {
      ...testFileConfig,
      environments: [
        { id: 'default', name: 'Default' },
        { id: 'ward-b', name: 'Ward B' },
      ],
      alarmTypes: [
        ...testFileConfig.alarmTypes,
        {
          id: 'b-call',
          name: 'Ward B call',
          priority: 3,
          plan: { id: 'escalate', version: 1 },
          params: { levelTimeoutMs: 60_000, rounds: 1 },
          environment: 'ward-b',
        },
      ],
    },
  });
  const { host, port } = await h.tocsin.listen();
  base = `http://${host}:${port}`;
});
after(async () => {
  await h.stop();
});

describe('live alarm events', () => {
  it('refuses a caller without credentials', async () => {
    const s = await open({});
    s.close();
    assert.equal(s.status, 401);
  });

  it('sends a snapshot, then each change as it commits, and nothing of environments the caller does not hold', async () => {
    const first = await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Pump 1', id: 'ev-1' });
    assert.equal(first.status, 201, first.text);
    await h.advance(0);
    // A Ward-B-only operator's token: sees ward-b alarms only.
    const u = await h.request('POST', '/api/v1/users', {
      loginName: 'wardb',
      displayName: 'Ward B operator',
      userGroup: 'operator',
      environments: ['ward-b'],
      password: 'wardb-Passphrase-77',
    });
    assert.equal(u.status, 201, u.text);
    await h.tocsin.auth.setPassword(SYSTEM, u.json.id, 'wardb-Passphrase-78', { mustChangePassword: false });
    const t = await h.tocsin.auth.issueToken(u.json.id, {
      name: 'board',
      permissions: ['operation.alarms.view'],
      environments: ['ward-b'],
    });

    const admin = await open({ authorization: `Bearer ${h.token}` });
    const wardB = await open({ authorization: `Bearer ${t.token}` });
    try {
      assert.equal(admin.status, 200);
      assert.equal(wardB.status, 200);
      assert.match(admin.contentType ?? '', /^text\/event-stream/);
      const snap = await admin.next((e) => e.event === 'snapshot');
      assert.deepEqual(
        snap.data.alarms.map((a: { id: string }) => a.id),
        ['ev-1'],
      );
      assert.deepEqual((await wardB.next((e) => e.event === 'snapshot')).data, { alarms: [] });

      await h.request('POST', '/api/v1/alarms', { type: 'generic', text: 'Pump 2', id: 'ev-2' });
      await h.request('POST', '/api/v1/alarms', { type: 'b-call', text: 'Bed 7', id: 'ev-b' });
      await h.advance(0);
      const raised = await admin.next((e) => e.event === 'alarm' && e.data.id === 'ev-2');
      assert.equal(raised.data.text, 'Pump 2');
      await admin.next((e) => e.event === 'alarm' && e.data.id === 'ev-2' && e.data.recipients.length > 0);
      await wardB.next((e) => e.event === 'alarm' && e.data.id === 'ev-b');

      await h.request('POST', '/api/v1/alarms/ev-2/responses', { response: 'accept', by: 'alice' });
      const ended = await admin.next((e) => e.event === 'alarm' && e.data.id === 'ev-2' && e.data.status === 'ended');
      assert.equal(
        ended.data.recipients.find((r: { recipient: string }) => r.recipient === 'alice').status,
        'accepted',
      );

      // The ward B operator was told about ward B only.
      await h.request('POST', '/api/v1/alarms/ev-b/cancel', { by: 'admin' });
      await wardB.next((e) => e.event === 'alarm' && e.data.id === 'ev-b' && e.data.status === 'ended');
      assert.deepEqual([...new Set(wardB.events.filter((e) => e.event === 'alarm').map((e) => e.data.id))], ['ev-b']);
    } finally {
      admin.close();
      wardB.close();
    }
  });
});
