// The configuration model's pure parts (src/domain/config-model.ts): the zod schemas against
// bad input as a table (a comment per case), fillTextTemplate as a table, and properties:
// resolveGroups against an independent model of presence and fallback chains (cycles
// included), checkReferences finding exactly the dangling references of random snapshots.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  alarmTypeSchema,
  checkReferences,
  configSchemas,
  contactSchema,
  emptySnapshot,
  environmentSchema,
  fillTextTemplate,
  groupSchema,
  memberAddress,
  profileSchema,
  resolveGroups,
  webTemplateSchema,
  type ConfigKind,
  type ConfigSnapshot,
  type Group,
  type Member,
  type PresenceMap,
} from '../../src/domain/config-model.ts';

describe('config schemas refuse bad input', () => {
  const bad: [string, ConfigKind, unknown][] = [
    // strict objects: a field the model does not know is refused, not dropped
    ['unknown field on an environment', 'environment', { id: 'e', name: 'E', colour: 'red' }],
    ['unknown field on a group', 'group', { id: 'g', name: 'G', owner: 'u1' }],
    ['unknown field inside repeat', 'profile', { id: 'p', name: 'P', repeat: { count: 1, intervalMs: 5000, x: 1 } }],
    ['unknown field on a member', 'group', { id: 'g', name: 'G', members: [{ kind: 'user', id: 'u', role: 'x' }] }],
    // ids: 1–64 of A–Z a–z 0–9 _ -, starting with a letter or digit
    ['empty id', 'group', { id: '', name: 'G' }],
    ['id starting with -', 'group', { id: '-g', name: 'G' }],
    ['id of 65 characters', 'contact', { id: 'a'.repeat(65), name: 'C' }],
    ['id with a space', 'profile', { id: 'a b', name: 'P' }],
    ['id with a non-ASCII letter', 'environment', { id: 'küche', name: 'K' }],
    ['alarm type id in upper case', 'alarmType', { id: 'Fire', name: 'F', priority: 1 }],
    ['bad environment reference', 'group', { id: 'g', name: 'G', environment: 'no/pe' }],
    ['bad fallback id', 'group', { id: 'g', name: 'G', fallback: '' }],
    // time zones must be IANA names Intl knows
    ['unknown time zone', 'environment', { id: 'e', name: 'E', timeZone: 'Mars/Olympus_Mons' }],
    ['empty time zone', 'environment', { id: 'e', name: 'E', timeZone: '' }],
    // text templates: only the four alarm.* placeholders
    ['unknown placeholder', 'alarmType', { id: 't', name: 'T', priority: 1, textTemplate: '{alarm.foo}' }],
    ['placeholder without alarm.', 'alarmType', { id: 't', name: 'T', priority: 1, textTemplate: 'x {text}' }],
    ['empty placeholder', 'alarmType', { id: 't', name: 'T', priority: 1, textTemplate: 'x {}' }],
    // members: the same address twice
    [
      'duplicate member',
      'group',
      {
        id: 'g',
        name: 'G',
        members: [
          { kind: 'user', id: 'u1' },
          { kind: 'user', id: 'u1' },
        ],
      },
    ],
    ['unknown member kind', 'group', { id: 'g', name: 'G', members: [{ kind: 'robot', id: 'r' }] }],
    // other fields
    ['blank name', 'group', { id: 'g', name: '   ' }],
    ['confirmation listed twice', 'profile', { id: 'p', name: 'P', confirmation: ['accept', 'accept'] }],
    ['bad plan reference', 'alarmType', { id: 't', name: 'T', priority: 1, plan: 'escalate@0' }],
    ['priority out of range', 'alarmType', { id: 't', name: 'T', priority: 10 }],
    ['bad e-mail', 'contact', { id: 'c', name: 'C', email: 'not-an-address' }],
    ['bad phone', 'contact', { id: 'c', name: 'C', phone: 'call me' }],
    ['web template without text', 'webTemplate', { id: 'w', name: 'W', alarmType: 'fire', text: '' }],
  ];
  for (const [what, kind, input] of bad) {
    it(`${kind}: ${what}`, () => {
      assert.equal(configSchemas[kind].safeParse(input).success, false);
    });
  }

  it('the same documents with the bad part removed are accepted (the table tests one thing per row)', () => {
    // Controls: each one the minimal valid neighbour of rows above.
    assert.equal(environmentSchema.parse({ id: 'e', name: 'E', timeZone: 'Europe/Berlin' }).timeZone, 'Europe/Berlin');
    assert.deepEqual(
      groupSchema.parse({
        id: 'g',
        name: 'G',
        members: [
          { kind: 'user', id: 'u1' },
          { kind: 'device', id: 'u1' },
        ],
      }).members.length,
      2,
    );
    const t = alarmTypeSchema.parse({ id: 't', name: 'T', priority: 1, textTemplate: '{alarm.type}: {alarm.text}' });
    assert.equal(t.plan, 'escalate@1');
    assert.equal(alarmTypeSchema.parse({ id: 't', name: 'T', priority: 1, plan: { id: 'p', version: 2 } }).plan, 'p@2');
    assert.equal(profileSchema.parse({ id: 'p', name: 'P' }).environment, 'default');
    assert.equal(contactSchema.parse({ id: 'c', name: 'C', phone: '+49 (30) 123-4' }).phone, '+49 (30) 123-4');
    assert.equal(webTemplateSchema.parse({ id: 'w', name: 'W', alarmType: 'fire', text: 'Fire' }).text, 'Fire');
  });
});

describe('fillTextTemplate', () => {
  const f = { text: 'Smoke', location: 'Deck 3', type: 'fire', priority: 2 };
  const rows: [string, string, typeof f | Omit<typeof f, 'location'>, string][] = [
    // every placeholder, each as often as it appears
    ['all four', '{alarm.type}/{alarm.priority}: {alarm.text} @ {alarm.location}', f, 'fire/2: Smoke @ Deck 3'],
    ['repeated', '{alarm.text} {alarm.text}', f, 'Smoke Smoke'],
    // a missing location becomes empty, not "undefined"
    ['no location', '[{alarm.location}]', { text: 'x', type: 't', priority: 0 }, '[]'],
    // replacement text is not expanded again
    ['no re-expansion', '{alarm.text}', { ...f, text: '{alarm.type}' }, '{alarm.type}'],
  ];
  for (const [what, template, fields, want] of rows) {
    it(what, () => assert.equal(fillTextTemplate(template, fields), want));
  }
});

/** Group ids drawn from a small pool so fallbacks hit existing groups, missing ones and cycles. */
const GROUP_IDS = ['g0', 'g1', 'g2', 'g3', 'g4'];
const MEMBERS: Member[] = [
  { kind: 'user', id: 'u1' },
  { kind: 'user', id: 'u2' },
  { kind: 'device', id: 'd1' },
  { kind: 'contact', id: 'c1' },
];
const ADDRESSES = MEMBERS.map(memberAddress);

const groupsArb = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom(...GROUP_IDS),
      members: fc.subarray(MEMBERS),
      presence: fc.boolean(),
      // 'gx' never exists: a dangling fallback
      fallback: fc.option(fc.constantFrom(...GROUP_IDS, 'gx'), { nil: undefined }),
    }),
    { selector: (g) => g.id, maxLength: GROUP_IDS.length },
  )
  .map((gs) => new Map(gs.map((g) => [g.id, groupSchema.parse({ ...g, name: g.id })] as const)));
const presenceArb: fc.Arbitrary<PresenceMap> = fc.dictionary(
  fc.constantFrom(...GROUP_IDS),
  fc.subarray([...ADDRESSES, 'user-not-a-member']),
);

/** The groups on g's fallback chain, g first, each once, stopping at a missing group. */
function chain(groups: ReadonlyMap<string, Group>, g: Group): Group[] {
  const out = [g];
  for (let f = g.fallback; f !== undefined && !out.some((x) => x.id === f);) {
    const next = groups.get(f);
    if (!next) break;
    out.push(next);
    f = next.fallback;
  }
  return out;
}

describe('resolveGroups', () => {
  it('property: recipients come from the first group on the fallback chain that has any', () => {
    fc.assert(
      fc.property(groupsArb, presenceArb, (groups, presence) => {
        const r = resolveGroups(groups, presence);
        assert.deepEqual(Object.keys(r.groups).sort(), [...groups.keys()].sort());
        for (const g of groups.values()) {
          const direct = (h: Group) =>
            h.members.map(memberAddress).filter((a) => !h.presence || (presence[h.id] ?? []).includes(a));
          const links = chain(groups, g);
          const recipients = r.groups[g.id]!;
          // ⊆ the members of g or of a group on its chain
          const allowed = new Set(links.flatMap((h) => h.members.map(memberAddress)));
          assert.ok(recipients.every((a) => allowed.has(a)));
          // The model: the first group on the chain with anyone to notify.
          const first = links.find((h) => direct(h).length > 0);
          assert.deepEqual(recipients, first ? direct(first) : []);
          if (first && first !== g) assert.equal(r.fellBack[g.id], first.id);
          else {
            assert.equal(r.fellBack[g.id], undefined);
            // Did not fall back: a presence-tracked group yields present members only.
            if (g.presence) assert.ok(recipients.every((a) => (presence[g.id] ?? []).includes(a)));
          }
          if (g.presence) assert.deepEqual(r.presence[g.id], direct(g));
          else assert.equal(r.presence[g.id], undefined);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('fallback cycles terminate: a ring of empty groups and a self-loop resolve to nobody', () => {
    const ring = new Map(
      ['a', 'b', 'c'].map((id, i, ids) => [id, groupSchema.parse({ id, name: id, fallback: ids[(i + 1) % 3] })]),
    );
    ring.set('s', groupSchema.parse({ id: 's', name: 's', fallback: 's' }));
    assert.deepEqual(resolveGroups(ring, {}), { groups: { a: [], b: [], c: [], s: [] }, presence: {}, fellBack: {} });
  });
});

/** Pools for random snapshots: some ids exist, the rest dangle. */
const POOL = {
  environment: ['default', 'e1', 'e2'],
  profile: ['p1', 'p2', 'p3'],
  alarmType: ['t1', 't2', 't3'],
  contact: ['c1', 'c2', 'c3'],
  group: ['g1', 'g2', 'g3', 'g4'],
  webTemplate: ['w1', 'w2'],
};
const ref = (k: keyof typeof POOL) => fc.constantFrom(...POOL[k]);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Items of kind `k`: all ids of its pool or all but one (so references resolve and dangle both); the rest from `a`. */
const items = (k: keyof typeof POOL, a: fc.Arbitrary<Record<string, unknown>>, full: boolean) =>
  fc
    .uniqueArray(ref(k), { minLength: POOL[k].length - (full ? 0 : 1), maxLength: POOL[k].length })
    .chain((ids) => fc.tuple(...ids.map((id) => a.map((x) => ({ ...x, id, name: id })))));

// `full`: every pool id exists, so only fallback cycles can be problems (half the runs);
// otherwise one id per kind may be missing, so references resolve and dangle both.
const snapshotArb: fc.Arbitrary<ConfigSnapshot> = fc.boolean().chain((full) =>
  fc
    .record({
      environment: items('environment', fc.record({ supervisionAlarmType: opt(ref('alarmType')) }), full),
      profile: items('profile', fc.record({ environment: ref('environment') }), full),
      alarmType: items(
        'alarmType',
        fc.record({ environment: ref('environment'), profile: opt(ref('profile')), priority: fc.constant(1) }),
        full,
      ),
      contact: items('contact', fc.record({ environment: ref('environment') }), full),
      group: items(
        'group',
        fc.record({
          environment: ref('environment'),
          members: fc.uniqueArray(
            fc.oneof(
              fc.record({ kind: fc.constant('contact' as const), id: ref('contact') }),
              fc.record({ kind: fc.constantFrom('user' as const, 'device' as const), id: fc.constantFrom('x', 'c1') }),
            ),
            { selector: memberAddress, maxLength: 3 },
          ),
          // Mostly no fallback: with four groups, random fallbacks almost always form a cycle.
          fallback: fc.option(ref('group'), { nil: undefined, freq: 2 }),
        }),
        full,
      ),
      webTemplate: items(
        'webTemplate',
        fc.record({ environment: ref('environment'), alarmType: ref('alarmType'), text: fc.constant('x') }),
        full,
      ),
    })
    .map((raw) => {
      const s = emptySnapshot() as { [K in ConfigKind]: Map<string, unknown> };
      for (const [kind, list] of Object.entries(raw) as [ConfigKind, { id: string }[]][]) {
        // Through the schema, as the store would: defaults filled, undefined optionals dropped.
        for (const it of list) s[kind].set(it.id, configSchemas[kind].parse(JSON.parse(JSON.stringify(it))));
      }
      return s as unknown as ConfigSnapshot;
    }),
);

/** The dangling references of a snapshot, computed independently: `kind/id pointer what`. */
function expectedProblems(s: ConfigSnapshot): string[] {
  const out: string[] = [];
  const envOf = (kind: string, it: { id: string }) =>
    kind === 'environment' ? it.id : (it as unknown as { environment: string }).environment;
  const need = (kind: string, id: string, pointer: string, target: ConfigKind, r: string) => {
    const found = s[target].get(r);
    const self = (s[kind as ConfigKind] as ReadonlyMap<string, { id: string }>).get(id)!;
    if (!found) out.push(`${kind}/${id} ${pointer} unknown ${target} '${r}'`);
    // Nothing refers across environments.
    else if (target !== 'environment' && envOf(target, found) !== envOf(kind, self))
      out.push(`${kind}/${id} ${pointer} ${target} '${r}' belongs to another environment`);
  };
  for (const [kind, m] of Object.entries(s) as [ConfigKind, ReadonlyMap<string, { id: string }>][]) {
    if (kind === 'environment') continue;
    for (const it of m.values()) need(kind, it.id, '/environment', 'environment', (it as Group).environment);
  }
  for (const e of s.environment.values()) {
    if (e.supervisionAlarmType !== undefined) {
      need('environment', e.id, '/supervisionAlarmType', 'alarmType', e.supervisionAlarmType);
    }
  }
  for (const t of s.alarmType.values())
    if (t.profile !== undefined) need('alarmType', t.id, '/profile', 'profile', t.profile);
  for (const w of s.webTemplate.values()) need('webTemplate', w.id, '/alarmType', 'alarmType', w.alarmType);
  for (const g of s.group.values()) {
    g.members.forEach((m, i) => m.kind === 'contact' && need('group', g.id, `/members/${i}/id`, 'contact', m.id));
    if (g.fallback === undefined) continue;
    need('group', g.id, '/fallback', 'group', g.fallback);
    // A cycle: following existing groups from g comes back to a group already visited.
    const visited = new Set([g.id]);
    for (let at = g; at.fallback !== undefined;) {
      if (visited.has(at.fallback)) {
        out.push(`group/${g.id} /fallback cycle`);
        break;
      }
      const next = s.group.get(at.fallback);
      if (!next) break;
      visited.add(next.id);
      at = next;
    }
  }
  return out.sort();
}

describe('checkReferences', () => {
  it('property: finds exactly the dangling references (and fallback cycles) of a random snapshot', () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const got = checkReferences(s)
          .map(
            (p) =>
              `${p.kind}/${p.id} ${p.pointer} ${p.reason.startsWith('fallback groups form a cycle') ? 'cycle' : p.reason}`,
          )
          .sort();
        assert.deepEqual(got, expectedProblems(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('a snapshot whose references all resolve has no problem; one dangling reference is one problem', () => {
    const s = emptySnapshot() as { [K in ConfigKind]: Map<string, unknown> };
    s.environment.set('default', environmentSchema.parse({ id: 'default', name: 'D' }));
    s.group.set('g1', groupSchema.parse({ id: 'g1', name: 'G', fallback: 'g2' }));
    s.group.set('g2', groupSchema.parse({ id: 'g2', name: 'G' }));
    assert.deepEqual(checkReferences(s as unknown as ConfigSnapshot), []);
    s.group.delete('g2');
    assert.deepEqual(checkReferences(s as unknown as ConfigSnapshot), [
      { kind: 'group', id: 'g1', pointer: '/fallback', reason: "unknown group 'g2'" },
    ]);
  });
});
