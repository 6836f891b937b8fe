import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/app.js';
import { CHROMIUM_PATH, ensureInstalled } from '../src/services/local-services.js';
import { eventually, startTestApi, type TestApi } from './harness.js';
import { finished, ingest } from './ingestion-helpers.js';
import { createKeys, loadSeed } from './seed-fixture.js';

/**
 * The web console in a real browser: Debian's chromium driven by playwright-core against the real API (real
 * Neo4j, Redis and models). Screenshots of every screen go to test-artifacts/console/; axe-core checks each
 * screen for WCAG 2 A/AA violations (labels, names, contrast, landmarks).
 */
const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ARTIFACTS = path.join(projectRoot, 'test-artifacts', 'console');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let api: TestApi;
let browser: Browser;
let keys: Awaited<ReturnType<typeof createKeys>>;
const run = randomUUID().slice(0, 8);
const contexts: BrowserContext[] = [];
let site: Server;
let siteUrl: string;
const profileDir = mkdtempSync(path.join(tmpdir(), 'answergraph-console-'));

beforeAll(async () => {
  await ensureInstalled({ browser: true });
  // Fast when the console's sources are unchanged since the last build (npm test builds it before this file).
  execFileSync(process.execPath, [path.join(projectRoot, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  mkdirSync(ARTIFACTS, { recursive: true });
  // A shared 2-core machine runs model builds beside the tests: the seed import alone can pass the 15 s default.
  api = await startTestApi({ RESOLVER_TIMEOUT_MS: '120000' });
  await api.app.startWorkers();
  keys = await createKeys(api, `console-${run}`);
  await loadSeed(api);
  // A fresh profile per run (launch() makes a temporary one; its cache lives in our temp dir).
  // Another origin, like a company's own site, with the widget's one script tag.
  site = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind help centre</title></head>
      <body><main><h1>Northwind help centre</h1><p>Questions? Ask in the chat.</p></main>
      <script src="${api.url}/console/widget.js" data-api-key="${keys.CUSTOMER}" data-language="en" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/help`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, `--disk-cache-dir=${path.join(profileDir, 'cache')}`] });
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await api?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  rmSync(profileDir, { recursive: true, force: true });
});

// A failed test leaves a screenshot of every page it opened, then closes them.
afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const [i, c] of contexts.splice(0).entries()) {
    if (failed) for (const p of c.pages()) await p.screenshot({ path: path.join(ARTIFACTS, `failed-${ctx.task.name.slice(0, 60)}-${i}.png`), fullPage: true }).catch(() => undefined);
    await c.close().catch(() => undefined);
  }
});

async function newPage(): Promise<Page> {
  // bypassCSP: the console's CSP forbids inline scripts, and axe-core is injected as one.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

async function login(page: Page, key: string): Promise<void> {
  await page.goto(`${api.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('viewer').waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core's WCAG 2 A/AA rules on the page as it is now; returns the violations (id and the first targets). */
async function axe(page: Page | Frame): Promise<Array<{ id: string; help: string; targets: string[] }>> {
  if (!(await js<boolean>(page, "'axe' in window"))) await page.addScriptTag({ path: AXE });
  return js(
    page,
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
  );
}

/** Runs a browser-side expression (this file is type-checked without the DOM library). */
const js = <T = unknown>(page: Page | Frame, expression: string) => page.evaluate(expression) as Promise<T>;
const focused = (page: Page) => js<{ id: string; text: string }>(page, "({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent ?? '' })");
/** What the chat remembers under `prefix…` in localStorage: its conversation id and visitor token. */
const stored = async (page: Page | Frame, prefix: string) => {
  const entries = await js<Array<[string, string]>>(page, 'Object.entries(localStorage)');
  const find = (suffix: string) => entries.find(([k]) => k.startsWith(prefix) && k.endsWith(suffix))?.[1] ?? null;
  return { conversationId: find('.conversation'), visitorToken: find('.visitor') };
};

async function screen(page: Page, id: string): Promise<void> {
  await js(page, `location.hash = '#/${id}'`);
  await page.locator(`main[data-screen="${id}"]`).waitFor();
}

describe('web console', () => {
  it('serves-the-built-console-and-the-widget-from-the-api-process', async () => {
    const html = await fetch(`${api.url}/console/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    const body = await html.text();
    expect(body).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/);
    expect(body).not.toMatch(/https?:\/\//); // no CDN
    const widget = await fetch(`${api.url}/console/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    // Any site may frame the chat page; nobody may frame the console itself.
    expect((await fetch(`${api.url}/console/chat.html`)).headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    const deep = await fetch(`${api.url}/console/review/anything`);
    expect(deep.status).toBe(200);
  });

  it('customer-asks-for-a-person-the-agent-sees-it-appear-live-replies-and-the-reply-reaches-the-widget', async () => {
    // The agent's inbox is open before the customer asks: the conversation must appear by itself.
    const agent = await newPage();
    await login(agent, keys.AGENT);
    await agent.locator('main[data-screen="inbox"]').waitFor();

    // The customer is on another site that embeds the widget with one script tag; the chat opens in a frame.
    const customer = await newPage();
    await customer.goto(siteUrl);
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    const chat = customer.frameLocator('iframe[title="Chat with us"]');
    const input = chat.getByLabel('Your message');
    await input.fill('How long does a refund take?');
    await input.press('Enter');
    const answer = chat.getByTestId('chat-bot').last();
    await answer.waitFor();
    await expect.poll(() => answer.getByTestId('citation').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await chat.getByTestId('citation').first().click();
    await chat.getByTestId('source-dialog').waitFor();
    expect(await chat.getByTestId('source-dialog').locator('blockquote').innerText()).not.toBe('');
    await shot(customer, 'widget-citation');
    await customer.keyboard.press('Escape');
    await chat.getByTestId('source-dialog').waitFor({ state: 'detached' });

    await input.fill('I want to talk to a real person please');
    await input.press('Enter');
    await chat.getByText('Connecting you with a person').waitFor();
    let frame = customer.frames().find((f) => f.url().includes('/console/chat.html'))!;
    const { conversationId, visitorToken } = await stored(frame, 'answergraph.widget.');
    expect(conversationId).toBeTruthy();
    expect(visitorToken).toMatch(/^vt_/); // the widget's key is shared: the conversation is bound to this visitor

    const row = agent.locator(`[data-testid="inbox-row"][data-conversation="${conversationId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await agent.getByTestId('transcript').getByText('I want to talk to a real person please').waitFor();
    await agent.getByTestId('suggestion').first().waitFor();
    await shot(agent, 'inbox-escalated');
    await agent.getByRole('button', { name: 'Claim' }).click();
    await agent.locator('[data-testid="conversation-view"][data-status="AGENT"]').waitFor();
    await chat.getByText('joined the conversation').waitFor();

    const reply = `Hi, this is Mei from Customer Care (${run}). I am checking your refund now.`;
    await agent.getByLabel('Your reply to the customer').fill(reply);
    await agent.getByRole('button', { name: 'Reply', exact: true }).click();
    await chat.getByTestId('chat-agent').getByText(reply).waitFor();
    await shot(customer, 'widget-agent-reply');

    // The customer's next message reaches the agent's open transcript live.
    await input.fill('Thank you, my order is NW-204518');
    await input.press('Enter');
    await agent.getByTestId('transcript').getByText('Thank you, my order is').waitFor();
    await shot(agent, 'inbox-agent-conversation');

    // A reload (or a lost socket) loses nothing: the chat rebuilds from the stored events, each once, and a
    // reply sent while the customer was away is there too.
    const away = `While you were away (${run}): your refund was approved.`;
    await customer.reload();
    await agent.getByLabel('Your reply to the customer').fill(away);
    await agent.getByRole('button', { name: 'Reply', exact: true }).click();
    await chat.getByTestId('chat-agent').getByText(away).waitFor(); // the widget reopened by itself (open state kept)
    expect(await chat.getByTestId('chat-agent').count()).toBe(2);
    expect(await chat.getByTestId('chat-customer').count()).toBe(3);
    expect(await chat.getByText('Connecting you with a person').count()).toBe(1);

    expect(await axe(customer)).toEqual([]); // the host page with the launcher
    frame = customer.frames().find((f) => f.url().includes('/console/chat.html'))!;
    expect(await axe(frame)).toEqual([]); // the chat in its frame
    expect(await axe(agent)).toEqual([]);
    await agent.getByRole('button', { name: 'Resolve' }).click();
    await chat.getByText('This conversation has been closed.').waitFor();
  }, 240_000);

  it('editor-approves-a-draft-and-the-chat-then-answers-from-it-with-its-citation', async () => {
    const question = `What is the Aurora X${run} case made of?`;
    const answerText = `The Aurora X${run} case is made of recycled ocean plastic and weighs 28 grams.`;
    const job = await finished(api, (await ingest(api, { title: `Aurora cases ${run}`, mediaType: 'text/markdown', content: `# Aurora cases\n\n## ${question}\n\n${answerText}\n`, source: `console-${run}`, language: 'en' }, keys.EDITOR)).id);
    expect(job.status).toBe('COMPLETED');

    const editor = await newPage();
    await login(editor, keys.EDITOR);
    await editor.locator('main[data-screen="review"]').waitFor();
    const row = editor.getByTestId('review-row').filter({ hasText: question });
    await row.waitFor();
    await row.click();
    const task = editor.getByTestId('task-view');
    await task.getByText(answerText).first().waitFor();
    await task.getByTestId('graph-canvas').waitFor();
    await shot(editor, 'review-task');
    expect(await axe(editor)).toEqual([]);
    await task.getByTestId('approve').click();
    await row.waitFor({ state: 'detached' });

    // Publishing embeds the item in the background; wait until the platform answers from it, then ask in the UI.
    const item = await eventually(async () => {
      const r = await api.gql<{ answer: { knowledge: Array<{ id: string; kind: string; status: string }>; citations: Array<{ knowledgeId: string | null }> } }>(
        'query($q: String!) { answer(question: $q) { knowledge { id kind status } citations { knowledgeId } } }',
        { q: question },
        keys.CUSTOMER,
      );
      const top = r.body.data?.answer.knowledge[0];
      return top && r.body.data!.answer.citations.some((c) => c.knowledgeId === top.id) && top.status === 'PUBLISHED' ? top : null;
    }, 30_000, 250);

    const customer = await newPage();
    await login(customer, keys.CUSTOMER);
    const input = customer.getByLabel('Your message');
    await input.fill(question);
    await input.press('Enter');
    const answer = customer.getByTestId('chat-bot').filter({ hasText: 'recycled ocean plastic' });
    await answer.waitFor();
    await answer.getByTestId('citation').first().click();
    const dialog = customer.getByTestId('source-dialog');
    await dialog.getByText('recycled ocean plastic').first().waitFor();
    await dialog.getByText(`Aurora cases ${run}`).waitFor();
    await shot(customer, 'chat-answer-from-approved-draft');
    expect(await axe(customer)).toEqual([]);

    // And the conversation records the citation of exactly that item.
    const { conversationId, visitorToken } = await stored(customer, 'answergraph.chat.');
    const c = await api.gql<{ conversation: { messages: Array<{ role: string; citations: Array<{ knowledgeId: string | null }> }> } }>(
      'query($id: ID!) { conversation(id: $id) { messages { role citations { knowledgeId } } } }',
      { id: conversationId },
      keys.CUSTOMER,
      { 'answergraph-visitor-token': visitorToken ?? '' },
    );
    expect(c.body.data!.conversation.messages.filter((m) => m.role === 'bot').at(-1)!.citations.map((x) => x.knowledgeId)).toContain(item.id);
  }, 240_000);

  it('an-editor-approves-a-proposed-change-to-a-live-answer-seeing-each-field-before-and-after', async () => {
    const question = `How long does a Vega ${run} refund take?`;
    const data = JSON.stringify({ type: 'fact', externalId: `console-rev-${run}`, question, answer: 'Refunds take 10 days.', language: 'en' });
    const imported = await api.gql<{ importKnowledge: { created: number } }>('mutation($d: String!) { importKnowledge(format: JSONL, data: $d, publish: true) { created } }', { d: data }, api.adminKey);
    expect(imported.body.data!.importKnowledge.created).toBe(1);
    const found = await api.gql<{ knowledgeItems: { edges: Array<{ node: { id: string } }> } }>('query($q: String!) { knowledgeItems(first: 1, filter: { text: $q }) { edges { node { id } } } }', { q: question }, keys.EDITOR);
    const itemId = found.body.data!.knowledgeItems.edges[0]!.node.id;
    const proposed = await api.gql('mutation($id: ID!) { proposeKnowledgeRevision(id: $id, input: { answer: "Refunds take 5 working days." }) { id } }', { id: itemId }, keys.EDITOR);
    expect(proposed.body.errors).toBeUndefined();

    const editor = await newPage();
    await login(editor, keys.EDITOR);
    await editor.locator('main[data-screen="review"]').waitFor();
    const row = editor.getByTestId('review-row').filter({ hasText: question });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('revision');
    await row.click();
    const changes = editor.getByTestId('task-view').getByTestId('field-changes');
    await changes.locator('del', { hasText: 'Refunds take 10 days.' }).waitFor();
    await changes.locator('ins', { hasText: 'Refunds take 5 working days.' }).waitFor();
    await shot(editor, 'review-revision');
    expect(await axe(editor)).toEqual([]);
    await editor.getByTestId('task-view').getByTestId('approve').click();
    await row.waitFor({ state: 'detached' });
    const after = await api.gql<{ knowledgeItem: { version: number; status: string; answer: string } }>('query($id: ID!) { knowledgeItem(id: $id) { version status ... on Fact { answer } } }', { id: itemId }, keys.EDITOR);
    expect(after.body.data!.knowledgeItem).toEqual({ version: 2, status: 'PUBLISHED', answer: 'Refunds take 5 working days.' });
  }, 120_000);

  it('an-editor-undoes-an-approved-entity-merge-from-its-task', async () => {
    const ids = { fresh: `e-${randomUUID()}`, existing: `e-${randomUUID()}`, task: `rt-${randomUUID()}` };
    await api.app.services.executor.writeText(
      'test/console-merge',
      `CREATE (fresh:Entity {id: $ids.fresh, key: 'orb tab ' + $run, name: 'Orb Tab ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (existing:Entity {id: $ids.existing, key: 'orbit tablet ' + $run, name: 'Orbit Tablet ' + $run, type: 'Product', aliases: [], aliasKeys: []})
       CREATE (t:ReviewTask {id: $ids.task, type: 'entity-merge', status: 'OPEN', createdAt: datetime(), score: 0.9, reason: 'similar names'})-[:FOR]->(fresh)
       CREATE (t)-[:CANDIDATE]->(existing)`,
      { ids, run },
    );
    const approved = await api.gql('mutation($id: ID!) { approveReviewTask(id: $id) { status } }', { id: ids.task }, keys.EDITOR);
    expect(approved.body.errors).toBeUndefined();

    const editor = await newPage();
    await login(editor, keys.EDITOR);
    await editor.locator('main[data-screen="review"]').waitFor();
    await editor.getByLabel('Task status').selectOption('DONE');
    await editor.getByLabel('Task type').selectOption('ENTITY_MERGE');
    // After the merge the task's links follow the kept entity: the row shows either name.
    const row = editor.getByTestId('review-row').filter({ hasText: new RegExp(`Orb(it)? Tab(let)? ${run}`) });
    await row.click();
    await editor.getByTestId('task-view').getByTestId('undo-merge').click();
    const reopened = await eventually(async () => {
      const r = await api.gql<{ reviewTask: { status: string; mergeId: string | null } }>('query($id: ID!) { reviewTask(id: $id) { status mergeId } }', { id: ids.task }, keys.EDITOR);
      return r.body.data!.reviewTask.status === 'OPEN' ? r.body.data!.reviewTask : null;
    }, 10_000, 100);
    expect(reopened).toEqual({ status: 'OPEN', mergeId: null });
    const entity = await api.app.services.executor.readText('test/console-merge-state', 'MATCH (e:Entity {id: $id}) RETURN e.name AS name', { id: ids.fresh });
    expect(entity).toEqual([{ name: `Orb Tab ${run}` }]);
  }, 120_000);

  it('runs-a-guided-process-with-cancel-and-takes-ratings-and-csat-in-the-chat', async () => {
    const customer = await newPage();
    await login(customer, keys.CUSTOMER);
    const input = customer.getByLabel('Your message');
    await input.fill('I want to return my order');
    await input.press('Enter');
    await customer.locator('[data-testid="chat-bot"][data-kind="process"]').first().waitFor();
    await customer.getByText('Guided process: answer the question, or cancel.').waitFor();
    await shot(customer, 'chat-guided-process');
    await customer.getByRole('button', { name: 'Cancel the process' }).click();
    await expect.poll(() => customer.getByTestId('chat-bot').count(), { timeout: 60_000 }).toBe(2);
    expect(await customer.getByText('Guided process: answer the question, or cancel.').count()).toBe(0);

    // "Helpful" on the first answer, then 5 of 5 for the conversation: both reach the API.
    await customer.getByTestId('chat-bot').first().getByRole('button', { name: 'Helpful', exact: true }).click();
    await customer.getByTestId('chat-bot').first().getByText('Thanks for your feedback.').waitFor();
    await customer.getByRole('button', { name: '5 of 5' }).click();
    await customer.getByText('Thank you for rating us 5 of 5.').waitFor();
    const { conversationId, visitorToken } = await stored(customer, 'answergraph.chat.');
    const c = await api.gql<{ conversation: { csat: number | null } }>('query($id: ID!) { conversation(id: $id) { csat } }', { id: conversationId }, keys.CUSTOMER, {
      'answergraph-visitor-token': visitorToken ?? '',
    });
    expect(c.body.data!.conversation.csat).toBe(5);
    expect(await axe(customer)).toEqual([]);
  }, 240_000);

  it('an-editor-turns-a-knowledge-gap-into-a-draft-that-waits-in-review', async () => {
    // A question the bot cannot answer becomes a knowledge gap (the learning loop clusters failed questions).
    const question = `Do you sell ${run} glimmerwax candles?`;
    const started = await api.gql<{ startConversation: { id: string } }>('mutation { startConversation(input: {channel: "web"}) { id } }');
    await api.gql('mutation($id: ID!, $t: String!) { sendMessage(conversationId: $id, text: $t) { id } }', { id: started.body.data!.startConversation.id, t: question });

    const editor = await newPage();
    await login(editor, keys.EDITOR);
    await screen(editor, 'gaps');
    const card = editor.getByTestId('gap').filter({ hasText: question });
    await card.waitFor();
    await card.getByLabel('Answer').fill(`No, we do not sell candles (${run}).`);
    await card.getByRole('button', { name: 'Draft an answer' }).click();
    await editor.getByTestId('gaps-notice').filter({ hasText: question }).getByText('Draft created').waitFor();
    await shot(editor, 'gaps-draft');
    expect(await axe(editor)).toEqual([]);

    await screen(editor, 'review');
    await editor.getByTestId('review-row').filter({ hasText: question }).waitFor();
  }, 240_000);

  it('a-customer-key-cannot-open-review-screens-and-an-agent-sees-no-review', async () => {
    const customer = await newPage();
    await login(customer, keys.CUSTOMER);
    await customer.locator('main[data-screen="chat"]').waitFor();
    expect(await customer.getByRole('navigation').count()).toBe(0); // one screen: no navigation at all
    for (const id of ['review', 'inbox', 'gaps', 'analytics', 'graph']) {
      await screen(customer, id);
      await customer.getByTestId('forbidden').waitFor();
    }
    await shot(customer, 'customer-forbidden-review');
    // The API refuses the operation behind the screen as well.
    const r = await api.gql('query { reviewQueue(first: 1) { totalCount } }', {}, keys.CUSTOMER);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const agent = await newPage();
    await login(agent, keys.AGENT);
    const nav = agent.getByRole('navigation', { name: 'Console screens' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Chat', 'Agent inbox', 'Graph explorer', 'Analytics']);
    await screen(agent, 'review');
    await agent.getByTestId('forbidden').waitFor();
  }, 240_000);

  it('works-with-the-keyboard-alone-and-in-chinese', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/console/`);
    await shot(page, 'login');
    expect(await axe(page)).toEqual([]);
    // Tab from the top of the page to the key field, type, Enter: logged in without a pointer.
    for (let i = 0; i < 10 && (await focused(page)).id !== 'api-key'; i++) await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('api-key');
    await page.keyboard.type(keys.EDITOR);
    await page.keyboard.press('Enter');
    await page.getByTestId('viewer').waitFor();
    for (let i = 0; i < 20 && (await focused(page)).text !== 'Graph explorer'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('main[data-screen="graph"]').waitFor();

    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('navigation', { name: '控制台页面' }).getByRole('link', { name: '审核' }).waitFor();
    expect(await js(page, 'document.documentElement.lang')).toBe('zh-CN');
    await shot(page, 'graph-explorer-zh');
  }, 240_000);

  it('shows-every-staff-screen-without-accessibility-violations', async () => {
    const page = await newPage();
    await login(page, api.adminKey);

    await screen(page, 'graph');
    await page.getByLabel('Search an entity').fill('Refund');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('entity-hit').first().click();
    await expect.poll(() => page.locator('.node-list li').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    // Open a knowledge item of the neighbourhood from the (keyboard-reachable) node list.
    const knowledgeNode = page.locator('.node-list button').filter({ hasNotText: 'Expand' }).first();
    await knowledgeNode.click();
    await page.getByTestId('knowledge-detail').waitFor();
    await shot(page, 'graph-explorer');
    expect(await axe(page)).toEqual([]);

    await screen(page, 'analytics');
    await page.getByTestId('kpis').waitFor();
    await page.locator('.chart-box svg').first().waitFor();
    await shot(page, 'analytics');
    expect(await axe(page)).toEqual([]);

    await screen(page, 'gaps');
    await page.getByRole('heading', { name: 'Questions the assistant could not answer well' }).waitFor();
    await shot(page, 'gaps');
    expect(await axe(page)).toEqual([]);

    await screen(page, 'review');
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await shot(page, 'review-queue');
    expect(await axe(page)).toEqual([]);

    await screen(page, 'inbox');
    await page.getByRole('heading', { name: 'Agent inbox' }).waitFor();
    await shot(page, 'inbox');
    expect(await axe(page)).toEqual([]);

    await screen(page, 'chat');
    await shot(page, 'chat');
    expect(await axe(page)).toEqual([]);
  }, 240_000);
});
