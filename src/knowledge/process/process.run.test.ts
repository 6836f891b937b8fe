import { describe, expect, it } from 'vitest';
import type { ProcessStep } from './process.schema.js';
import { advance, start, type ProcessDefinition, type ProcessState } from './process.run.js';
import { renderPrompt } from './placeholders.js';
import { validateProcess } from './process.validate.js';

const resetPassword: ProcessDefinition = {
  steps: [
    { id: 's1', prompt: 'What is the email on your account?', slot: 'email', validate: { type: 'email' } },
    { id: 's2', prompt: 'We sent a reset link to {email}.' },
  ],
};

const refundSteps: ProcessStep[] = [
  { id: 'intro', prompt: 'Let us look at your refund.' },
  { id: 'order', prompt: 'What is your order number?', slot: 'orderId', validate: { type: 'orderId' } },
  {
    id: 'used',
    prompt: 'Has order {orderId} been used?',
    slot: 'used',
    validate: { type: 'enum', values: ['yes|是', 'no|否'] },
    branches: [
      { when: { fact: 'slots.used', op: 'eq', value: 'yes' }, next: 'decline' },
      { when: { fact: 'customer.tier', op: 'eq', value: 'gold' }, next: 'instant' },
    ],
    next: 'reason',
  },
  { id: 'reason', prompt: 'Why are you returning {orderId}?', slot: 'reason', next: 'done' },
  { id: 'instant', prompt: 'As a gold member your refund for {orderId} is approved.', end: true },
  { id: 'decline', prompt: 'Used items cannot be refunded.', end: true },
  { id: 'done', prompt: 'Thanks, we will review {orderId}: "{reason}".' },
];
const refund: ProcessDefinition = { steps: refundSteps };

/** Runs answers in order and returns every turn. */
function run(process: ProcessDefinition, answers: string[], context?: unknown) {
  const turns = [start(process, { context })];
  for (const answer of answers) turns.push(advance(process, turns[turns.length - 1]!.state, answer, { context }));
  return turns;
}

describe('process runner', () => {
  it('the examples are valid processes', () => {
    expect(validateProcess(resetPassword.steps).problems).toEqual([]);
    expect(validateProcess(refund.steps).problems).toEqual([]);
  });

  it('starts with the first prompt and waits on its slot', () => {
    expect(start(resetPassword)).toEqual({
      state: { stepId: 's1', slots: {}, attempts: 0, done: false, language: 'en' },
      reply: 'What is the email on your account?',
      messages: ['What is the email on your account?'],
      done: false,
    });
  });

  it('fills the slot, renders it into the next prompt and ends', () => {
    const [, last] = run(resetPassword, ['li@example.com']);
    expect(last).toEqual({
      state: { stepId: null, slots: { email: 'li@example.com' }, attempts: 0, done: true, language: 'en' },
      reply: 'We sent a reset link to li@example.com.',
      messages: ['We sent a reset link to li@example.com.'],
      done: true,
    });
  });

  it('answers an invalid slot value with a hint and the question again, counting attempts', () => {
    const [, first, second, third] = run(resetPassword, ['not an email', 'still@', 'li@example.com']);
    expect(first).toMatchObject({
      done: false,
      state: { stepId: 's1', slots: {}, attempts: 1 },
      messages: ['Please enter a valid email address, like name@example.com.', 'What is the email on your account?'],
      error: { code: 'invalid-answer', slot: 'email', failure: 'format' },
    });
    expect(second?.state.attempts).toBe(2);
    expect(third).toMatchObject({ done: true, state: { attempts: 0, slots: { email: 'li@example.com' } } });
    expect(third?.error).toBeUndefined();
  });

  it('passes through informational steps, joining their prompts', () => {
    expect(start(refund).messages).toEqual(['Let us look at your refund.', 'What is your order number?']);
    expect(start(refund).reply).toBe('Let us look at your refund.\nWhat is your order number?');
  });

  it.each<[string, string[], unknown, string, Record<string, unknown>]>([
    ['a slot branch', ['a12345', 'yes'], {}, 'Used items cannot be refunded.', { orderId: 'A12345', used: 'yes' }],
    ['a Chinese answer to the same branch', ['A12345', '是'], {}, 'Used items cannot be refunded.', { orderId: 'A12345', used: 'yes' }],
    ['a customer-context branch', ['A12345', '否'], { customer: { tier: 'gold' } }, 'As a gold member your refund for A12345 is approved.', { used: 'no' }],
    ['the fallthrough when no branch holds', ['A12345', 'no', 'too small'], { customer: { tier: 'silver' } }, 'Thanks, we will review A12345: "too small".', { reason: 'too small' }],
  ])('follows %s', (_name, answers, context, reply, slots) => {
    const turns = run(refund, answers, context);
    const last = turns[turns.length - 1]!;
    expect(last.reply).toBe(reply);
    expect(last.done).toBe(true);
    expect(last.state.slots).toMatchObject(slots);
  });

  it('renders earlier slots into a question', () => {
    const [, afterOrder] = run(refund, ['#a12345']);
    expect(afterOrder?.reply).toBe('Has order A12345 been used?');
  });

  it('speaks Chinese hints when the process is Chinese', () => {
    const zh: ProcessDefinition = {
      language: 'zh',
      steps: [
        { id: '手机', prompt: '请输入您的手机号。', slot: 'phone', validate: { type: 'phone' } },
        { id: '确认', prompt: '验证码已发送至 {phone}。' },
      ],
    };
    const [first, bad, good] = run(zh, ['12345', '+86 139 0000 1111']);
    expect(first?.state.language).toBe('zh');
    expect(bad?.messages).toEqual(['请输入有效的电话号码，例如 13812345678。', '请输入您的手机号。']);
    expect(good?.reply).toBe('验证码已发送至 13900001111。');
  });

  it('lets the caller choose the language of hints', () => {
    const turn = start(resetPassword, { language: 'zh' });
    expect(advance(resetPassword, turn.state, 'x').messages[0]).toBe('请输入有效的邮箱地址，例如 name@example.com。');
  });

  it('ends with an empty reply when the last step asks a question', () => {
    const survey: ProcessDefinition = { steps: [{ id: 'rate', prompt: 'Rate us 1-5', slot: 'score', validate: { type: 'integer', min: 1, max: 5 } }] };
    const [, out, done] = run(survey, ['9', '4']);
    expect(out?.error).toMatchObject({ failure: 'range', message: 'Please enter a number from 1 to 5.' });
    expect(done).toMatchObject({ done: true, reply: '', messages: [], state: { slots: { score: 4 } } });
  });

  it('loops back to re-ask and overwrites the slot', () => {
    const retry: ProcessDefinition = {
      steps: [
        { id: 'ask', prompt: 'Code?', slot: 'code', validate: { type: 'regex', pattern: '\\d{4}' } },
        { id: 'check', prompt: 'Checking {code}.', branches: [{ when: { fact: 'slots.code', op: 'eq', value: '0000' }, next: 'ask' }] },
        { id: 'ok', prompt: 'Accepted {code}.' },
      ],
    };
    const [, again, done] = run(retry, ['0000', '1234']);
    expect(again?.messages).toEqual(['Checking 0000.', 'Code?']);
    expect(done?.messages).toEqual(['Checking 1234.', 'Accepted 1234.']);
  });

  it('never mutates the state it is given', () => {
    const state = Object.freeze(start(resetPassword).state);
    const slots = Object.freeze(state.slots);
    expect(() => advance(resetPassword, { ...state, slots }, 'li@example.com')).not.toThrow();
    expect(state.slots).toEqual({});
  });

  it.each<[string, ProcessState, string]>([
    ['a finished process', { stepId: null, slots: {}, attempts: 0, done: true, language: 'en' }, 'process-done'],
    ['a step that no longer exists', { stepId: 'gone', slots: {}, attempts: 0, done: false, language: 'en' }, 'invalid-state'],
    ['a step without a slot', { stepId: 's2', slots: {}, attempts: 0, done: false, language: 'en' }, 'invalid-state'],
  ])('reports %s as an error and finishes', (_name, state, code) => {
    const turn = advance(resetPassword, state, 'x');
    expect(turn.error?.code).toBe(code);
    expect(turn.done).toBe(true);
  });

  it('stops an unvalidated loop that never asks for input', () => {
    const broken: ProcessDefinition = { steps: [{ id: 'a', prompt: 'A', next: 'b' }, { id: 'b', prompt: 'B', next: 'a' }] };
    const turn = start(broken);
    expect(turn.error).toEqual({ code: 'loop', message: 'step "a" repeats without input' });
    expect(turn.messages).toEqual(['A', 'B']);
    expect(turn.done).toBe(true);
  });

  it('an empty process is done at once', () => {
    expect(start({ steps: [] })).toMatchObject({ done: true, reply: '' });
  });

  it('state survives a JSON round trip between turns', () => {
    const first = start(refund);
    const stored = JSON.parse(JSON.stringify(first.state)) as ProcessState;
    expect(advance(refund, stored, 'A12345').reply).toBe('Has order A12345 been used?');
  });
});

describe('renderPrompt', () => {
  it.each<[string, Record<string, string | number>, string]>([
    ['Hi {name}', { name: 'Li' }, 'Hi Li'],
    ['{n} items', { n: 3 }, '3 items'],
    ['您好，{姓名}', { 姓名: '张三' }, '您好，张三'],
    ['Use {{braces}} for {x}', { x: 'y' }, 'Use {braces} for y'],
    ['{ not a slot } and {order.id}', {}, '{ not a slot } and {order.id}'],
    ['Missing {slot} stays visible', {}, 'Missing {slot} stays visible'],
    ['No inherited {constructor}', {}, 'No inherited {constructor}'],
  ])('%s', (prompt, slots, expected) => {
    expect(renderPrompt(prompt, slots)).toBe(expected);
  });
});
