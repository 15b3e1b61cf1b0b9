/**
 * The operators' live board: the caller's active alarms from `GET /api/v1/alarms/events`
 * (server-sent events; EventSource reconnects by itself and the server starts each connection
 * with a snapshot), most urgent first, and the alarms that ended while the board was open.
 * The one-second tick only redraws elapsed times and countdowns; nothing polls the server.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.ts';
import { useConsole } from '../context.ts';
import { AlarmCard } from './alarm-card.tsx';
import { applyAlarm, applySnapshot, emptyBoard, sortedAlarms, type AlarmView, type Board } from './board-model.ts';
import { TriggerForm } from './trigger-form.tsx';
import { CancelAll } from '../ops/cancel-all.tsx';

type Link = 'connecting' | 'live' | 'lost' | 'closed';

export function BoardPage({ me }: { me: Me }) {
  const { t } = useConsole();
  const [board, setBoard] = useState<Board>(emptyBoard);
  const [link, setLink] = useState<Link>('connecting');
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const es = new EventSource('/api/v1/alarms/events');
    es.addEventListener('open', () => setLink('live'));
    es.addEventListener('error', () => {
      if (es.readyState !== EventSource.CLOSED) return setLink('lost');
      // The server refused the stream: if the session is gone, api.ts sends the user to the login.
      setLink('closed');
      void api.get('/api/v1/auth/me').catch(() => {});
    });
    es.addEventListener('snapshot', (e) => {
      const { alarms } = JSON.parse((e as MessageEvent<string>).data) as { alarms: AlarmView[] };
      setBoard((b) => applySnapshot(b, alarms));
      setLink('live');
    });
    es.addEventListener('alarm', (e) => {
      const alarm = JSON.parse((e as MessageEvent<string>).data) as AlarmView;
      setBoard((b) => applyAlarm(b, alarm));
    });
    return () => es.close();
  }, []);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  const alarms = sortedAlarms(board);
  const can = (p: string) => me.permissions.includes(p);
  return (
    <section class="board" aria-labelledby="board-title">
      <div class="board-head">
        <h1 id="board-title">{t('board.title')}</h1>
        <p class={`link link-${link}`} role="status" data-testid="link">
          <span class="dot" aria-hidden="true" />
          {t(`board.link.${link}`)}
        </p>
        <p class="count" data-testid="count">
          {t('board.count', { n: alarms.length })}
        </p>
      </div>
      {can('operation.alarms.trigger') && <TriggerForm />}
      {can('operation.alarms.cancel-all') && <CancelAll active={alarms.length} />}
      {alarms.length === 0 ? (
        <div class="empty" data-testid="empty">
          <h2>{t('board.empty.title')}</h2>
          <p>{can('operation.alarms.trigger') ? t('board.empty.trigger') : t('board.empty.watch')}</p>
        </div>
      ) : (
        <ol class="alarms" aria-label={t('board.active')}>
          {alarms.map((a) => (
            <li key={a.id}>
              <AlarmCard alarm={a} now={now} me={me} />
            </li>
          ))}
        </ol>
      )}
      {board.recent.length > 0 && (
        <section aria-labelledby="recent-title" class="recent">
          <h2 id="recent-title">{t('board.recent')}</h2>
          <ol class="alarms">
            {board.recent.map((a) => (
              <li key={a.id}>
                <AlarmCard alarm={a} now={now} me={me} />
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
