/**
 * The live board's data, pure: the AlarmView of the API (`GET /api/v1/alarms/{id}`, also sent by
 * `GET /api/v1/alarms/events`), folding the event stream into the board, and what the board
 * derives from an alarm (next escalation, elapsed time, priority band). No DOM, no clock: the
 * caller passes `now`.
 */

export interface RecipientView {
  readonly notificationId: string;
  readonly recipient: string;
  readonly group: string | null;
  readonly round: number;
  readonly channel: string;
  readonly status: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  readonly respondedAt: string | null;
  readonly response: string | null;
}

export interface AlarmView {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  readonly text: string;
  readonly location: string | null;
  readonly source: { readonly adapter: string; readonly device?: string };
  readonly environment: string;
  readonly status: 'active' | 'ended';
  readonly state: unknown;
  readonly plan: string;
  readonly seq: number;
  readonly raisedAt: string;
  readonly updatedAt: string | null;
  readonly endedAt: string | null;
  readonly recipients: readonly RecipientView[];
  readonly pendingTimers: readonly { readonly id: string; readonly event: string; readonly dueAt: string | null }[];
}

export interface Board {
  /** Active alarms by id. */
  readonly active: ReadonlyMap<string, AlarmView>;
  /** Alarms that ended while the board was open, newest first, at most RECENT_MAX. */
  readonly recent: readonly AlarmView[];
}

/** The adapters the board names in words; any other is shown by its own name. */
export const KNOWN_SOURCES = ['http', 'dect', 'espa444', 'espax', 'supervision', 'forward', 'simulation'] as const;
export type KnownSource = (typeof KNOWN_SOURCES)[number];

/**
 * Where an alarm came from, for the card: a known adapter (its message key `source.<adapter>`)
 * with the device (handset number, link/address, the alarm it was forwarded from), or an unknown
 * adapter by name.
 */
export function sourceOf(source: AlarmView['source']): {
  readonly known?: KnownSource;
  readonly adapter: string;
  readonly device: string;
} {
  const device = source.device ?? '';
  const known = (KNOWN_SOURCES as readonly string[]).includes(source.adapter)
    ? (source.adapter as KnownSource)
    : undefined;
  return { ...(known ? { known } : {}), adapter: source.adapter, device };
}

export const RECENT_MAX = 10;
export const emptyBoard: Board = { active: new Map(), recent: [] };

/** A snapshot replaces the active alarms (after a reconnect, too); what ended stays listed. */
export function applySnapshot(board: Board, alarms: readonly AlarmView[]): Board {
  return { active: new Map(alarms.filter((a) => a.status === 'active').map((a) => [a.id, a])), recent: board.recent };
}

/**
 * One `alarm` event: an active alarm is added or replaced, an ended one moves to `recent`.
 * An event older (lower seq) than what the board holds is ignored, so order never regresses.
 */
export function applyAlarm(board: Board, alarm: AlarmView): Board {
  const known = board.active.get(alarm.id) ?? board.recent.find((a) => a.id === alarm.id);
  if (known && known.seq > alarm.seq) return board;
  const active = new Map(board.active);
  const recent = board.recent.filter((a) => a.id !== alarm.id);
  if (alarm.status === 'active') {
    active.set(alarm.id, alarm);
    return { active, recent };
  }
  active.delete(alarm.id);
  return { active, recent: [alarm, ...recent].slice(0, RECENT_MAX) };
}

/** Active alarms, most urgent first (priority 1 before 9; 0 is "unset" and sorts last), then oldest first. */
export function sortedAlarms(board: Board): AlarmView[] {
  const rank = (p: number) => (p === 0 ? 10 : p);
  return [...board.active.values()].sort(
    (a, b) => rank(a.priority) - rank(b.priority) || Date.parse(a.raisedAt) - Date.parse(b.raisedAt),
  );
}

/** The priority band for colour and text: 1–2 critical, 3–4 high, 5–6 medium, else low. */
export type PriorityBand = 'critical' | 'high' | 'medium' | 'low';
export function priorityBand(priority: number): PriorityBand {
  if (priority >= 1 && priority <= 2) return 'critical';
  if (priority >= 3 && priority <= 4) return 'high';
  if (priority >= 5 && priority <= 6) return 'medium';
  return 'low';
}

/** Epoch ms of the earliest pending timer (the next escalation step), if any. */
export function nextEscalation(alarm: AlarmView): number | undefined {
  const due = alarm.pendingTimers.flatMap((t) => (t.dueAt === null ? [] : [Date.parse(t.dueAt)]));
  return due.length === 0 ? undefined : Math.min(...due);
}

/** `ms` as `h:mm:ss` or `m:ss` (negative counts as 0). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The state value as one readable path: `levelA`, `active.levelB`, `a, b` for parallel states. */
export function stateLabel(state: unknown): string {
  if (typeof state === 'string') return state;
  if (state !== null && typeof state === 'object') {
    return Object.entries(state as Record<string, unknown>)
      .map(([k, v]) => {
        const inner = stateLabel(v);
        return inner === '' ? k : `${k}.${inner}`;
      })
      .join(', ');
  }
  return '';
}

/** What a recipient's row says: the response when there is one, else the delivery status. */
export type RecipientPhase = 'accepted' | 'rejected' | 'delivered' | 'sent' | 'failed' | 'withdrawn' | 'pending';
export function recipientPhase(r: RecipientView): RecipientPhase {
  if (r.response === 'accept') return 'accepted';
  if (r.response === 'reject') return 'rejected';
  switch (r.status) {
    case 'accepted':
    case 'rejected':
      return r.status;
    case 'failed':
      return 'failed';
    case 'withdrawn':
      return 'withdrawn';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'sent':
      return 'sent';
    default:
      return r.deliveredAt ? 'delivered' : r.sentAt ? 'sent' : 'pending';
  }
}
