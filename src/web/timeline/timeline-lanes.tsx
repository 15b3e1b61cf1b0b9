/**
 * The alarm timeline's lanes (timeline-page.tsx): on one time axis from the raise to the end (or
 * now), the alarm's states, each recipient's notification (sent, delivered, read, accepted,
 * rejected, failed, withdrawn — each marker with a symbol and a text label), the timers
 * (scheduled → due, fired with lateness, cancelled) and the source events; the selected step is
 * marked, and a click on a step's marker selects it.
 */
import { useConsole } from '../context.ts';
import type { MessageKey } from '../i18n/i18n.ts';
import { position, type Marker, type ProtocolStep, type Timeline } from './timeline-model.ts';

const MARKER_SYMBOL: Readonly<Record<Marker['kind'], string>> = {
  sent: '↗',
  delivered: '✓',
  read: '◉',
  accepted: '✔',
  rejected: '✖',
  failed: '⚠',
  withdrawn: '⤺',
};

/** The lanes on one time axis: state, recipients, timers, source events; the selected step marked. */
export function Lanes({
  timeline,
  steps,
  selected,
  onSelect,
  time,
}: {
  timeline: Timeline;
  steps: readonly ProtocolStep[];
  selected: number | undefined;
  onSelect: (seq: number) => void;
  time: (at: number) => string;
}) {
  const { t } = useConsole();
  const x = (at: number) => `${position(timeline, at).toFixed(3)}%`;
  const selectedAt = steps.find((s) => s.seq === selected);
  const marker = (key: string, at: number, seq: number | undefined, label: string, cls: string, symbol: string) => (
    <span
      key={key}
      class={`marker ${cls}${seq !== undefined && seq === selected ? ' selected' : ''}`}
      style={{ left: x(at) }}
      role="img"
      aria-label={label}
      title={label}
      data-seq={seq}
      onClick={() => seq !== undefined && onSelect(seq)}
    >
      {symbol}
    </span>
  );
  return (
    <div class="lanes" data-testid="timeline-lanes">
      <div class="axis" aria-hidden="true">
        <span>{time(timeline.start)}</span>
        <span>{time(timeline.end)}</span>
      </div>
      <div class="lane" data-testid="lane-state">
        <div class="lane-name">{t('timeline.lane.state')}</div>
        <div class="track">
          {timeline.states.map((s, i) => {
            const current =
              selected !== undefined && s.seq <= selected && (s.untilSeq === undefined || selected < s.untilSeq);
            const width = Math.max(position(timeline, s.to) - position(timeline, s.from), 0);
            const label = t('timeline.segment', { state: s.state, from: time(s.from), to: time(s.to) });
            return (
              <span
                key={i}
                class={`segment${current ? ' selected' : ''}${i === timeline.states.length - 1 ? ' last' : ''}`}
                style={{ left: x(s.from), width: `max(${width.toFixed(3)}%, 5.5rem)` }}
                title={label}
                aria-label={label}
                role="img"
                data-state={s.state}
                onClick={() => onSelect(s.seq)}
              >
                {s.state}
              </span>
            );
          })}
        </div>
      </div>
      {timeline.recipients.map((r) => (
        <div class="lane" key={r.name} data-testid="lane-recipient" data-recipient={r.name}>
          <div class="lane-name">{r.name}</div>
          <div class="track">
            {r.markers.map((m, i) =>
              marker(
                `${m.kind}-${i}`,
                m.at,
                m.seq,
                t('timeline.marker', { who: r.name, what: t(`timeline.kind.${m.kind}` as MessageKey), at: time(m.at) }),
                `kind-${m.kind}`,
                MARKER_SYMBOL[m.kind],
              ),
            )}
          </div>
        </div>
      ))}
      <div class="lane" data-testid="lane-timers">
        <div class="lane-name">{t('timeline.lane.timers')}</div>
        <div class="track tall">
          {timeline.timers.map((tm, i) => {
            const left = position(timeline, tm.setAt);
            const due = position(timeline, tm.dueAt);
            const label = t('timeline.timer', { id: tm.sendId, set: time(tm.setAt), due: time(tm.dueAt) });
            const end = tm.firedAt ?? tm.cancelledAt;
            return (
              <div key={i} class="timer-row" style={{ top: `${(i % 3) * 0.9}rem` }}>
                <span
                  class={`timer-span${tm.setSeq === selected ? ' selected' : ''}`}
                  style={{ left: `${left}%`, width: `${Math.max(due - left, 0.5)}%` }}
                  role="img"
                  aria-label={label}
                  title={label}
                  onClick={() => onSelect(tm.setSeq)}
                />
                {tm.firedAt !== undefined &&
                  marker(
                    `f${i}`,
                    tm.firedAt,
                    tm.firedSeq,
                    t('timeline.timer.fired', { id: tm.sendId, at: time(tm.firedAt), late: tm.lateMs ?? 0 }),
                    'kind-fired',
                    '◆',
                  )}
                {tm.cancelledAt !== undefined &&
                  marker(
                    `c${i}`,
                    tm.cancelledAt,
                    tm.cancelledSeq,
                    t('timeline.timer.cancelled', { id: tm.sendId, at: time(tm.cancelledAt) }),
                    'kind-cancelled',
                    '⊘',
                  )}
                {end === undefined && <span class="sr-only">{t('timeline.timer.pending')}</span>}
              </div>
            );
          })}
        </div>
      </div>
      <div class="lane" data-testid="lane-events">
        <div class="lane-name">{t('timeline.lane.events')}</div>
        <div class="track">
          {timeline.events.map((e) =>
            marker(
              `e${e.seq}`,
              e.at,
              e.seq,
              t('timeline.event', { seq: e.seq, type: e.type, label: e.label, at: time(e.at) }),
              `event-${e.type}`,
              '●',
            ),
          )}
        </div>
      </div>
      {selectedAt && (
        <div
          class="cursor"
          aria-hidden="true"
          style={{ left: `calc(9.5rem + (100% - 16rem) * ${position(timeline, Date.parse(selectedAt.at)) / 100})` }}
        />
      )}
    </div>
  );
}
