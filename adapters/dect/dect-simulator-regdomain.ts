/**
 * The simulated OMM's DECT regulatory domain (the band its base stations use): answers to
 * `GetDECTRegDomain` and `SetDECTRegDomain` (protocols.md §1.9 sources; mitel-api
 * `doc/SIP-DECT OM.xsd` `DECTRegDomainType`). Pure: the simulator keeps the state and sends
 * the answer. Shares no code with the adapter's codec, on purpose.
 *
 * - Get → `regDomain="<current>"`.
 * - Set without `regDomain` → EMissing; a value outside the XSD's list → EInval `bad="regDomain"`;
 *   while a refusal is scripted → that errCode (EPerm by default) and the domain stays;
 *   otherwise the domain changes and the answer carries the new one [I: that the response names
 *   it is inferred from GetSetDECTRegDomainRespType].
 * Whether a real OMM restarts its RFPs on a change is not known; the simulator does not.
 */
import type { SimAttrs } from './dect-simulator-xml.ts';

export const SIM_DECT_REG_DOMAINS: readonly string[] = [
  'None',
  'EMEA',
  'US',
  'Brazil',
  'Taiwan',
  'Radio1910_1927MHz250mW',
];

export interface SimRegDomainState {
  regDomain: string;
  /** An errCode to refuse every SetDECTRegDomain with, or undefined. */
  refusal: string | undefined;
}

/** Answers GetDECTRegDomain. */
export function getRegDomain(state: SimRegDomainState): SimAttrs {
  return { regDomain: state.regDomain };
}

/** Answers SetDECTRegDomain, changing `state` when it is accepted. */
export function setRegDomain(state: SimRegDomainState, requested: string | undefined): SimAttrs {
  if (requested === undefined) return { errCode: 'EMissing', bad: 'regDomain' };
  if (!SIM_DECT_REG_DOMAINS.includes(requested)) return { errCode: 'EInval', bad: 'regDomain' };
  if (state.refusal !== undefined) return { errCode: state.refusal, info: 'refused by script' };
  state.regDomain = requested;
  return { regDomain: state.regDomain };
}
