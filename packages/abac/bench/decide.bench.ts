// Decisions per second and latency percentiles for the same 24-policy set (20 allows, 4 denies)
// and the same 1,000 request shapes in a plain-JS evaluator written here (the baseline every
// ratio is against), @sightline/abac, Casbin (ABAC with eval rules) and Cedar (cedar-wasm,
// policies pre-parsed once, its fastest mode), asserting first that all of them decide every
// shape identically. Then explain on, audit chain on (whole request or evidence recorded,
// sealing included), 10,000 policies, and the design policies (roles, MFA, CIDR) against a
// plain-JS evaluator of the same rules.
import { compare, formatRate, median, percentile } from '@sightline/bench';
import { createHash } from 'node:crypto';
import { designPolicies } from '../test/design-policies.js';
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

// --- the plain-JS baseline: the same policies as data, evaluated by direct property reads
// (no validation, no explanations, no audit): what a hand-written check in an app costs.
interface PlainPolicy { action: string; type: string | undefined; dept: string; level: number }
const plainDenies = set.filter((p) => p.effect === 'deny').map((p) => p.target!.actions![0]!);
const plainAllows: PlainPolicy[] = set.filter((p) => p.effect === 'allow').map((p) => {
  const cond = p.condition as unknown as { all: { value: unknown }[] };
  return { action: p.target!.actions![0]!, type: p.target!.resourceTypes![0], dept: cond.all[0]!.value as string, level: cond.all[1]!.value as number };
});
const plainDecide = (request: AccessRequest): 'allow' | 'deny' => {
  const { action, resource, subject, context } = request;
  for (let i = 0; i < plainDenies.length; i++) if (plainDenies[i] === action && resource.env === 'prod' && context?.mfa === false) return 'deny';
  for (let i = 0; i < plainAllows.length; i++) {
    const p = plainAllows[i]!;
    if (p.action === action && p.type === resource.type && subject.dept === p.dept && (context?.level as number) >= p.level) return 'allow';
  }
  return 'deny';
};

// --- identical decisions first
let allows = 0;
for (let i = 0; i < shapes.length; i++) {
  const ours = sightline.decide(requests[i]!).decision;
  const theirs = [cedarDecide(i), casbinDecide(i), plainDecide(requests[i]!)];
  if (theirs.some((t) => t !== ours)) throw new Error(`shape ${i} ${JSON.stringify(shapes[i])}: sightline ${ours}, cedar ${theirs[0]}, casbin ${theirs[1]}, plain JS ${theirs[2]}`);
  if (ours === 'allow') allows++;
}
console.log(`\nAll four evaluators agree on all ${shapes.length} request shapes (${allows} allow, ${shapes.length - allows} deny).`);

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
// The audit chain's reference: what a hand-written chain costs — the plain evaluator's decision,
// then JSON.stringify of an entry holding the request as it is (no masking, no cutting, no copy
// of odd values), joined and SHA-256 hashed per 1,024 entries.
let plainHash = '0'.repeat(64);
let plainEntries: string[] = [];
let plainSeq = 0;
const plainAudit = (request: AccessRequest): 'allow' | 'deny' => {
  const decision = plainDecide(request);
  plainEntries.push(JSON.stringify({ seq: ++plainSeq, time: Date.now(), principal: request.subject.id, action: request.action, resource: `${request.resource.type}:${String(request.resource.id)}`, decision, input: request }));
  if (plainEntries.length === 1_024) plainSeal();
  return decision;
};
const plainSeal = () => {
  if (plainEntries.length === 0) return;
  plainHash = createHash('sha256').update(plainHash).update('\n').update(`[${plainEntries.join(',')}]`).digest('hex');
  plainEntries = [];
};
let sink = 0;
const over = (decideOne: (i: number) => unknown) => (n: number) => {
  for (let k = 0; k < n; k++) if (decideOne(k % 1_000) === 'allow') sink++;
};
const main = await compare(
  'decisions, 24 policies x 1,000 request shapes',
  [
    { name: 'plain JS evaluator of the same policies (baseline)', run: over((i) => plainDecide(requests[i]!)) },
    { name: '@sightline/abac', run: over((i) => sightline.decide(requests[i]!).decision) },
    { name: 'cedar-wasm (pre-parsed policy set)', run: over(cedarDecide) },
    { name: 'casbin 5 (enforceSync, eval rules)', run: over(casbinDecide) },
    { name: '@sightline/abac, explain on', run: over((i) => sightline.decide(requests[i]!, { explain: true }).decision) },
    { name: 'plain JS evaluator + JSON.stringify of each entry, SHA-256 per 1,024 (hand-written chain)', run: (n) => { over((i) => plainAudit(requests[i]!))(n); plainSeal(); } },
    { name: '@sightline/abac, audit chain on, every decision, whole request (incl. sealing)', run: async (n) => { over((i) => audited.decide(requests[i]!).decision)(n); await trail.flush(); } },
    { name: '@sightline/abac, audit chain on, every decision, evidence input (incl. sealing)', run: async (n) => { over((i) => evidenced.decide(requests[i]!).decision)(n); await evidenceTrail.flush(); } },
    { name: '@sightline/abac, 10,000 policies over 400 types', run: over((i) => big.decide(requests[i]!).decision) },
    { name: '@sightline/abac, 10,000 policies on 24 (action, type) pairs', run: over((i) => crowded.decide(requests[i]!).decision) },
  ],
  { operations: 20_000, runs: 5 },
);

// --- the design policies (role inheritance, MFA, trusted networks by CIDR, a deny) against a
// plain-JS evaluator of the same rules, over 1,000 requests with IPv4 and IPv6 addresses
const designAuthorizer = createAuthorizer(designPolicies);
const ROLES = ['viewer', 'engineer', 'sre', 'finance', 'admin'];
const IPS = ['10.1.2.3', '192.168.1.9', '10.200.0.1', '2001:db8::7', '172.16.0.1', '10.0.0.255'];
const designRequests: AccessRequest[] = Array.from({ length: 1_000 }, () => ({
  subject: { id: 'u1', kind: 'user', roles: [ROLES[random(ROLES.length)]!] },
  action: ['read', 'write', 'delete'][random(3)]!,
  resource: { type: random(2) === 0 ? 'metrics' : 'billing', id: 'r1', env: random(2) === 0 ? 'production' : 'staging' },
  context: { mfa: random(3) !== 0, ip: IPS[random(IPS.length)]! },
}));
const heldRoles: Record<string, ReadonlySet<string>> = { viewer: new Set(['viewer']), engineer: new Set(['engineer', 'viewer']), sre: new Set(['sre', 'engineer', 'viewer']), finance: new Set(['finance']), admin: new Set(['admin', 'sre', 'engineer', 'viewer', 'finance']) };
// The trusted networks as a hand-written app would check them: a strict IPv4 in 10.0.0.0/8, or an
// address in 2001:db8::/32 by prefix. No closures or allocation per request.
const IPV4_IN_10 = /^10\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const trusted = (ip: string) => IPV4_IN_10.test(ip) || ip.startsWith('2001:db8:');
const holds = (roles: readonly string[], role: string) => {
  for (let i = 0; i < roles.length; i++) if (heldRoles[roles[i]!]?.has(role) === true) return true;
  return false;
};
const plainDesign = (r: AccessRequest): 'allow' | 'deny' => {
  const roles = r.subject.roles as string[];
  const env = r.resource.env;
  const mfa = r.context?.mfa;
  if (r.action === 'delete' && env === 'production') return 'deny';
  if (r.action === 'read' && r.resource.type === 'metrics' && holds(roles, 'engineer')) {
    if (env !== 'production') return 'allow';
    if (mfa === true && trusted(r.context?.ip as string)) return 'allow';
  }
  if (r.action === 'read' && r.resource.type === 'billing' && mfa === true && holds(roles, 'finance')) return 'allow';
  if ((r.action === 'read' || r.action === 'write' || r.action === 'delete') && holds(roles, 'admin')) return 'allow';
  return 'deny';
};
let designAllows = 0;
for (const r of designRequests) {
  const ours = designAuthorizer.decide(r).decision;
  if (ours !== plainDesign(r)) throw new Error(`design request ${JSON.stringify(r)}: sightline ${ours}, plain JS ${plainDesign(r)}`);
  if (ours === 'allow') designAllows++;
}
console.log(`\nDesign policies: @sightline/abac and the plain-JS evaluator agree on all 1,000 requests (${designAllows} allow).`);
const overDesign = (decideOne: (r: AccessRequest) => unknown) => (n: number) => {
  for (let k = 0; k < n; k++) if (decideOne(designRequests[k % 1_000]!) === 'allow') sink++;
};
const design = await compare(
  'decisions, design policies (roles, MFA, CIDR) x 1,000 requests',
  [
    { name: 'plain JS evaluator of the same rules (baseline)', run: overDesign(plainDesign) },
    { name: '@sightline/abac', run: overDesign((r) => designAuthorizer.decide(r).decision) },
  ],
  { operations: 100_000, runs: 7 },
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
console.log(`| plain JS evaluator | ${latency((i) => plainDecide(requests[i]!), 50_000)} |`);
console.log(`| cedar-wasm | ${latency(cedarDecide, 5_000)} |`);
console.log(`| casbin | ${latency(casbinDecide, 5_000)} |`);
console.log(`| @sightline/abac | ${latency((i) => sightline.decide(requests[i]!), 50_000)} |`);
console.log(`| @sightline/abac, design policies | ${latency((i) => designAuthorizer.decide(designRequests[i]!), 50_000)} |`);
console.log(`| @sightline/abac, explain | ${latency((i) => sightline.decide(requests[i]!, { explain: true }), 50_000)} |`);
console.log(`| @sightline/abac, 10,000 policies over 400 types | ${latency((i) => big.decide(requests[i]!), 50_000)} |`);
const speed = (results: { nsPerOp: number }[]) => (results[0]!.nsPerOp / results[1]!.nsPerOp).toFixed(2);
console.log(`\n@sightline/abac speed relative to the plain-JS evaluator in this run (higher is better, 1.00 = as fast): 24 policies ${speed(main)}x, design policies ${speed(design)}x; audit chain on (whole request) ${formatRate(main.find((r) => r.name.includes('whole request'))!.opsPerSecond)}, ${speed([main.find((r) => r.name.includes('hand-written chain'))!, main.find((r) => r.name.includes('whole request'))!])}x the hand-written chain.`);
if (sink < 0) console.log(sink, median([0]));
