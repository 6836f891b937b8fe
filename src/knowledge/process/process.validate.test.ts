import { describe, expect, it } from 'vitest';
import { formatProblem } from '../rules/problem.js';
import { parseProcess, validateProcess } from './process.validate.js';

const resetPassword = [
  { id: 's1', prompt: 'What is the email on your account?', slot: 'email' },
  { id: 's2', prompt: 'We sent a reset link to {email}.' },
];

/** A refund flow with a branch on a slot and one on the customer context. */
const refund = [
  { id: 'order', prompt: 'What is your order number?', slot: 'orderId', validate: { type: 'orderId' } },
  {
    id: 'used',
    prompt: 'Has the item been used?',
    slot: 'used',
    validate: { type: 'enum', values: ['yes|是', 'no|否'] },
    branches: [
      { when: { fact: 'slots.used', op: 'eq', value: 'yes' }, next: 'decline' },
      { when: { fact: 'customer.tier', op: 'eq', value: 'gold' }, next: 'instant' },
    ],
    next: 'reason',
  },
  { id: 'reason', prompt: 'Why are you returning order {orderId}?', slot: 'reason', next: 'done' },
  { id: 'instant', prompt: 'As a gold member your refund for {orderId} is approved.', end: true },
  { id: 'decline', prompt: 'Used items cannot be refunded.', end: true },
  { id: 'done', prompt: 'Thanks, we will review order {orderId}.' },
];

function problems(steps: unknown): string[] {
  return validateProcess(steps).problems.map(formatProblem);
}

function codes(steps: unknown): string[] {
  return validateProcess(steps).problems.map((p) => p.code);
}

describe('validateProcess accepts', () => {
  it.each<[string, unknown]>([
    ['the contract example', resetPassword],
    ['a branching flow', refund],
    ['a single informational step', [{ id: 'only', prompt: 'Our shop opens at 9.' }]],
    [
      'a loop that asks for input and has an exit',
      [
        { id: 'ask', prompt: 'Your code?', slot: 'code', validate: { type: 'regex', pattern: '\\d{6}' } },
        { id: 'check', prompt: 'Checking {code}.', branches: [{ when: { fact: 'slots.code', op: 'eq', value: '000000' }, next: 'ask' }] },
        { id: 'ok', prompt: 'Code {code} accepted.' },
      ],
    ],
    [
      'a slot filled on both paths before it is used',
      [
        { id: 'a', prompt: 'Member?', slot: 'member', validate: { type: 'enum', values: ['yes', 'no'] }, branches: [{ when: { fact: 'slots.member', op: 'eq', value: 'yes' }, next: 'b' }], next: 'c' },
        { id: 'b', prompt: 'Card number?', slot: 'contact', next: 'd' },
        { id: 'c', prompt: 'Email?', slot: 'contact', validate: { type: 'email' } },
        { id: 'd', prompt: 'We will reach you at {contact}. Literal {{braces}} and { spaced } text are fine.' },
      ],
    ],
    ['Chinese slot names and prompts', [{ id: '问', prompt: '请问您的手机号？', slot: '手机', validate: { type: 'phone' } }, { id: '答', prompt: '已记录 {手机}。' }]],
  ])('%s', (_name, steps) => {
    expect(problems(steps)).toEqual([]);
    expect(validateProcess(steps).ok).toBe(true);
  });

  it('parseProcess returns the typed steps, trimmed', () => {
    const result = parseProcess([{ id: ' s1 ', prompt: ' Hello ' }]);
    expect(result).toEqual({ ok: true, value: [{ id: 's1', prompt: 'Hello' }] });
  });
});

describe('validateProcess rejects', () => {
  it.each<[string, unknown, string[]]>([
    ['a non-array', { steps: [] }, ['steps: expected an array, got an object']],
    ['no steps', [], ['steps: a process needs at least one step']],
    ['a step without a prompt', [{ id: 's1' }], ['steps[0].prompt: is required']],
    ['an unknown field', [{ id: 's1', prompt: 'x', goto: 's2' }], ['steps[0].goto: unknown field']],
    ['an invalid slot name', [{ id: 's1', prompt: 'x', slot: 'e-mail' }], ['steps[0].slot: must be a name such as "email" or "order_id" (letters, digits, underscores)']],
    [
      'an unknown validator type',
      [{ id: 's1', prompt: 'x', slot: 'a', validate: { type: 'postcode' } }],
      ['steps[0].validate.type: unknown validator type "postcode" (expected one of string, email, phone, number, integer, date, enum, regex, orderId)'],
    ],
    [
      'a branch condition outside the rule grammar, with its path',
      [{ id: 's1', prompt: 'x', slot: 'a', branches: [{ when: { fact: 'slots.a', op: 'lessThan', value: 3 }, next: 's1' }] }],
      ['steps[0].branches[0].when.op: unknown operator "lessThan" (expected one of eq, ne, lt, lte, gt, gte, in, nin, contains, exists, notExists)'],
    ],
    ['an empty branches list', [{ id: 's1', prompt: 'x', branches: [] }], ['steps[0].branches: needs at least 1 item']],
  ])('the grammar: %s', (_name, steps, expected) => {
    expect(problems(steps)).toEqual(expected);
  });

  it('more steps than the limit', () => {
    const steps = Array.from({ length: 201 }, (_, i) => ({ id: `s${i}`, prompt: 'x' }));
    expect(problems(steps)).toEqual(['steps: has more than 200 items']);
  });

  it.each<[string, unknown, string, string[]]>([
    [
      'duplicate step ids',
      [{ id: 's1', prompt: 'a', slot: 'x' }, { id: 's1', prompt: 'b' }],
      'duplicate-step-id',
      ['steps[1].id: duplicate step id "s1" (first used by steps[0])'],
    ],
    [
      'an unknown next',
      [{ id: 's1', prompt: 'a', next: 's9' }, { id: 's2', prompt: 'b' }],
      'unknown-step',
      ['steps[0].next: unknown step "s9"', 'steps[1]: step "s2" cannot be reached from the first step'],
    ],
    [
      'an unknown branch target',
      [{ id: 's1', prompt: 'a', slot: 'x', branches: [{ when: { fact: 'slots.x', op: 'exists' }, next: 'nowhere' }] }],
      'unknown-step',
      ['steps[0].branches[0].next: unknown step "nowhere"'],
    ],
    [
      'an unreachable step',
      [{ id: 's1', prompt: 'a', next: 's3' }, { id: 's2', prompt: 'b' }, { id: 's3', prompt: 'c' }],
      'unreachable-step',
      ['steps[1]: step "s2" cannot be reached from the first step'],
    ],
    [
      'a cycle with no way out',
      [{ id: 's1', prompt: 'a', slot: 'x' }, { id: 's2', prompt: 'b', slot: 'y', next: 's1' }, { id: 's3', prompt: 'never' }],
      'no-path-to-end',
      [
        'steps[2]: step "s3" cannot be reached from the first step',
        'steps[0]: no path from step "s1" reaches an end (a dead end or a cycle without exit)',
        'steps[1]: no path from step "s2" reaches an end (a dead end or a cycle without exit)',
      ],
    ],
    [
      'a branch-only dead end',
      [
        { id: 's1', prompt: 'a', slot: 'x', branches: [{ when: { fact: 'slots.x', op: 'eq', value: 'loop' }, next: 's2' }], next: 's3' },
        { id: 's2', prompt: 'b', slot: 'y', next: 's2' },
        { id: 's3', prompt: 'c' },
      ],
      'no-path-to-end',
      ['steps[1]: no path from step "s2" reaches an end (a dead end or a cycle without exit)'],
    ],
    [
      'a loop through steps that never ask for input',
      [
        { id: 's1', prompt: 'a', slot: 'x' },
        { id: 's2', prompt: 'b', next: 's3' },
        { id: 's3', prompt: 'c', branches: [{ when: { fact: 'slots.x', op: 'eq', value: 'stop' }, next: 's4' }], next: 's2' },
        { id: 's4', prompt: 'd' },
      ],
      'cycle-without-input',
      ['steps[1]: steps "s2", "s3" loop without asking for input'],
    ],
    ['a step that loops to itself without input', [{ id: 's1', prompt: 'a', branches: [{ when: { fact: 'x', op: 'exists' }, next: 's2' }], next: 's1' }, { id: 's2', prompt: 'b' }], 'cycle-without-input', ['steps[0]: steps "s1" loop without asking for input']],
    [
      'a placeholder for a slot no step fills',
      [{ id: 's1', prompt: 'Hi {name}' }],
      'unfilled-slot',
      ['steps[0].prompt: {name} names a slot no step fills'],
    ],
    [
      'a placeholder for the step’s own slot',
      [{ id: 's1', prompt: 'Is {email} right?', slot: 'email' }],
      'unfilled-slot',
      ['steps[0].prompt: {email} is not filled by any step before this one'],
    ],
    [
      'a placeholder filled only later',
      [{ id: 's1', prompt: 'Sending to {email}' }, { id: 's2', prompt: 'Email?', slot: 'email' }],
      'unfilled-slot',
      ['steps[0].prompt: {email} is not filled by any step before this one'],
    ],
    [
      'a placeholder filled on one branch only',
      [
        { id: 'a', prompt: 'Member?', slot: 'member', branches: [{ when: { fact: 'slots.member', op: 'eq', value: 'yes' }, next: 'b' }], next: 'c' },
        { id: 'b', prompt: 'Card?', slot: 'card' },
        { id: 'c', prompt: 'Thanks, card {card}.' },
      ],
      'unfilled-slot',
      ['steps[2].prompt: {card} is not filled on every path to this step'],
    ],
    [
      'a branch reading a slot nothing fills',
      [{ id: 's1', prompt: 'a', slot: 'order', branches: [{ when: { fact: 'slots.ordr', op: 'exists' }, next: 's2' }] }, { id: 's2', prompt: 'b' }],
      'unknown-slot',
      ['steps[0].branches[0].when: reads "slots.ordr", which no step fills before this branch'],
    ],
    [
      'a branch reading inside a slot value',
      [{ id: 's1', prompt: 'a', slot: 'order', branches: [{ when: { fact: 'slots.order.id', op: 'exists' }, next: 's2' }] }, { id: 's2', prompt: 'b' }],
      'unknown-slot',
      ['steps[0].branches[0].when: "slots.order.id" is not a slot; write "slots.<name>"'],
    ],
    [
      'end together with next',
      [{ id: 's1', prompt: 'a', end: true, next: 's2' }, { id: 's2', prompt: 'b' }],
      'conflicting-flow',
      ['steps[0].end: a step that ends the process has no "next" or "branches"', 'steps[1]: step "s2" cannot be reached from the first step'],
    ],
  ])('the flow: %s', (_name, steps, code, expected) => {
    expect(problems(steps)).toEqual(expected);
    expect(codes(steps)).toContain(code);
  });

  it.each<[string, unknown, string[]]>([
    ['an invalid regex', { type: 'regex', pattern: '([a-z' }, ['steps[0].validate.pattern: invalid regular expression: Invalid regular expression: /^(?:([a-z)$/u: Unterminated character class']],
    ['a regex without a pattern', { type: 'regex' }, ['steps[0].validate.pattern: a "regex" validation needs a pattern']],
    ['an invalid orderId pattern', { type: 'orderId', pattern: '*' }, ['steps[0].validate.pattern: invalid regular expression: Invalid regular expression: /^(?:*)$/u: Nothing to repeat']],
    ['an enum without values', { type: 'enum' }, ['steps[0].validate.values: an "enum" validation needs values']],
    ['an enum value listed twice', { type: 'enum', values: ['yes|是', 'Yes'] }, ['steps[0].validate.values[1]: "Yes" is already accepted by values[0]']],
    ['values on an email', { type: 'email', values: ['a'] }, ['steps[0].validate.values: does not apply to "email" validation']],
    ['a pattern on a number', { type: 'number', pattern: '\\d+' }, ['steps[0].validate.pattern: does not apply to "number" validation']],
    ['min above max', { type: 'integer', min: 10, max: 1 }, ['steps[0].validate.min: is greater than max (1)']],
    ['a string bound on a number', { type: 'number', min: 'one' }, ['steps[0].validate.min: must be a number']],
    ['a non-ISO date bound', { type: 'date', max: '31/12/2024' }, ['steps[0].validate.max: must be a date like "2024-01-31"']],
    ['date bounds out of order', { type: 'date', min: '2024-12-31', max: '2024-01-01' }, ['steps[0].validate.min: is greater than max (2024-01-01)']],
    ['a fractional length', { type: 'string', max: 2.5 }, ['steps[0].validate.max: must be a whole number of characters']],
  ])('validators: %s', (_name, validate, expected) => {
    expect(problems([{ id: 's1', prompt: 'x', slot: 'a', validate }])).toEqual(expected);
    expect(codes([{ id: 's1', prompt: 'x', slot: 'a', validate }])).toEqual(expected.map(() => 'invalid-validator'));
  });

  it('validators: a validate block on a step without a slot', () => {
    expect(problems([{ id: 's1', prompt: 'x', validate: { type: 'email' } }])).toEqual([
      'steps[0].validate: validates an answer but the step has no "slot"',
    ]);
  });

  it('uses the given path prefix', () => {
    expect(validateProcess([{ id: 's1', prompt: 'a', next: 'x' }], { at: 'process.steps' }).problems[0]?.path).toBe('process.steps[0].next');
  });
});
