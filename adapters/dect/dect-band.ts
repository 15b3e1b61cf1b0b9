/**
 * The DECT band (issue 5, item 6): the OMM's DECT regulatory domains and the bands an operator
 * picks. Pure. Sources below.
 */
// Sources, all public:
// - eventphone/mitel-api `doc/SIP-DECT OM.xsd`, "DECT related types": simpleType
//   `DECTRegDomainType` (the values below), `SetDECTRegDomainType` (ReqType + the domain) and
//   `GetSetDECTRegDomainRespType` (RespType + the domain); `EventDECTRegDomainCnf` is listed as
//   an event; ResponseCodeType has `EDectRegDomainInvalid`.
// - The attribute name `regDomain` is not spelled out by the XSD (its extension names no
//   attribute); it comes from OMM provisioning files that send AXI commands verbatim, e.g.
//   `<SetDECTRegDomain regDomain="EMEA" />` (found in two public configurations by text search;
//   their repositories were not identified). That the response carries it under the same name
//   is inferred [I].
// - The request names GetDECTRegDomain / SetDECTRegDomain also appear in the GetVersionsResp
//   fixture of mitel-api `src/mitel-api.test/OmmMessageTest.cs` (versions 1.0.2 / 1.1.2).
// Not established: whether the OMM restarts RFPs (and so drops DECT service) on a change.

/** The OMM's DECT regulatory domains (XSD `DECTRegDomainType`); `None` means not set yet. */
export const DECT_REG_DOMAINS = ['None', 'EMEA', 'US', 'Brazil', 'Taiwan', 'Radio1910_1927MHz250mW'] as const;
export type DectRegDomain = (typeof DECT_REG_DOMAINS)[number];

export function isDectRegDomain(s: string): s is DectRegDomain {
  return (DECT_REG_DOMAINS as readonly string[]).includes(s);
}

/**
 * The bands an operator picks, by the name people use, with the OMM's domain for each. MHz only
 * where it is common knowledge (EU DECT 1880–1900, US "DECT 6.0" 1920–1930) or in the name.
 */
export const DECT_BANDS = {
  EU: { regDomain: 'EMEA', mhz: '1880–1900' },
  US: { regDomain: 'US', mhz: '1920–1930' },
  Brazil: { regDomain: 'Brazil' },
  Taiwan: { regDomain: 'Taiwan' },
  '1910-1927MHz': { regDomain: 'Radio1910_1927MHz250mW', mhz: '1910–1927' },
} as const satisfies Record<string, { regDomain: Exclude<DectRegDomain, 'None'>; mhz?: string }>;
export type DectBand = keyof typeof DECT_BANDS;

export function isDectBand(s: string): s is DectBand {
  return Object.hasOwn(DECT_BANDS, s);
}

/** The band of an OMM domain; undefined for `None` (not set) or a domain this code does not know. */
export function dectBandOf(regDomain: string | undefined): DectBand | undefined {
  for (const [band, d] of Object.entries(DECT_BANDS)) if (d.regDomain === regDomain) return band as DectBand;
  return undefined;
}
