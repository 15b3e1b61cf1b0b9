/**
 * An OMM simulator on loopback (plain TCP, any free port) and the DectConfig that points Tocsin
 * at it, as TOCSIN_DECT_* would configure it: the same OM AXI credentials on both sides.
 */
import { OmmSimulator, type OmmSimulatorOptions } from '../../adapters/dect/dect-simulator.ts';
import type { DectConfig } from '../../src/app/dect-config.ts';

export const OMM_CREDENTIALS = { username: 'tocsin', password: 'axi-secret' } as const;

/** The DECT link to an OMM on 127.0.0.1:`port`; `overrides` for triggers, locations and the like. */
export function dectConfigFor(port: number, overrides: Partial<DectConfig> = {}): DectConfig {
  return {
    host: '127.0.0.1',
    port,
    tls: false,
    fingerprint: undefined,
    ca: undefined,
    username: OMM_CREDENTIALS.username,
    password: OMM_CREDENTIALS.password,
    fromAddr: 'tel:9999',
    fromName: 'Tocsin',
    confirmElement: 'confirm',
    triggers: { '*': 'generic' },
    locations: {},
    messageRules: [],
    environment: 'default',
    ...overrides,
  };
}

export interface DectSim {
  readonly sim: OmmSimulator;
  readonly port: number;
  readonly dect: DectConfig;
}

/**
 * Starts an OMM simulator with `options` (and the credentials of `OMM_CREDENTIALS`) and returns
 * it with its port and the DectConfig for it.
 */
export async function startDectSim(
  options: Omit<OmmSimulatorOptions, 'credentials'>,
  overrides: Partial<DectConfig> = {},
): Promise<DectSim> {
  const sim = new OmmSimulator({ ...options, credentials: OMM_CREDENTIALS });
  const { port } = await sim.start({ tls: false, port: 0, host: '127.0.0.1' });
  return { sim, port, dect: dectConfigFor(port, overrides) };
}
