/**
 * The ESPA 4.4.4 link procedure (protocols.md §2.3) as a pure state machine, for both roles:
 * state + input → state + outputs. No IO and no clock: the transport feeds the scanner's
 * tokens, connection changes, timer expiries, blocks to send and the adapter's verdict on a
 * received block; it carries out the outputs (write bytes, set or clear a timer, hand a block
 * up, report a block sent or failed, supervision).
 *
 * Control Station (`role: 'control'`, the master):
 *   idle ─poll timer→ polling: EOT <peer> ENQ ─EOT→ idle (nothing to send)
 *                                            └<own> ENQ→ ACK, receiving (the peer selected us)
 *   idle ─block queued→ selecting: EOT <own> ENQ <peer> ENQ ─ACK→ sending ─ACK→ next block | EOT, idle
 *                                   (polls itself, then selects)            └NAK / timeout→ resend
 * Paging station (`role: 'paging'`, the slave):
 *   idle ─EOT <own> ENQ (poll)→ EOT (nothing to send) | <peer> ENQ, selecting ─ACK→ sending …
 *   idle ─<own> ENQ (select; an ENQ not right after EOT)→ ACK, receiving
 * Either role, receiving: a block → `received` and deciding; the adapter's verdict comes
 * back as `decision` (with the block's `rx`): accepted → ACK, busy → '2'NAK, invalid →
 * '3'NAK. A block failing its BCC → '1'NAK; a block that cannot be read → '3'NAK; EOT →
 * idle. A block is never ACKed before the adapter accepted it. The paging role also takes a
 * block that arrives without a select (lenient: an alarm must not be lost to a sloppy peer).
 *
 * A block we send is retried after a NAK, a timeout or a refused select until it has failed
 * `retries + 1` times; then it is reported failed and the next one goes. `repeated-naks` is
 * reported when `repeatedNaks` NAKs in a row answered our blocks. Link supervision: `link-up`
 * on the first valid traffic after a connect or a silence, `link-down` once per outage (the
 * connection lost, or no valid traffic for `trafficTimeoutMs`); queued blocks then fail. The
 * traffic timer also ends a transfer the peer abandoned (the control station sends EOT to
 * regain control; the paging station goes back to idle).
 *
 * The configuration, state, inputs and outputs are in espa444-link-types.ts.
 */
import { ACK, ENQ, EOT, NAK } from './espa444-codec.ts';
import type { Token } from './espa444-scanner.ts';
import type {
  LinkConfig,
  LinkInput,
  LinkOutput,
  LinkState,
  LinkStep,
  LinkTimer,
  WriteWhat,
} from './espa444-link-types.ts';

const ch = (s: string) => s.charCodeAt(0);
const write = (what: WriteWhat, ...bytes: number[]): LinkOutput => ({
  kind: 'write',
  what,
  bytes: Uint8Array.from(bytes),
});
export const NAK_REASONS: Readonly<Record<string, string>> = {
  '1': 'transmission error',
  '2': 'busy',
  '3': 'invalid message',
};

/** A step under construction: the state so far and the outputs in order. */
class Step {
  readonly out: LinkOutput[] = [];
  constructor(
    public s: LinkState,
    readonly c: LinkConfig,
  ) {}
  set(p: Partial<LinkState>): this {
    this.s = { ...this.s, ...p };
    return this;
  }
  emit(...o: LinkOutput[]): this {
    this.out.push(...o);
    return this;
  }
  timer(timer: LinkTimer, ms: number): this {
    return this.emit({ kind: 'set-timer', timer, ms });
  }
  clear(timer: LinkTimer): this {
    return this.emit({ kind: 'clear-timer', timer });
  }
  log(level: 'info' | 'warn', msg: string): this {
    return this.emit({ kind: 'log', level, msg });
  }
  done(): LinkStep {
    return { state: this.s, outputs: this.out };
  }
}

/** Back to idle; the control station polls again after the interval, or selects at once when it has blocks. */
function toIdle(t: Step): Step {
  t.clear('reply').set({ phase: 'idle' });
  if (t.c.role !== 'control') return t;
  return t.s.outbox.length > 0 ? select(t) : t.timer('poll', t.c.pollIntervalMs);
}

/** Control station: poll itself and select the peer (protocols.md L2). */
function select(t: Step): Step {
  const { ownAddress: own, peerAddress: peer } = t.c;
  return t
    .clear('poll')
    .set({ phase: 'selecting' })
    .emit(write('select', EOT, ch(own), ENQ, ch(peer), ENQ))
    .timer('reply', t.c.ackTimeoutMs);
}

function sendHead(t: Step): Step {
  const head = t.s.outbox[0]!;
  return t
    .set({ phase: 'sending' })
    .emit(write('block', ...head.bytes))
    .timer('reply', t.c.ackTimeoutMs);
}

/** After a transfer: the next block in the same transaction, or EOT and idle. */
function nextOrEnd(t: Step): Step {
  if (t.s.outbox.length > 0 && t.s.phase === 'sending') return sendHead(t);
  return toIdle(t.emit(write('eot', EOT)));
}

/** One failed try of the head block; past the retries it fails and is dropped. Returns whether it may go again. */
function failTry(t: Step, why: string): boolean {
  const head = t.s.outbox[0];
  if (!head) return false;
  const tries = t.s.tries + 1;
  if (tries <= t.c.retries) {
    t.set({ tries }).log('warn', `block ${head.id}: ${why}, try ${tries + 1} of ${t.c.retries + 1}`);
    return true;
  }
  t.set({ tries: 0, outbox: t.s.outbox.slice(1) }).emit({
    kind: 'send-failed',
    id: head.id,
    reason: `${why} (${tries} tries)`,
  });
  return false;
}

function failAll(t: Step, reason: string): Step {
  for (const b of t.s.outbox) t.emit({ kind: 'send-failed', id: b.id, reason });
  return t.set({ outbox: [], tries: 0 });
}

function down(t: Step, detail: string): Step {
  if (!t.s.downReported) t.emit({ kind: 'supervision', event: 'link-down', detail });
  return t.set({ up: false, downReported: true });
}

/** A block (good, bad or unreadable) while blocks are expected. */
function receive(t: Step, token: Token): Step {
  switch (token.type) {
    case 'block': {
      const rx = t.s.rx + 1;
      return t.set({ phase: 'deciding', rx }).emit({ kind: 'received', rx, block: token.block });
    }
    case 'bad-block':
      return t
        .set({ phase: 'receiving' })
        .log('warn', `a bad block: ${token.reason}`)
        .emit(write('nak', ch('1'), NAK));
    case 'invalid-block':
      return t
        .set({ phase: 'receiving' })
        .log('warn', `an unreadable block: ${token.reason}`)
        .emit(write('nak', ch('3'), NAK));
    case 'overflow':
      return t
        .set({ phase: 'receiving' })
        .log('warn', `a block of more than ${token.bytes} bytes`)
        .emit(write('nak', ch('3'), NAK));
    default:
      return t;
  }
}

const isBlockish = (k: Token['type']) =>
  k === 'block' || k === 'bad-block' || k === 'invalid-block' || k === 'overflow';

function onToken(t: Step, token: Token): Step {
  const { c } = t;
  if (token.type === 'garbage') return t.log('warn', `${token.count} stray byte(s) skipped`);
  if (token.type !== 'overflow') {
    t.timer('traffic', c.trafficTimeoutMs);
    if (!t.s.up)
      t.set({ up: true, downReported: false }).emit({
        kind: 'supervision',
        event: 'link-up',
        detail: 'the peer answers',
      });
  }
  const sawEot = t.s.sawEot;
  t.set({ sawEot: token.type === 'eot' });
  switch (t.s.phase) {
    case 'offline':
      return t;
    case 'polling':
      if (token.type === 'eot') return toIdle(t);
      if (token.type === 'enq' && token.address === c.ownAddress)
        return t.clear('reply').set({ phase: 'receiving' }).emit(write('ack', ACK));
      if (token.type === 'enq') return toIdle(t.emit(write('eot', EOT)));
      return t.log('warn', `an unexpected ${token.type} while polling`);
    case 'selecting':
      if (token.type === 'ack') return sendHead(t.clear('reply'));
      if (token.type === 'nak' || token.type === 'eot') {
        const why = `select refused (${token.type === 'nak' ? `${token.prefix ?? ''}NAK` : 'EOT'})`;
        failTry(t, why);
        return toIdle(token.type === 'eot' ? t : t.emit(write('eot', EOT)));
      }
      if (c.role === 'paging' && token.type === 'enq')
        return onToken(t.clear('reply').set({ phase: 'idle', sawEot }), token);
      return t.log('warn', `an unexpected ${token.type} while selecting`);
    case 'sending': {
      const head = t.s.outbox[0];
      if (!head) return toIdle(t);
      if (token.type === 'ack') {
        t.clear('reply')
          .set({ outbox: t.s.outbox.slice(1), tries: 0, naks: 0 })
          .emit({ kind: 'sent', id: head.id });
        return nextOrEnd(t);
      }
      if (token.type === 'nak') {
        const naks = t.s.naks + 1;
        t.set({ naks });
        if (naks === c.repeatedNaks)
          t.emit({ kind: 'supervision', event: 'repeated-naks', detail: `${naks} NAKs in a row on our blocks` });
        const why = `${token.prefix ?? ''}NAK${token.prefix ? ` (${NAK_REASONS[token.prefix] ?? 'unknown reason'})` : ''}`;
        t.clear('reply');
        return failTry(t, why) ? sendHead(t) : nextOrEnd(t);
      }
      if (token.type === 'eot') {
        failTry(t, 'the peer ended the transfer (EOT)');
        return toIdle(t);
      }
      return t.log('warn', `an unexpected ${token.type} while waiting for ACK`);
    }
    case 'deciding':
      if (token.type === 'eot')
        return toIdle(t.log('warn', 'EOT before the block was recorded: it is not acknowledged'));
      return t.log('warn', `a ${token.type} while the last block is being recorded: ignored`);
    case 'receiving':
      if (token.type === 'eot') return toIdle(t);
      if (isBlockish(token.type)) return receive(t, token);
      return t.log('warn', `an unexpected ${token.type} while receiving`);
    case 'idle':
      if (c.role === 'control') {
        if (isBlockish(token.type)) return t.log('warn', `a block without a select: ignored`);
        return token.type === 'eot' ? t : t.log('warn', `an unexpected ${token.type} while idle`);
      }
      if (token.type === 'enq') {
        if (token.address !== c.ownAddress) return t; // another station polled or selected
        if (!sawEot) return t.set({ phase: 'receiving' }).emit(write('ack', ACK)); // selected
        if (t.s.outbox.length === 0) return t.emit(write('eot', EOT)); // polled, nothing to send
        return t
          .set({ phase: 'selecting' })
          .emit(write('select', ch(c.peerAddress), ENQ))
          .timer('reply', c.ackTimeoutMs);
      }
      if (isBlockish(token.type)) return receive(t.log('info', 'a block without a select: taken'), token);
      return t;
  }
}

function onTimer(t: Step, timer: LinkTimer): Step {
  const { phase } = t.s;
  if (phase === 'offline') return t;
  switch (timer) {
    case 'poll':
      if (phase !== 'idle' || t.c.role !== 'control') return t;
      if (t.s.outbox.length > 0) return select(t);
      return t
        .set({ phase: 'polling' })
        .emit(write('poll', EOT, ch(t.c.peerAddress), ENQ))
        .timer('reply', t.c.ackTimeoutMs);
    case 'reply':
      if (phase === 'polling') return toIdle(t.log('warn', 'no answer to a poll'));
      if (phase === 'selecting') {
        failTry(t, 'no answer to a select');
        return toIdle(t.emit(write('eot', EOT)));
      }
      if (phase === 'sending') return failTry(t, `no ACK within ${t.c.ackTimeoutMs} ms`) ? sendHead(t) : nextOrEnd(t);
      return t;
    case 'traffic': {
      const detail = `no valid traffic for ${t.c.trafficTimeoutMs} ms`;
      if (phase !== 'idle') {
        t.log('warn', `${detail}: the transfer is given up`).clear('reply');
        if (t.c.role === 'control') t.emit(write('eot', EOT));
        t.set({ phase: 'idle' });
        if (t.c.role === 'control') t.timer('poll', t.c.pollIntervalMs);
      }
      return failAll(down(t, detail), `the link is down: ${detail}`);
    }
  }
}

/** One input → the next state and the outputs. Pure and total: an input that does not apply is ignored or logged. */
export function linkStep(s: LinkState, input: LinkInput, c: LinkConfig): LinkStep {
  const t = new Step(s, c);
  switch (input.type) {
    case 'connected':
      if (s.phase !== 'offline') return t.done();
      t.set({ phase: 'idle', sawEot: false, tries: 0, naks: 0 }).timer('traffic', c.trafficTimeoutMs);
      if (c.role === 'control') onTimer(t, 'poll');
      return t.done();
    case 'disconnected':
      if (s.phase === 'offline') return down(t, input.reason).done();
      for (const timer of ['poll', 'reply', 'traffic'] as const) t.clear(timer);
      return failAll(
        down(t.set({ phase: 'offline', sawEot: false }), input.reason),
        `the connection was lost: ${input.reason}`,
      ).done();
    case 'token':
      return onToken(t, input.token).done();
    case 'timer':
      return onTimer(t, input.timer).done();
    case 'enqueue': {
      if (s.phase === 'offline' || (s.downReported && !s.up))
        return t.emit({ kind: 'send-failed', id: input.id, reason: 'the link is down' }).done();
      t.set({ outbox: [...s.outbox, { id: input.id, bytes: input.bytes }] });
      if (c.role === 'control' && s.phase === 'idle') select(t);
      return t.done();
    }
    case 'decision': {
      if (s.phase !== 'deciding' || input.rx !== s.rx) return t.done();
      t.set({ phase: 'receiving' });
      if (input.decision === 'accepted') return t.emit(write('ack', ACK)).done();
      return t.emit(write('nak', ch(input.decision === 'busy' ? '2' : '3'), NAK)).done();
    }
  }
}
