/**
 * The selected step of an alarm's timeline (timeline-page.tsx): its trigger, transition, guard
 * results, effects in words, lateness and note, as the protocol recorded them.
 */
import { useConsole } from '../context.ts';
import { effectText, eventType, type ProtocolStep } from './timeline-model.ts';

/** The details of one recorded step. */
export function StepDetails({ step, time }: { step: ProtocolStep; time: (at: string) => string }) {
  const { t } = useConsole();
  return (
    <section class="step-details card" aria-labelledby="step-title" data-testid="step-details">
      <h2 id="step-title">{t('timeline.step', { seq: step.seq, at: time(step.at) })}</h2>
      <dl>
        <div>
          <dt>{t('timeline.col.event')}</dt>
          <dd>
            <code>{eventType(step)}</code> ({step.kind})
          </dd>
        </div>
        <div>
          <dt>{t('timeline.col.transition')}</dt>
          <dd data-testid="step-transition">
            {step.fromState ?? '∅'} → {step.toState}
          </dd>
        </div>
        <div>
          <dt>{t('timeline.guards')}</dt>
          <dd>
            {step.guards.length === 0
              ? '—'
              : step.guards.map((g) => `${g.guard} = ${g.result ? 'true' : 'false'}`).join(', ')}
          </dd>
        </div>
        <div>
          <dt>{t('timeline.effects')}</dt>
          <dd>
            {step.effects.length === 0 ? (
              '—'
            ) : (
              <ul>
                {step.effects.map((e, i) => (
                  <li key={i}>
                    <code>{effectText(e)}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('timeline.col.actor')}</dt>
          <dd>
            {step.actor.kind}:{step.actor.id}
          </dd>
        </div>
        {step.lateMs !== null && (
          <div>
            <dt>{t('timeline.late')}</dt>
            <dd>{t('timeline.lateMs', { ms: step.lateMs })}</dd>
          </div>
        )}
        <div>
          <dt>{t('timeline.col.note')}</dt>
          <dd>{step.note}</dd>
        </div>
        <div>
          <dt>{t('timeline.hash')}</dt>
          <dd>
            <code class="hash">{step.hash}</code>
          </dd>
        </div>
      </dl>
    </section>
  );
}
