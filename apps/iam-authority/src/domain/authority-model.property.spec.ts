import fc from 'fast-check';
import { IamEvent } from '@iam/contracts';
import { AuthorityModel, ModelSnapshot } from './authority-model';

/*
 * The in-memory model against a reference written as a direct transcription
 * of the rules (docs/architecture.md#the-authority), with none of the model's indexes,
 * views or compiled matchers: random mutation histories (applied as the
 * services would, valid ones only) followed by random questions. The model
 * is checked both built from the final snapshot and fed the events one by
 * one from an empty state.
 */

const PRINCIPALS = ['user:ada@example.com', 'user:bob@example.com', 'sa:ci', 'sa:bot'];
const GROUPS = ['group:eng', 'group:ops', 'group:all'];
const ROLES = ['reader', 'operator'];
const POLICY_IDS = ['pol_0000000000000001', 'pol_0000000000000002', 'pol_0000000000000003', 'pol_0000000000000004', 'pol_0000000000000005', 'pol_0000000000000006'];
const ACTION_PATTERNS = ['routers.read', 'routers.write', 'models.deploy', '*', 'routers.*', 'models.*', 'routers.a.*'];
const QUERY_ACTIONS = ['routers.read', 'routers.write', 'models.deploy', 'routers.a.b', 'routers', 'experiments.run'];
// Small alphabets, so that random patterns and questions meet often.
const PATTERN_SEGMENTS = ['projects', '1', '*', '**'];
const RESOURCE_SEGMENTS = ['projects', '1', '2'];

/** The state as plain data, changed by plain rules (the SQL of the services, transcribed). */
interface ReferenceState {
  principals: Map<string, boolean>;
  groups: Set<string>;
  members: Array<[string, string]>;
  roles: Map<string, string[]>;
  policies: Map<string, { subjects: string[]; role: string | null; actions: string[] | null; resources: string[]; effect: 'allow' | 'deny' }>;
}

type Command =
  | { kind: 'principal.create' | 'principal.disable' | 'principal.delete'; principal: number }
  | { kind: 'group.create' | 'group.delete'; group: number }
  | { kind: 'member.add' | 'member.remove'; group: number; principal: number }
  | { kind: 'role.put' | 'role.delete'; role: number; actions: string[] }
  | { kind: 'policy.put'; policy: number; subjects: number[]; role: number | null; actions: string[]; resources: string[]; deny: boolean }
  | { kind: 'policy.delete'; policy: number };

const pattern = fc.array(fc.constantFrom(...PATTERN_SEGMENTS), { minLength: 1, maxLength: 3 }).map((s) => s.join(':'));
const actions = fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 });
const principal = fc.nat(PRINCIPALS.length - 1);
const group = fc.nat(GROUPS.length - 1);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('principal.disable' as const, 'principal.delete' as const), principal }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('principal.create' as const), principal }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('group.create' as const), group }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('group.delete' as const), group }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('member.add' as const, 'member.remove' as const), group, principal }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('role.put' as const, 'role.delete' as const), role: fc.nat(ROLES.length - 1), actions }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('policy.put' as const),
      policy: fc.nat(POLICY_IDS.length - 1),
      subjects: fc.uniqueArray(fc.nat(PRINCIPALS.length + GROUPS.length - 1), { minLength: 1, maxLength: 2 }),
      role: fc.option(fc.nat(ROLES.length - 1), { nil: null }),
      actions,
      resources: fc.uniqueArray(pattern, { minLength: 1, maxLength: 3 }),
      deny: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('policy.delete' as const), policy: fc.nat(POLICY_IDS.length - 1) }) },
);

const question = fc.record({
  principal: fc.constantFrom(...PRINCIPALS),
  action: fc.constantFrom(...QUERY_ACTIONS),
  resource: fc.array(fc.constantFrom(...RESOURCE_SEGMENTS), { minLength: 1, maxLength: 4 }).map((s) => s.join(':')),
});

/** Runs a command against the reference; returns the event the service would emit, or null when the service would refuse (or change nothing). */
function run(state: ReferenceState, cmd: Command): { type: string; payload: Record<string, unknown> } | null {
  const subjectOf = (n: number) => (n < PRINCIPALS.length ? PRINCIPALS[n] : GROUPS[n - PRINCIPALS.length]);
  const withoutSubject = (id: string) => {
    for (const policy of state.policies.values()) policy.subjects = policy.subjects.filter((s) => s !== id);
  };
  switch (cmd.kind) {
    case 'principal.create': {
      const id = PRINCIPALS[cmd.principal];
      if (state.principals.has(id)) return null;
      state.principals.set(id, false);
      return { type: 'principal.created', payload: { principalId: id } };
    }
    case 'principal.disable': {
      const id = PRINCIPALS[cmd.principal];
      if (!state.principals.has(id)) return null;
      state.principals.set(id, true);
      return { type: 'principal.disabled', payload: { principalId: id } };
    }
    case 'principal.delete': {
      const id = PRINCIPALS[cmd.principal];
      if (!state.principals.has(id)) return null;
      state.principals.delete(id);
      state.members = state.members.filter(([, p]) => p !== id);
      withoutSubject(id);
      return { type: 'principal.deleted', payload: { principalId: id, tokenIds: [] } };
    }
    case 'group.create': {
      const id = GROUPS[cmd.group];
      if (state.groups.has(id)) return null;
      state.groups.add(id);
      return { type: 'group.created', payload: { groupId: id } };
    }
    case 'group.delete': {
      const id = GROUPS[cmd.group];
      if (!state.groups.has(id)) return null;
      const members = state.members.filter(([g]) => g === id).map(([, p]) => p);
      state.groups.delete(id);
      state.members = state.members.filter(([g]) => g !== id);
      withoutSubject(id);
      return { type: 'group.deleted', payload: { groupId: id, members } };
    }
    case 'member.add':
    case 'member.remove': {
      const [g, p] = [GROUPS[cmd.group], PRINCIPALS[cmd.principal]];
      if (!state.groups.has(g) || !state.principals.has(p)) return null;
      const isMember = state.members.some(([mg, mp]) => mg === g && mp === p);
      if (cmd.kind === 'member.add') {
        if (isMember) return null;
        state.members.push([g, p]);
        return { type: 'group.member.added', payload: { groupId: g, principalId: p } };
      }
      if (!isMember) return null;
      state.members = state.members.filter(([mg, mp]) => !(mg === g && mp === p));
      return { type: 'group.member.removed', payload: { groupId: g, principalId: p } };
    }
    case 'role.put': {
      const id = ROLES[cmd.role];
      const existed = state.roles.has(id);
      state.roles.set(id, cmd.actions);
      return { type: existed ? 'role.updated' : 'role.created', payload: { roleId: id, actions: cmd.actions } };
    }
    case 'role.delete': {
      const id = ROLES[cmd.role];
      if (!state.roles.has(id)) return null;
      const policyIds = [...state.policies].filter(([, p]) => p.role === id).map(([pid]) => pid);
      for (const pid of policyIds) state.policies.delete(pid);
      state.roles.delete(id);
      return { type: 'role.deleted', payload: { roleId: id, policyIds } };
    }
    case 'policy.put': {
      const id = POLICY_IDS[cmd.policy];
      const subjects = cmd.subjects.map(subjectOf);
      if (subjects.some((s) => !(state.principals.has(s) || state.groups.has(s)))) return null;
      const role = cmd.role === null ? null : ROLES[cmd.role];
      if (role !== null && !state.roles.has(role)) return null;
      const policy = { subjects, role, actions: role === null ? cmd.actions : null, resources: cmd.resources, effect: cmd.deny ? ('deny' as const) : ('allow' as const) };
      const existed = state.policies.has(id);
      state.policies.set(id, policy);
      const payload: Record<string, unknown> = { policyId: id, subjects, resources: policy.resources, effect: policy.effect };
      if (role !== null) payload.role = role;
      else payload.actions = policy.actions;
      return { type: existed ? 'policy.updated' : 'policy.created', payload };
    }
    case 'policy.delete': {
      const id = POLICY_IDS[cmd.policy];
      if (!state.policies.delete(id)) return null;
      return { type: 'policy.deleted', payload: { policyId: id } };
    }
  }
}

/** `*`: any action; `prefix.*`: any action below prefix; otherwise itself. */
function referenceActionMatch(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  return pattern.endsWith('.*') && action.startsWith(pattern.slice(0, -1)) && action.length > pattern.length - 1;
}

/** Segment patterns as a regular expression over ':'-prefixed segments: `*` one segment, `**` any number of segments. */
function referenceResourceMatch(pattern: string, resource: string): boolean {
  const body = pattern
    .split(':')
    .map((segment) => (segment === '**' ? '(?::[^:]+)*' : segment === '*' ? ':[^:]+' : `:${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    .join('');
  return new RegExp(`^${body}$`).test(`:${resource}`);
}

/** The rules, transcribed: unknown/disabled deny; subjects are the principal and its groups; explicit deny beats allow; default deny. */
function referenceCheck(state: ReferenceState, q: { principal: string; action: string; resource: string }) {
  const disabled = state.principals.get(q.principal);
  if (disabled === undefined || disabled) return { allowed: false, tags: [`p:${q.principal}`, `r:${q.resource}`] };
  const groups = state.members.filter(([, p]) => p === q.principal).map(([g]) => g);
  const subjects = new Set([q.principal, ...groups]);
  const applicable = [...state.policies].filter(([, p]) => p.subjects.some((s) => subjects.has(s)));
  const matching = applicable.filter(
    ([, p]) =>
      (p.actions ?? state.roles.get(p.role!) ?? []).some((a) => referenceActionMatch(a, q.action)) && p.resources.some((r) => referenceResourceMatch(r, q.resource)),
  );
  const denied = matching.some(([, p]) => p.effect === 'deny');
  const allowed = !denied && matching.some(([, p]) => p.effect === 'allow');
  return { allowed, tags: [`p:${q.principal}`, `r:${q.resource}`, ...groups.map((g) => `g:${g}`), ...applicable.map(([id]) => `pol:${id}`)], matching };
}

function snapshotOf(state: ReferenceState, revision: number): ModelSnapshot {
  return {
    revision,
    principals: [...state.principals].map(([id, disabled]) => ({ id, disabled })),
    groups: [...state.groups],
    memberships: state.members.map(([groupId, principalId]) => ({ groupId, principalId })),
    roles: [...state.roles].map(([id, acts]) => ({ id, actions: acts })),
    policies: [...state.policies].map(([id, p]) => ({ id, ...p })),
  };
}

const empty = (): ReferenceState => ({ principals: new Map(), groups: new Set(), members: [], roles: new Map(), policies: new Map() });

describe('AuthorityModel against the reference evaluator (property)', () => {
  it('agrees on decisions and tag sets after random histories, whether loaded or fed event by event', () => {
    const seen = { questions: 0, allowed: 0, denied: 0 };
    fc.assert(
      fc.property(fc.array(command, { minLength: 5, maxLength: 80, size: 'large' }), fc.array(question, { minLength: 1, maxLength: 40 }), (commands, questions) => {
        const state = empty();
        const fed = new AuthorityModel(snapshotOf(empty(), 0));
        let revision = 0;
        // Everything exists at first, so that the random part mostly grants, denies and takes away.
        const prelude: Command[] = [
          ...PRINCIPALS.map((_, principal) => ({ kind: 'principal.create' as const, principal })),
          ...GROUPS.map((_, group) => ({ kind: 'group.create' as const, group })),
          ...ROLES.map((_, role) => ({ kind: 'role.put' as const, role, actions: [ACTION_PATTERNS[role]] })),
        ];
        for (const cmd of [...prelude, ...commands]) {
          const event = run(state, cmd);
          if (!event) continue;
          revision += 1;
          fed.apply({ ...event, revision } as unknown as IamEvent);
        }
        const loaded = new AuthorityModel(snapshotOf(state, revision));
        for (const q of questions) {
          const expected = referenceCheck(state, q);
          seen.questions += 1;
          if (expected.allowed) seen.allowed += 1;
          if (expected.matching?.some(([, p]) => p.effect === 'deny')) seen.denied += 1;
          for (const model of [loaded, fed]) {
            const answer = model.check(q.principal, q.action, q.resource);
            expect(answer.revision).toBe(revision);
            expect(answer.allowed).toBe(expected.allowed);
            expect(answer.tags.length).toBe(new Set(answer.tags).size);
            expect([...answer.tags].sort()).toEqual([...expected.tags].sort());
            if (answer.decidedBy !== null) {
              const decider = expected.matching?.find(([id]) => id === answer.decidedBy);
              expect(decider?.[1].effect).toBe(answer.allowed ? 'allow' : 'deny');
            } else {
              expect(answer.allowed).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
    // The histories must exercise the rules, or agreement says little.
    expect(seen.allowed).toBeGreaterThan(seen.questions / 50);
    expect(seen.denied).toBeGreaterThan(seen.questions / 50);
  });

  it('agrees with the reference resource rule on random patterns of up to 3 segments', () => {
    fc.assert(
      fc.property(pattern, question, (p, q) => {
        const model = new AuthorityModel({
          revision: 1,
          principals: [{ id: q.principal, disabled: false }],
          groups: [],
          memberships: [],
          roles: [],
          policies: [{ id: POLICY_IDS[0], subjects: [q.principal], role: null, actions: ['*'], resources: [p], effect: 'allow' }],
        });
        expect(model.check(q.principal, q.action, q.resource).allowed).toBe(referenceResourceMatch(p, q.resource));
      }),
      { numRuns: 2000 },
    );
  });
});
