/**
 * The simulator's scenario and timeline as the console sees them (machines/plan-simulate.ts
 * defines them; the console does not import machines/), and the scenario form's rows turned
 * into the scenario JSON. Pure.
 */

export const STEP_EVENTS = ['accept', 'reject', 'cancel', 'deliveryFailed', 'presence'] as const;

/** One row of the scenario form, as typed: `at` in seconds after the raise. */
export interface StepDraft {
  readonly at: string;
  readonly event: (typeof STEP_EVENTS)[number];
  /** Who answers or cancels, whose delivery fails, or whose presence changes. */
  readonly who: string;
  readonly group: string;
  readonly present: boolean;
}

/** The scenario of the form's rows (the server checks it and points at a bad step). */
export function scenarioOf(steps: readonly StepDraft[]): { steps: Record<string, unknown>[] } {
  return {
    steps: steps.map((s) => {
      const at = Math.round(Number(s.at) * 1000);
      const who = s.who.trim();
      switch (s.event) {
        case 'accept':
        case 'reject':
        case 'cancel':
          return { at, event: s.event, by: who };
        case 'deliveryFailed':
          return { at, event: 'deliveryFailed', user: who };
        case 'presence':
          return { at, presence: { group: s.group.trim(), user: who, present: s.present } };
      }
    }),
  };
}

export type TimelineEffect =
  | { readonly type: 'notify'; readonly group: string; readonly round: number; readonly recipients: string[] }
  | { readonly type: 'withdraw'; readonly recipients: string[] }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'forward'; readonly alarmType: string; readonly text: string }
  | { readonly type: 'timer.set'; readonly sendId: string; readonly dueAt: number }
  | { readonly type: 'timer.cancel'; readonly sendId: string };

export type TimelineTrigger =
  | { readonly kind: 'start' }
  | { readonly kind: 'timer'; readonly sendId: string; readonly event: string }
  | { readonly kind: 'scenario'; readonly step: number; readonly event: { readonly type: string } };

export interface Timeline {
  readonly entries: readonly {
    readonly at: number;
    readonly trigger: TimelineTrigger;
    readonly from: string | null;
    readonly to: string;
    readonly effects: readonly TimelineEffect[];
  }[];
  readonly end: { readonly at: number; readonly state: string; readonly status: string; readonly reason: string };
  readonly notifications: number;
  readonly firstNotificationAt: number | null;
}
