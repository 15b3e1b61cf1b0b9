/**
 * Reading and switching the DECT band over the AXI link (DectAdapter.dectBand): the request
 * sequence, apart from the adapter so that the adapter stays one thing. See dect-band.ts for
 * the domains and their sources.
 */
import type { AxiResponse } from './dect-codec.ts';
import { DECT_BANDS, dectBandOf, type DectBand } from './dect-band.ts';
import { AxiLinkDown, type AxiTransport } from './dect-transport.ts';

export type DectBandResult =
  | {
      readonly ok: true;
      /** undefined: no domain set (`None`) or one this code does not know. */
      readonly previous: DectBand | undefined;
      readonly current: DectBand | undefined;
      readonly changed: boolean;
      readonly confirmed: boolean;
    }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string; readonly errCode?: string };

/**
 * Switches the SIP-DECT system's DECT band (the OMM's DECT regulatory domain), e.g. EU (OMM
 * domain EMEA, 1880–1900 MHz) → US (1920–1930 MHz) when a ship changes region; with no band,
 * only reads the band in force. Reads the domain (`GetDECTRegDomain`), sets the new one
 * (`SetDECTRegDomain regDomain="…"`) unless it is in force already, then reads it back:
 * `confirmed` says the read-back matched (false when the link dropped right after the OMM
 * accepted, e.g. because it restarts). Asking the operator to confirm, and the access log,
 * are the caller's. `retryable` comes from `isRetryable(errCode)`.
 *
 * AXI: request and domain names from mitel-api `doc/SIP-DECT OM.xsd` (SetDECTRegDomainType,
 * GetSetDECTRegDomainRespType, DECTRegDomainType); the attribute name `regDomain` from public
 * OMM provisioning files. Not confirmed against a real OMM: the response's shape, the
 * permission it needs, and whether the change restarts the base stations (so DECT service,
 * alarms included, may drop for a while). Tested against OmmSimulator only.
 */
export async function dectBandOverAxi(
  transport: Pick<AxiTransport, 'request'>,
  switchTo: DectBand | undefined,
  isRetryable: (errCode: string) => boolean,
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void,
): Promise<DectBandResult> {
  const target = switchTo === undefined ? undefined : DECT_BANDS[switchTo]?.regDomain;
  if (switchTo !== undefined && target === undefined)
    return { ok: false, retryable: false, reason: `unknown DECT band ${JSON.stringify(switchTo)}` };
  const refused = (r: AxiResponse, what: string) => ({
    ok: false as const,
    retryable: isRetryable(r.errCode ?? ''),
    reason: `the OMM refused ${what} (${r.errCode}${r.info ? `: ${r.info}` : ''})`,
    errCode: r.errCode!,
  });
  const domainOf = (r: AxiResponse) => (r.type === 'GetDECTRegDomainResp' ? r.regDomain : undefined);
  let accepted = false;
  let previous: DectBand | undefined;
  try {
    const before = await transport.request({ type: 'GetDECTRegDomain' });
    if (before.errCode !== undefined) return refused(before, 'GetDECTRegDomain');
    previous = dectBandOf(domainOf(before));
    if (target === undefined || domainOf(before) === target)
      return { ok: true, previous, current: previous, changed: false, confirmed: true };
    const set = await transport.request({ type: 'SetDECTRegDomain', regDomain: target });
    if (set.errCode !== undefined) return refused(set, `SetDECTRegDomain ${target}`);
    accepted = true;
    log?.('info', 'OM AXI: DECT band switched', { previous, current: switchTo, regDomain: target });
    const after = await transport.request({ type: 'GetDECTRegDomain' });
    if (after.errCode !== undefined || domainOf(after) !== target) {
      const reason = `after SetDECTRegDomain ${target} the OMM reports ${domainOf(after) ?? after.errCode ?? 'no domain'}`;
      return { ok: false, retryable: false, reason };
    }
    return { ok: true, previous, current: switchTo, changed: true, confirmed: true };
  } catch (err) {
    if (!(err instanceof AxiLinkDown)) throw err;
    if (accepted) return { ok: true, previous, current: switchTo, changed: true, confirmed: false };
    return { ok: false, retryable: true, reason: err.message };
  }
}
