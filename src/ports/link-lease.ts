/**
 * The LinkLeases port: in cluster mode a device link (the OM AXI connection to the OMM, an
 * ESPA 4.4.4 line a node dials) must be open on one node only. That node holds the link's
 * lease and renews it; a lease not renewed expires and another node takes the link over.
 * Times are the nodes' clocks (the same assumption as durable timers: keep them NTP-synced).
 */
export interface LeaseGrant {
  /** Grows with every change of holder: a fencing token. */
  readonly token: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface LeaseState extends LeaseGrant {
  readonly holder: string;
}

export interface LinkLeases {
  /**
   * Takes lease `name` for `holder` until `at + ttlMs` when it is free, expired at `at`, or
   * already `holder`'s (a renewal). Resolves undefined, changing nothing, while another holder's
   * lease runs.
   */
  acquire(name: string, holder: string, at: number, ttlMs: number): Promise<LeaseGrant | undefined>;
  /** Gives the lease up at once (another node may take it); nothing when `holder` does not hold it. */
  release(name: string, holder: string): Promise<void>;
  /** Who holds (or last held) the lease. */
  get(name: string): Promise<LeaseState | undefined>;
}
