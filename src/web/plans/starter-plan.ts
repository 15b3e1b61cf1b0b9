/**
 * The plan a new id starts from: notify group A, end on the first accept or a cancel, stay open
 * (still accepting) when A stays silent past the level timeout. Valid wherever a group `A`
 * exists; elsewhere the validator names the group to change.
 */
export function starterPlan(id: string): Record<string, unknown> {
  const answered = {
    RESPONSE: [{ guard: 'accepted', target: 'accepted', actions: ['recordResponse'] }, { actions: ['recordResponse'] }],
    CANCEL: { target: 'cancelled' },
  };
  return {
    id,
    initial: 'notifyA',
    description: 'Notify group A; the first accept ends the alarm.',
    states: {
      notifyA: {
        entry: [{ type: 'notify', params: { group: 'A' } }],
        after: { levelTimeout: { target: 'unanswered' } },
        on: answered,
      },
      unanswered: { on: answered },
      accepted: { type: 'final', entry: ['withdraw'] },
      cancelled: { type: 'final', entry: ['withdraw'] },
    },
  };
}
