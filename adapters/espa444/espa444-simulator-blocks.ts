/**
 * The blocks a simulated ESPA 4.4.4 station (espa444-simulator.ts `EspaStation`) sends, by
 * what they mean (protocols.md §2.4): a call (header '1', records 1–6), the end of a call
 * (call type '1') and a paging system's status report (header '2', records 1 and 7).
 */
import type { SimBlock } from './espa444-simulator-wire.ts';

/** A call to `address` (header '1'; call type '3', beep '1' and priority `defaultPriority` or '3' unless given). */
export function simCallBlock(
  address: string,
  text: string | undefined,
  o: { priority?: string; beep?: string; callType?: string; header?: string },
  defaultPriority: string | undefined,
): SimBlock {
  const r = (id: string, value: string | undefined) => (value === undefined ? [] : [{ id, value }]);
  return {
    header: o.header ?? '1',
    records: [
      { id: '1', value: address },
      ...r('2', text),
      ...r('3', o.beep ?? '1'),
      { id: '4', value: o.callType ?? '3' },
      { id: '5', value: '1' },
      ...r('6', o.priority ?? defaultPriority ?? '3'),
    ],
  };
}

/** Call type '1': the call for `address` is over. */
export function simResetBlock(address: string): SimBlock {
  return {
    header: '1',
    records: [
      { id: '1', value: address },
      { id: '4', value: '1' },
    ],
  };
}

/** A status report for the call to `address` (record 7: '3' paged, '6' acknowledged …). */
export function simStatusBlock(address: string, status: string): SimBlock {
  return {
    header: '2',
    records: [
      { id: '1', value: address },
      { id: '7', value: status },
    ],
  };
}
