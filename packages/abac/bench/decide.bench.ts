// Decisions per second and latency percentiles for the same 24-policy set (20 allows, 4 denies)
// and the same 1,000 request shapes in @sightline/abac, Casbin (ABAC with eval rules) and
// Cedar (cedar-wasm, policies pre-parsed once, its fastest mode), asserting first that all three
// decide every shape identically. Then explain on, audit chain on (whole request or evidence
// recorded, sealing included), and 10,000 policies.
import { compare, percentile } from '@sightline/bench';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString } from 'casbin';
import { AuditTrail, createAuthorizer, type AccessRequest, type Policy } from '../src/index.js';

const ACTIONS = 6;
const TYPES = 4;
const DEPTS = 4;

function policies(allows: number, types = TYPES): Policy[] {
  const out: Policy[] = [];
  for (let i = 0; i < allows; i++) {
    out.push({
      id: `allow-${i}`,
      effect: 'allow',
      target: { actions: [`a${i % ACTIONS}`], resourceTypes: [`T${(i >> 1) % types}`] },
      condition: { all: [{ attr: 'subject.dept', op: 'equals', value: `d${i % DEPTS}` }, { attr: 'context.level', op: 'greater_than_or_equal', value: i % 3 }] },
    });
  }
  for (let k = 0; k < 4; k++) {
    out.push({ id: `deny-${k}`, effect: 'deny', target: { actions: [`a${k}`] }, condition: { all: [{ attr: 'resource.env', op: 'equals', value: 'prod' }, { attr: 'context.mfa', op: 'equals', value: false }] } });
  }
  return out;
}

let seed = 7;
const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
const shapes = Array.from({ length: 1_000 }, () => ({
  dept: `d${random(DEPTS)}`,
  action: `a${random(ACTIONS)}`,
  type: `T${random(TYPES)}`,
  env: random(2) === 0 ? 'prod' : 'dev',
  level: random(4),
  mfa: random(2) === 0,
}));
const requests: AccessRequest[] = shapes.map((s) => ({ subject: { id: 'u', dept: s.dept }, action: s.action, resource: { type: s.type, id: 'r', env: s.env }, context: { level: s.level, mfa: s.mfa } }));

// --- the three engines on the same 24 policies
const set = policies(20);
const sightline = createAuthorizer({ policies: set });

const cedarText = set
  .map((p) => {
    const cond = p.condition as unknown as { all: { attr: string; value: unknown }[] };
    const action = p.target!.actions![0]!;
    if (p.effect === 'deny') return `@id("${p.id}") forbid(principal, action == Action::"${action}", resource) when { resource.env == "prod" && context.mfa == false };`;
    return `@id("${p.id}") permit(principal, action == Action::"${action}", resource is ${p.target!.resourceTypes![0]}) when { principal.dept == "${cond.all[0]!.value as string}" && context.level >= ${cond.all[1]!.value as number} };`;
  })
  .join('\n');
const parsed = cedar.preparsePolicySet('bench', { staticPolicies: cedarText });
if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed)}`);
const cedarCalls = shapes.map((s) => ({
  principal: { type: 'User', id: 'u' },
  action: { type: 'Action', id: s.action },
  resource: { type: s.type, id: 'r' },
  context: { level: s.level, mfa: s.mfa },
  preparsedPolicySetId: 'bench',
  entities: [
    { uid: { type: 'User', id: 'u' }, attrs: { dept: s.dept }, parents: [] },
    { uid: { type: s.type, id: 'r' }, attrs: { env: s.env }, parents: [] },
  ],
}));
const cedarDecide = (i: number) => {
  const answer = cedar.statefulIsAuthorized(cedarCalls[i]!);
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
  return answer.response.decision;
};

const model = newModelFromString(`
[request_definition]
r = sub, obj, act, ctx
[policy_definition]
p = sub_rule, obj_type, act, eft
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = r.act == p.act && (p.obj_type == "*" || r.obj.type == p.obj_type) && eval(p.sub_rule)
`);
const enforcer = await newEnforcer(model);
await enforcer.addPolicies(
  set.map((p) => {
    const cond = p.condition as unknown as { all: { value: unknown }[] };
    if (p.effect === 'deny') return ['r.obj.env == "prod" && r.ctx.mfa == false', '*', p.target!.actions![0]!, 'deny'];
    return [`r.sub.dept == "${cond.all[0]!.value as string}" && r.ctx.level >= ${cond.all[1]!.value as number}`, p.target!.resourceTypes![0]!, p.target!.actions![0]!, 'allow'];
  }),
);
const casbinArgs = shapes.map((s) => [{ dept: s.dept }, { type: s.type, env: s.env }, s.action, { level: s.level, mfa: s.mfa }]);
const casbinDecide = (i: number) => (enforcer.enforceSync(...casbinArgs[i]!) ? 'allow' : 'deny');

// --- identical decisions first
let allows = 0;
for (let i = 0; i < shapes.length; i++) {
  const ours = sightline.decide(requests[i]!).decision;
  const theirs = [cedarDecide(i), casbinDecide(i)];
  if (theirs[0] !== ours || theirs[1] !== ours) throw new Error(`shape ${i} ${JSON.stringify(shapes[i])}: sightline ${ours}, cedar ${theirs[0]}, casbin ${theirs[1]}`);
  if (ours === 'allow') allows++;
}
console.log(`\nAll three engines agree on all ${shapes.length} request shapes (${allows} allow, ${shapes.length - allows} deny).`);

// --- throughput
// Audit rows record every decision (allowSampleRate 1) and count sealing: each run ends with
// `flush()`, so the time includes serialising and hashing every entry, not only `record`.
const trail = new AuditTrail({ sink: { append: async () => undefined } });
const audited = createAuthorizer({ policies: set }, { onDecision: trail.record });
const evidenceTrail = new AuditTrail({ sink: { append: async () => undefined }, input: 'evidence' });
const evidenced = createAuthorizer({ policies: set }, { onDecision: evidenceTrail.record });
// 10,000 policies spread over 400 resource types (the index's case: few apply to any request),
// and the adversarial case: 10,000 policies crowded onto the same 24 (action, type) pairs.
const big = createAuthorizer({ policies: policies(9_996, 400) });
const crowded = createAuthorizer({ policies: policies(9_996) });
let sink = 0;
const over = (decideOne: (i: number) => unknown) => (n: number) => {
  for (let k = 0; k < n; k++) if (decideOne(k % 1_000) === 'allow') sink++;
};
await compare(
  'decisions, 24 policies x 1,000 request shapes',
  [
    { name: 'cedar-wasm (pre-parsed policy set)', run: over(cedarDecide) },
    { name: 'casbin 5 (enforceSync, eval rules)', run: over(casbinDecide) },
    { name: '@sightline/abac', run: over((i) => sightline.decide(requests[i]!).decision) },
    { name: '@sightline/abac, explain on', run: over((i) => sightline.decide(requests[i]!, { explain: true }).decision) },
    { name: '@sightline/abac, audit chain on, every decision, whole request (incl. sealing)', run: async (n) => { over((i) => audited.decide(requests[i]!).decision)(n); await trail.flush(); } },
    { name: '@sightline/abac, audit chain on, every decision, evidence input (incl. sealing)', run: async (n) => { over((i) => evidenced.decide(requests[i]!).decision)(n); await evidenceTrail.flush(); } },
    { name: '@sightline/abac, 10,000 policies over 400 types', run: over((i) => big.decide(requests[i]!).decision) },
    { name: '@sightline/abac, 10,000 policies on 24 (action, type) pairs', run: over((i) => crowded.decide(requests[i]!).decision) },
  ],
  { operations: 20_000, runs: 5 },
);

// --- latency percentiles per decision (hrtime around single calls)
const latency = (decideOne: (i: number) => unknown, n: number) => {
  const samples: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = process.hrtime.bigint();
    decideOne(k % 1_000);
    samples.push(Number(process.hrtime.bigint() - t) / 1_000);
  }
  return `p50 ${percentile(samples, 50).toFixed(2)} µs, p99 ${percentile(samples, 99).toFixed(2)} µs`;
};
console.log('\n| engine | latency per decision |\n|---|---|');
console.log(`| cedar-wasm | ${latency(cedarDecide, 5_000)} |`);
console.log(`| casbin | ${latency(casbinDecide, 5_000)} |`);
console.log(`| @sightline/abac | ${latency((i) => sightline.decide(requests[i]!), 50_000)} |`);
console.log(`| @sightline/abac, explain | ${latency((i) => sightline.decide(requests[i]!, { explain: true }), 50_000)} |`);
console.log(`| @sightline/abac, 10,000 policies over 400 types | ${latency((i) => big.decide(requests[i]!), 50_000)} |`);
if (sink < 0) console.log(sink);
