// The DECT band switch in the OM AXI codec (adapters/dect/dect-codec.ts) and the simulator's
// answers (adapters/dect/dect-simulator-regdomain.ts). The request shape is the one public OMM
// provisioning files send, `<SetDECTRegDomain regDomain="EMEA" />`, plus our `seq`; the domain
// names are the XSD's DECTRegDomainType (eventphone/mitel-api `doc/SIP-DECT OM.xsd`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAxi, encodeAxi, type AxiRequest } from '../../adapters/dect/dect-codec.ts';
import {
  DECT_BANDS,
  DECT_REG_DOMAINS,
  dectBandOf,
  isDectBand,
  isDectRegDomain,
} from '../../adapters/dect/dect-band.ts';
import { frame, NulFramer } from '../../adapters/dect/dect-framing.ts';
import {
  getRegDomain,
  setRegDomain,
  SIM_DECT_REG_DOMAINS,
  type SimRegDomainState,
} from '../../adapters/dect/dect-simulator-regdomain.ts';

describe('DECT regulatory domain requests', () => {
  it('encode as the provisioning files write them, with seq', () => {
    const verbatim = '<SetDECTRegDomain regDomain="EMEA" />';
    const ours = encodeAxi({ type: 'SetDECTRegDomain', seq: 7, regDomain: 'EMEA' });
    assert.equal(ours, '<SetDECTRegDomain seq="7" regDomain="EMEA" />');
    assert.equal(ours.replace(' seq="7"', ''), verbatim);
    assert.equal(encodeAxi({ type: 'GetDECTRegDomain', seq: 8 }), '<GetDECTRegDomain seq="8" />');
  });

  it('decode back to themselves', () => {
    assert.deepEqual(decodeAxi('<SetDECTRegDomain seq="7" regDomain="US" />'), {
      ok: true,
      message: { type: 'SetDECTRegDomain', seq: 7, regDomain: 'US' },
    });
    assert.deepEqual(decodeAxi('<GetDECTRegDomain seq="8"/>'), {
      ok: true,
      message: { type: 'GetDECTRegDomain', seq: 8 },
    });
  });

  it('a SetDECTRegDomain without regDomain does not decode; an unknown domain is not encoded', () => {
    const r = decodeAxi('<SetDECTRegDomain seq="1" />');
    assert.equal(r.ok, false);
    for (const regDomain of ['EU', 'emea', '', 'Radio1910_1927MHz']) {
      assert.throws(() => encodeAxi({ type: 'SetDECTRegDomain', seq: 1, regDomain }), RangeError, regDomain);
    }
  });

  it('round-trip through the framing for every domain and seq', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DECT_REG_DOMAINS), fc.nat(2_000_000_000), (regDomain, seq) => {
        for (const req of [
          { type: 'SetDECTRegDomain', seq, regDomain },
          { type: 'GetDECTRegDomain', seq },
        ] as AxiRequest[]) {
          const framer = new NulFramer();
          const { frames } = framer.push(frame(encodeAxi(req)));
          assert.equal(frames.length, 1);
          assert.deepEqual(decodeAxi(frames[0]!), { ok: true, message: req });
        }
      }),
    );
  });
});

describe('DECT regulatory domain responses', () => {
  it('carry the domain in force, or the refusal', () => {
    assert.deepEqual(decodeAxi('<GetDECTRegDomainResp seq="3" regDomain="US" />'), {
      ok: true,
      message: { type: 'GetDECTRegDomainResp', seq: 3, regDomain: 'US' },
    });
    assert.deepEqual(decodeAxi('<SetDECTRegDomainResp seq="4" regDomain="EMEA"/>'), {
      ok: true,
      message: { type: 'SetDECTRegDomainResp', seq: 4, regDomain: 'EMEA' },
    });
    assert.deepEqual(decodeAxi('<SetDECTRegDomainResp seq="5" errCode="EPerm" info="no AllCnfWrite" />'), {
      ok: true,
      message: { type: 'SetDECTRegDomainResp', seq: 5, errCode: 'EPerm', info: 'no AllCnfWrite' },
    });
    assert.deepEqual(decodeAxi('<GetDECTRegDomainResp seq="6" errCode="EDectRegDomainInvalid" />'), {
      ok: true,
      message: { type: 'GetDECTRegDomainResp', seq: 6, errCode: 'EDectRegDomainInvalid' },
    });
    // A domain a newer OMM may know passes through as text.
    const newer = decodeAxi('<GetDECTRegDomainResp seq="9" regDomain="Japan" />');
    assert.ok(newer.ok && newer.message.type === 'GetDECTRegDomainResp');
    assert.equal(newer.message.regDomain, 'Japan');
  });
});

describe('bands and domains', () => {
  it('EU is EMEA (1880–1900 MHz) and US is US (1920–1930 MHz)', () => {
    assert.equal(DECT_BANDS.EU.regDomain, 'EMEA');
    assert.equal(DECT_BANDS.EU.mhz, '1880–1900');
    assert.equal(DECT_BANDS.US.regDomain, 'US');
    assert.equal(DECT_BANDS.US.mhz, '1920–1930');
  });

  it('every band maps to a known domain and back; None and unknown domains have no band', () => {
    for (const [band, d] of Object.entries(DECT_BANDS)) {
      assert.ok(isDectBand(band));
      assert.ok(isDectRegDomain(d.regDomain));
      assert.equal(dectBandOf(d.regDomain), band);
    }
    assert.equal(dectBandOf('None'), undefined);
    assert.equal(dectBandOf('Japan'), undefined);
    assert.equal(dectBandOf(undefined), undefined);
    assert.equal(isDectBand('toString'), false);
    assert.equal(isDectBand('EMEA'), false);
  });

  it('the simulator knows the same domains as the codec', () => {
    assert.deepEqual([...SIM_DECT_REG_DOMAINS], [...DECT_REG_DOMAINS]);
  });
});

describe('the simulator’s answers', () => {
  const fresh = (): SimRegDomainState => ({ regDomain: 'EMEA', refusal: undefined });

  it('Get names the domain; Set changes it and names the new one', () => {
    const s = fresh();
    assert.deepEqual(getRegDomain(s), { regDomain: 'EMEA' });
    assert.deepEqual(setRegDomain(s, 'US'), { regDomain: 'US' });
    assert.deepEqual(getRegDomain(s), { regDomain: 'US' });
  });

  it('refuses a missing or unknown domain and a scripted refusal, keeping the domain', () => {
    const s = fresh();
    assert.deepEqual(setRegDomain(s, undefined), { errCode: 'EMissing', bad: 'regDomain' });
    assert.deepEqual(setRegDomain(s, 'EU'), { errCode: 'EInval', bad: 'regDomain' });
    s.refusal = 'EPerm';
    assert.equal(setRegDomain(s, 'US').errCode, 'EPerm');
    assert.equal(s.regDomain, 'EMEA');
  });
});
