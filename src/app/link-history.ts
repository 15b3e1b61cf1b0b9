/**
 * When each device link last changed, for the interface status (system-control.ts): the
 * adapters say what state a link is in but not since when, so this remembers the time of each
 * link's last supervision event (`<link>-link-up`, `<link>-link-down`, …, the reasons counted in
 * `tocsin_supervision_events_total`) and of each start or restart of the links. Part of the
 * composition root; wraps the RuntimeObserver handed to the devices.
 */
import type { Clock } from '../ports/clock.ts';
import type { RuntimeObserver } from '../runtime/observer.ts';

export interface LinkEvent {
  /** e.g. `link-up`, `link-down`, `login-refused`, `started`. */
  readonly event: string;
  /** Epoch ms. */
  readonly at: number;
}

export class LinkHistory {
  private readonly last = new Map<string, LinkEvent>();

  /** `links`: the link names of the configuration, longest first (so `espa444-a-b` wins over `espa444-a`). */
  constructor(
    private readonly links: readonly string[],
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.links = [...links].sort((a, b) => b.length - a.length);
  }

  /** The observer to give the devices: counts as `inner` does, and remembers link events. */
  observing(inner: RuntimeObserver): RuntimeObserver {
    return {
      ...inner,
      supervision: (reason) => {
        inner.supervision?.(reason);
        this.record(reason);
      },
    };
  }

  /** Records a supervision reason `<link>-<event>`; handset events (`dect-handset-…`) and others are ignored. */
  record(reason: string): void {
    const link = this.links.find((l) => reason.startsWith(`${l}-`));
    if (!link) return;
    const event = reason.slice(link.length + 1);
    if (event.startsWith('handset-')) return;
    this.last.set(link, { event, at: this.clock.now() });
  }

  /** Marks the links (default: every link) as (re)started now. */
  started(which: (link: string) => boolean = () => true): void {
    for (const l of this.links.filter(which)) this.last.set(l, { event: 'started', at: this.clock.now() });
  }

  /** The last event of `link`, if any. */
  of(link: string): LinkEvent | undefined {
    return this.last.get(link);
  }
}
