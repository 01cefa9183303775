// The demo pages (web-demo/, served by the hub) in real headless Chromium (Debian's, driven by
// playwright-core; nothing downloads a browser). For each transport: an answer streams to the end
// and the page shows exactly the hub's log of the stream; a drop mid-answer still ends with the
// whole text, nothing repeated; cancel stops the answer. Behind proxies that refuse WebSocket
// upgrades, and that break SSE too, the page's `auto` transport falls back and completes.
// Screenshots of the chat mid-answer and of the dashboard, phone and desktop, go to
// target/screenshots/, and no element may overflow the viewport.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { HUB, logged, startHub } from '../hub.mjs';
import { startProxy } from '../proxy.mjs';
import { skipUnless } from '../tools.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// no Chromium: every test here fails on CI and is skipped elsewhere (tools.mjs)
const NO_CHROMIUM = skipUnless(CHROMIUM, `Chromium is not at ${CHROMIUM} (Debian/Ubuntu: sudo apt-get install chromium; or set CHROMIUM_PATH)`);
const test = (name, ...rest) => (typeof rest[0] === 'function' ? nodeTest(name, { skip: NO_CHROMIUM }, rest[0]) : nodeTest(name, { skip: NO_CHROMIUM, ...rest[0] }, rest[1]));
const SHOTS = new URL('../target/screenshots/', import.meta.url).pathname;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const WAIT = { timeout: 20_000 };
const NAMES = { ws: 'WebSocket', sse: 'SSE', poll: 'long-poll' };
let browser;

before(async () => {
  if (NO_CHROMIUM) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  (await midAnswer)?.child.kill('SIGKILL');
});

// A hub of its own for the tests that act mid-answer (drop, refresh, offline): answers of 15 s (600
// tokens at 40/s). On the shared hub's 1.5 s answer a loaded CI machine (a CPU hog, two suites) let the
// answer end before the action: the drop button was already disabled, or a long-poll page got the rest
// of the answer, `done` included, in one poll just before its drop. Started on first use, then shared.
let midAnswer;
function midAnswerHub() {
  midAnswer ??= startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '40', STREAMHUB_DEMO_ANSWER_TOKENS: '600' });
  return midAnswer;
}

const byTestId = (id) => `[data-testid="${id}"]`;

async function open(base = HUB, options = DESKTOP) {
  const page = await browser.newPage(options);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${base}/`);
  page.errors = errors;
  return page;
}

async function ask(page, question, transport) {
  if (transport) await page.selectOption(byTestId('transport'), transport);
  await page.fill(byTestId('prompt'), question);
  await page.click(byTestId('send'));
}

/** Waits for the status to end as done, cancelled or error: <code>; returns it. */
async function finished(page) {
  await page.waitForFunction((sel) => /^(done|cancelled|error: .+)$/.test(document.querySelector(sel).textContent), byTestId('status'), WAIT);
  return page.textContent(byTestId('status'));
}

async function offsetAtLeast(page, n) {
  await page.waitForFunction(([sel, min]) => Number(document.querySelector(sel).textContent) >= min, [byTestId('offset'), n], WAIT);
}

/** The stream's log, as the API (of the hub at `base`) gives it, and its text. */
async function logOf(page, base = HUB) {
  const stream = await page.textContent(byTestId('stream'));
  assert.match(stream, /^st_[\w-]{22}$/);
  const log = await logged(stream, base);
  return { log, text: log.filter((e) => e.type === 'delta').map((e) => e.data.text).join('') };
}

/** Nothing wider than the viewport: no horizontal scroll, no element past the right edge. */
async function assertNoOverflow(page, what) {
  const found = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls: ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > width + 0.5 || r.left < -0.5)) out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: ${r.left}..${r.right} of ${width}`);
    }
    return out;
  });
  assert.deepEqual(found, [], `${what} overflows`);
}

for (const transport of ['ws', 'sse', 'poll']) {
  test(`${transport}: the answer streams to the end and equals the logged stream`, async () => {
    const page = await open();
    await ask(page, `hello over ${transport}`, transport);
    assert.equal(await finished(page), 'done');
    const { log, text } = await logOf(page);
    assert.equal(await page.textContent(byTestId('answer')), text);
    assert.ok(text.length > 0);
    assert.equal(await page.textContent(byTestId('offset')), String(log.at(-1).offset));
    assert.equal(await page.textContent(byTestId('transport-used')), NAMES[transport]);
    assert.match(await page.getAttribute(byTestId('node'), 'title'), /^[\w-]{8,}$/);
    assert.match(await page.textContent(byTestId('ttft')), /^\d+ ms$/);
    assert.match(await page.textContent(byTestId('rate')), /^\d+(\.\d)?$/);
    assert.equal(await page.textContent(byTestId('reconnects')), '0', 'one connection did it all');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test(`${transport}: a drop mid-answer resumes, and the text is whole with nothing repeated`, async () => {
    const hub = await midAnswerHub();
    const page = await open(hub.url);
    await ask(page, `drop me over ${transport}`, transport);
    await offsetAtLeast(page, 10);
    const before = await page.textContent(byTestId('answer'));
    await page.click(byTestId('drop'));
    assert.equal(await finished(page), 'done');
    const { text } = await logOf(page, hub.url);
    const shown = await page.textContent(byTestId('answer'));
    assert.ok(shown.startsWith(before), 'the text shown before the drop is kept');
    assert.ok(before.length < text.length, 'the drop happened mid-answer');
    assert.equal(shown, text);
    assert.ok(Number(await page.textContent(byTestId('reconnects'))) >= 1);
    assert.equal(await page.textContent(byTestId('transport-used')), NAMES[transport]);
    await page.close();
  });

  test(`${transport}: cancel stops the answer`, async () => {
    // a hub of its own with a 20 s answer: on the shared hub's 1.5 s answer a loaded CI machine (two
    // suites and a CPU hog) let a long-poll page's cancel arrive after the answer had ended
    const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '20', STREAMHUB_DEMO_ANSWER_TOKENS: '400' });
    const page = await open(hub.url);
    try {
      await ask(page, `cancel me over ${transport}`, transport);
      await offsetAtLeast(page, 5);
      await page.click(byTestId('cancel'));
      assert.equal(await finished(page), 'cancelled');
      const { log, text } = await logOf(page, hub.url);
      assert.equal(log.at(-1).type, 'cancelled');
      assert.ok(log.length < 400, `stopped before the end: ${log.length} events`);
      assert.equal(await page.textContent(byTestId('answer')), text);
      assert.ok(await page.isDisabled(byTestId('cancel')));
    } finally {
      await page.close();
      hub.child.kill('SIGKILL');
    }
  });
}

test('a refresh mid-answer shows the answer so far at once (one snapshot), then the rest live, whole and unrepeated', async () => {
  const hub = await midAnswerHub();
  const page = await open(hub.url);
  await ask(page, 'refresh me', 'sse');
  await offsetAtLeast(page, 60);
  const stream = await page.textContent(byTestId('stream'));
  await page.reload();
  assert.equal(await finished(page), 'done');
  assert.equal(await page.textContent(byTestId('stream')), stream);
  assert.equal(await page.textContent(byTestId('question')), 'refresh me');
  assert.ok(Number(await page.textContent(byTestId('snapshots'))) >= 1, 'the answer so far came as a snapshot');
  const { log, text } = await logOf(page, hub.url);
  assert.equal(await page.textContent(byTestId('answer')), text);
  assert.equal(await page.textContent(byTestId('offset')), String(log.at(-1).offset));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('switching the transport mid-answer moves the stream with nothing lost or repeated', async () => {
  // a hub of its own with a 10 s answer: on the shared 1.5 s answer a loaded CI machine (two suites and
  // a CPU hog) finished the answer before the switch
  const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '40', STREAMHUB_DEMO_ANSWER_TOKENS: '400' });
  const page = await open(hub.url);
  try {
    await ask(page, 'switch me', 'ws');
    await offsetAtLeast(page, 10);
    const before = await page.textContent(byTestId('answer'));
    await page.selectOption(byTestId('transport'), 'poll');
    assert.equal(await finished(page), 'done');
    const { text } = await logOf(page, hub.url);
    assert.ok(before.length < text.length, 'switched mid-answer');
    assert.equal(await page.textContent(byTestId('answer')), text);
    assert.equal(await page.textContent(byTestId('transport-used')), 'long-poll');
  } finally {
    await page.close();
    hub.child.kill('SIGKILL');
  }
});

test('offline mid-answer: the page waits on its transport (no fallback while the hub is unreachable) and resumes when back online', async () => {
  const hub = await midAnswerHub();
  const page = await open(hub.url);
  await ask(page, 'going offline', 'auto');
  await offsetAtLeast(page, 10);
  const before = await page.textContent(byTestId('answer'));
  await page.context().setOffline(true);
  await page.click(byTestId('drop'));
  // each attempt while offline fails and backs off
  await page.waitForFunction((sel) => Number(document.querySelector(sel).textContent) >= 3, byTestId('reconnects'), WAIT);
  // between two attempts the status is 'reconnecting…'; an attempt shows 'connecting (WebSocket)…' for a
  // moment (a loaded CI machine read it there once), so wait for the next back-off rather than read once
  await page.waitForFunction((sel) => /^reconnecting/.test(document.querySelector(sel).textContent), byTestId('status'), WAIT);
  await page.context().setOffline(false);
  assert.equal(await finished(page), 'done');
  const { text } = await logOf(page, hub.url);
  const shown = await page.textContent(byTestId('answer'));
  assert.ok(before.length < text.length && shown.startsWith(before));
  assert.equal(shown, text);
  assert.equal(await page.textContent(byTestId('transport-used')), 'WebSocket', 'an outage is not a blocked transport');
  await page.close();
});

test('keyboard only: Enter sends, Escape cancels', async () => {
  // a 20 s answer, as for the cancel tests: Escape must land mid-answer on a loaded machine
  const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '20', STREAMHUB_DEMO_ANSWER_TOKENS: '400' });
  const page = await open(hub.url);
  try {
    await page.focus(byTestId('prompt'));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('typed, not clicked');
    await page.keyboard.press('Enter');
    await offsetAtLeast(page, 3);
    await page.keyboard.press('Escape');
    assert.equal(await finished(page), 'cancelled');
    assert.equal(await page.textContent(byTestId('question')), 'typed, not clicked');
  } finally {
    await page.close();
    hub.child.kill('SIGKILL');
  }
});

test('auto behind a proxy that refuses WebSocket upgrades: falls back to SSE and completes', async () => {
  const proxy = await startProxy(HUB, { ws: 'refuse' });
  try {
    const page = await open(proxy.url);
    await ask(page, 'no websocket here', 'auto');
    assert.equal(await finished(page), 'done');
    const { text } = await logOf(page);
    assert.equal(await page.textContent(byTestId('answer')), text);
    assert.equal(await page.textContent(byTestId('transport-used')), 'SSE');
    assert.ok(proxy.log.some((r) => r.upgrade), 'WebSocket was tried');
    await page.close();
  } finally {
    await proxy.close();
  }
});

// (a buffering proxy: clients/node/test/client.test.mjs, with a connect timeout shorter than an answer)
for (const sse of ['502']) {
  test(`auto behind a proxy that refuses upgrades and answers ${sse} to SSE: completes by long-poll`, async () => {
    const proxy = await startProxy(HUB, { ws: 'refuse', sse });
    try {
      const page = await open(proxy.url);
      await ask(page, `no sse either (${sse})`, 'auto');
      assert.equal(await finished(page), 'done');
      const { text } = await logOf(page);
      assert.equal(await page.textContent(byTestId('answer')), text);
      assert.equal(await page.textContent(byTestId('transport-used')), 'long-poll');
      assert.ok(proxy.log.some((r) => /\/events\?/.test(r.url)), 'SSE was tried');
      await page.close();
    } finally {
      await proxy.close();
    }
  });
}

for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`screenshots at ${size} size: the chat mid-answer and the dashboard, nothing overflowing`, async () => {
    // the SSE response stops reaching the page after 16 KB (about 140 events): the answer stays mid-way
    const proxy = await startProxy(HUB, { identity: true, stall: (req) => req.url.includes('/events') && 16_000 });
    try {
      const page = await open(proxy.url, options);
      await ask(page, 'Explain how a client resumes a stream after its connection drops.', 'sse');
      await offsetAtLeast(page, 100);
      // the tokens/s chart has a few samples, and the answer is still in progress
      await page.waitForFunction(() => Number(document.getElementById('chart').dataset.points) >= 6, null, WAIT);
      assert.equal(await page.textContent(byTestId('status')), 'streaming');
      await assertNoOverflow(page, `chat (${size})`);
      await page.screenshot({ path: `${SHOTS}chat-${size}.png`, fullPage: true });
      await page.close();

      const dash = await open(HUB, options);
      await dash.goto(`${HUB}/dashboard.html`);
      await dash.waitForFunction(() => Number(document.body.dataset.samples) >= 2, null, WAIT);
      const view = await (await fetch(`${HUB}/v1/cluster`)).json();
      assert.equal(await dash.textContent(byTestId('node-count')), String(view.members.length));
      const rows = await dash.$$eval(`${byTestId('nodes')} tbody tr`, (trs) => trs.map((tr) => ({
        node: tr.querySelector('code').title, state: tr.querySelector('.badge.up, .badge.draining').textContent,
      })));
      assert.deepEqual(rows, view.members.map((m) => ({ node: m.node, state: m.state })));
      assert.match(await dash.textContent(byTestId('connections')), /^\d+$/);
      await assertNoOverflow(dash, `dashboard (${size})`);
      await dash.screenshot({ path: `${SHOTS}dashboard-${size}.png`, fullPage: true });
      assert.deepEqual(dash.errors, []);
      await dash.close();
    } finally {
      await proxy.close();
    }
  });
}

/**
 * A hub of the test's own with `transports` set; every WebSocket the page opens and every answer to
 * an SSE read (status and error code) is recorded.
 */
async function gatedHub(transports) {
  const hub = await startHub({ STREAMHUB_TRANSPORTS: transports, STREAMHUB_DEMO_TOKENS_PER_SECOND: '200', STREAMHUB_DEMO_ANSWER_TOKENS: '60' });
  const page = await open(hub.url);
  page.sockets = [];
  page.sseAnswers = [];
  page.on('websocket', (ws) => page.sockets.push(ws.url()));
  page.on('response', async (res) => {
    if (!/\/v1\/streams\/[^/]+\/events\?/.test(res.url())) return;
    const code = res.status() === 200 ? null : (await res.json().catch(() => ({}))).error?.code;
    page.sseAnswers.push({ status: res.status(), code });
  });
  return { hub, page };
}

async function answersWhole(page, base, transportShown) {
  assert.equal(await finished(page), 'done');
  const { text } = await logOf(page, base);
  assert.equal(await page.textContent(byTestId('answer')), text);
  assert.equal(await page.textContent(byTestId('transport-used')), transportShown);
}

test('WebSocket turned off by the hub (transports=sse,poll): auto falls back to SSE, completes, and the next answer starts on SSE', async () => {
  const { hub, page } = await gatedHub('sse,poll');
  try {
    await ask(page, 'no websocket on this hub', 'auto');
    await answersWhole(page, hub.url, 'SSE');
    assert.equal(page.sockets.length, 1, 'WebSocket was tried once');
    assert.deepEqual(page.sseAnswers, [{ status: 200, code: null }]);

    await ask(page, 'and again', 'auto');
    await answersWhole(page, hub.url, 'SSE');
    assert.equal(page.sockets.length, 1, 'remembered: no second WebSocket attempt');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
    hub.child.kill('SIGKILL');
  }
});

test('WebSocket and SSE turned off (transports=poll): auto completes by long-poll after SSE answered 404 transport_disabled, and remembers it; SSE pinned fails with that code', async () => {
  const { hub, page } = await gatedHub('poll');
  try {
    await ask(page, 'only long-poll here', 'auto');
    await answersWhole(page, hub.url, 'long-poll');
    assert.equal(page.sockets.length, 1, 'WebSocket was tried once');
    assert.deepEqual(page.sseAnswers, [{ status: 404, code: 'transport_disabled' }], 'SSE was tried once and refused by the hub');
    assert.equal(await page.textContent(byTestId('reconnects')), '2', 'one move per refused transport');

    await ask(page, 'and again', 'auto');
    await answersWhole(page, hub.url, 'long-poll');
    assert.equal(page.sockets.length, 1, 'remembered: no second WebSocket attempt');
    assert.equal(page.sseAnswers.length, 1, 'remembered: no second SSE attempt');

    await ask(page, 'pinned to sse', 'sse');
    assert.equal(await finished(page), 'error: transport_disabled');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
    hub.child.kill('SIGKILL');
  }
});

test('multi-turn: each request carries only the new turn, the worker sees the earlier ones, and a refresh mid-answer resumes it in the same conversation', async () => {
  // answers of 2 s (100 tokens at 50/s): the refresh below lands mid-answer even on a loaded machine
  const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '50', STREAMHUB_DEMO_ANSWER_TOKENS: '100' });
  const page = await open(hub.url);
  try {
    const creates = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/v1/streams') creates.push(req.postDataJSON());
    });
    const earlier = () => page.$$eval('[data-testid^="turn-"]', (els) => els.map((e) => [e.dataset.testid, e.textContent]));

    await ask(page, 'my name is Ada', 'auto');
    assert.equal(await finished(page), 'done');
    const first = await logOf(page, hub.url);
    const conversation = await page.textContent(byTestId('conversation'));
    assert.match(conversation, /^cv_[\w-]{22}$/);

    await ask(page, 'what did I say?', 'auto');
    assert.equal(await finished(page), 'done');
    const second = await logOf(page, hub.url);
    assert.deepEqual(creates, [
      { model: 'demo', conversation: 'new', messages: [{ role: 'user', content: 'my name is Ada' }] },
      { model: 'demo', conversation, messages: [{ role: 'user', content: 'what did I say?' }] },
    ], 'the page sends only the new turn');
    // the demo model counts the user turns it was given and quotes the first: the worker had turn 1
    assert.ok(second.text.startsWith('You asked: what did I say?. Turn 2; first you asked: my name is Ada.'), second.text.slice(0, 90));
    assert.equal(await page.textContent(byTestId('answer')), second.text);
    assert.deepEqual(await earlier(), [['turn-question', 'my name is Ada'], ['turn-answer', first.text]]);

    // a third turn, the page refreshed mid-answer: the earlier turns come back from the hub, the answer resumes
    await ask(page, 'third turn', 'sse');
    await offsetAtLeast(page, 20);
    const stream = await page.textContent(byTestId('stream'));
    const meta = await (await fetch(`${hub.url}/v1/streams/${stream}`)).json();
    assert.equal(meta.finished, false, 'the answer is still being generated at the refresh');
    await page.reload();
    assert.equal(await finished(page), 'done');
    assert.equal(await page.textContent(byTestId('stream')), stream);
    assert.equal(await page.textContent(byTestId('conversation')), conversation);
    assert.equal(await page.textContent(byTestId('question')), 'third turn');
    const third = await logOf(page, hub.url);
    assert.equal(await page.textContent(byTestId('answer')), third.text);
    assert.ok(third.text.startsWith('You asked: third turn. Turn 3; first you asked: my name is Ada.'), third.text.slice(0, 90));
    assert.deepEqual(await earlier(), [
      ['turn-question', 'my name is Ada'], ['turn-answer', first.text],
      ['turn-question', 'what did I say?'], ['turn-answer', second.text],
    ]);

    // after the refresh the next question still continues the same conversation
    await ask(page, 'fourth', 'auto');
    assert.equal(await finished(page), 'done');
    assert.deepEqual(creates.at(-1), { model: 'demo', conversation, messages: [{ role: 'user', content: 'fourth' }] });
    assert.ok((await page.textContent(byTestId('answer'))).startsWith('You asked: fourth. Turn 4;'));

    // a new conversation forgets the earlier turns
    await page.click(byTestId('new-conversation'));
    assert.deepEqual(await earlier(), []);
    await ask(page, 'fresh start', 'auto');
    assert.equal(await finished(page), 'done');
    assert.equal(creates.at(-1).conversation, 'new');
    assert.notEqual(await page.textContent(byTestId('conversation')), conversation);
    assert.ok(!(await page.textContent(byTestId('answer'))).includes('Turn'), 'a first turn again');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
    hub.child.kill('SIGKILL');
  }
});

/** The hub's counters of events delivered and reads resumed, by transport (`GET /metrics`). */
async function hubCounters(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counters = {};
  for (const m of text.matchAll(/^streamhub_(events_delivered|resumes)_total\{([^}]*)\} (\S+)$/gm)) {
    counters[`${m[1]}:${/transport="([^"]+)"/.exec(m[2])[1]}`] = Number(m[3]);
  }
  return counters;
}

const METRIC_TRANSPORT = { ws: 'websocket', sse: 'sse', poll: 'long_poll' };

/**
 * What the page's network carried, per reading connection in the order opened: the offset it asked
 * for (`from`) and the events the hub sent on it, before the client's de-duplication: WebSocket
 * frames, and the bytes of each SSE and long-poll response as Chromium received them (CDP
 * `Network.streamResourceContent`, so a response the client aborts still shows what arrived).
 */
async function watchNetwork(page) {
  const connections = [];
  page.on('websocket', (ws) => {
    const c = { transport: 'ws', from: null, events: [] };
    connections.push(c);
    ws.on('framesent', (f) => {
      const m = typeof f.payload === 'string' ? JSON.parse(f.payload) : {};
      if (m.type === 'stream.subscribe') c.from = m.from;
    });
    ws.on('framereceived', (f) => {
      const m = typeof f.payload === 'string' ? JSON.parse(f.payload) : {};
      if ('offset' in m) c.events.push(m);
    });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map();
  const streaming = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    const url = new URL(e.request.url);
    const transport = /^\/v1\/streams\/[^/]+\/events$/.test(url.pathname) ? 'sse' : /^\/v1\/streams\/[^/]+\/poll$/.test(url.pathname) ? 'poll' : null;
    if (!transport || e.request.method !== 'GET') return;
    const c = { transport, from: Number(url.searchParams.get('from')), chunks: [], get events() { return parseBody(this); } };
    connections.push(c);
    byId.set(e.requestId, c);
  });
  cdp.on('Network.responseReceived', (e) => {
    const c = byId.get(e.requestId);
    if (!c) return;
    c.streaming = cdp.send('Network.streamResourceContent', { requestId: e.requestId })
      .then((r) => { c.streamed = true; c.chunks.unshift(Buffer.from(r.bufferedData, 'base64')); })
      .catch(() => {}); // it finished before streaming could start: its whole body is read below
    streaming.push(c.streaming);
  });
  cdp.on('Network.dataReceived', (e) => {
    const c = byId.get(e.requestId);
    if (c && e.data) c.chunks.push(Buffer.from(e.data, 'base64'));
  });
  cdp.on('Network.loadingFinished', (e) => {
    const c = byId.get(e.requestId);
    if (!c) return;
    streaming.push(Promise.resolve(c.streaming).then(async () => {
      if (c.streamed) return;
      const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId: e.requestId });
      c.chunks = [Buffer.from(body, base64Encoded ? 'base64' : 'utf8')];
    }));
  });
  return { connections, settled: () => Promise.all(streaming) };
}

function parseBody(c) {
  const text = Buffer.concat(c.chunks).toString('utf8');
  if (c.transport === 'sse') return sseEvents(text);
  return text ? JSON.parse(text).events : [];
}

/**
 * The stream events of an SSE body (its `data:` JSON; comments, `retry:` and `reconnect` left out);
 * a last event cut short by an abort (no blank line after it yet) was not received.
 */
function sseEvents(text) {
  const events = [];
  for (const block of text.split(/\r?\n\r?\n/).slice(0, -1)) {
    const fields = Object.fromEntries(block.split(/\r?\n/).filter((l) => /^(event|data):/.test(l)).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    if (fields.data && fields.event !== 'reconnect') events.push(JSON.parse(fields.data));
  }
  return events;
}

/** The offsets an event stands for: a snapshot (compact catch-up) its range, any other its own. */
function covered(event) {
  if (event.type !== 'snapshot') return [event.offset];
  return Array.from({ length: event.data.to - event.data.from + 1 }, (_, i) => event.data.from + i);
}

for (const transport of ['ws', 'sse', 'poll']) {
  test(`${transport}: what the hub says it delivered (/metrics) is what the page's network received, every offset once`, async () => {
    const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '100', STREAMHUB_DEMO_ANSWER_TOKENS: '60' });
    const page = await open(hub.url);
    try {
      const net = await watchNetwork(page);
      const before = await hubCounters(hub.url);
      await ask(page, `count me over ${transport}`, transport);
      assert.equal(await finished(page), 'done');
      await net.settled();
      const after = await hubCounters(hub.url);
      const { log, text } = await logOf(page, hub.url);
      assert.equal(await page.textContent(byTestId('answer')), text);

      const sent = net.connections.filter((c) => c.transport === transport).flatMap((c) => c.events);
      const offsets = sent.flatMap(covered);
      assert.deepEqual(offsets, log.map((e) => e.offset), 'the network carried each logged offset once, in order');
      const key = `events_delivered:${METRIC_TRANSPORT[transport]}`;
      assert.equal((after[key] ?? 0) - (before[key] ?? 0), sent.length, `${key}: the hub counts exactly the events the page received`);
      for (const other of Object.values(METRIC_TRANSPORT).filter((t) => t !== METRIC_TRANSPORT[transport])) {
        assert.equal((after[`events_delivered:${other}`] ?? 0) - (before[`events_delivered:${other}`] ?? 0), 0, `nothing over ${other}`);
      }
      assert.equal(await page.textContent(byTestId('duplicates')), '0');
    } finally {
      await page.close();
      hub.child.kill('SIGKILL');
    }
  });

  test(`${transport}: after a drop the hub resumes at the offset the page asked for, sending nothing it had`, async () => {
    // 10 s answers (400 tokens at 40/s): the drop must land mid-answer on a loaded machine too
    const hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '40', STREAMHUB_DEMO_ANSWER_TOKENS: '400' });
    const page = await open(hub.url);
    try {
      const net = await watchNetwork(page);
      const before = await hubCounters(hub.url);
      await ask(page, `resume me over ${transport}`, transport);
      await offsetAtLeast(page, 10);
      await page.click(byTestId('drop'));
      assert.equal(await finished(page), 'done');
      await net.settled();
      const after = await hubCounters(hub.url);
      const { log, text } = await logOf(page, hub.url);
      assert.equal(await page.textContent(byTestId('answer')), text);

      const mine = net.connections.filter((c) => c.transport === transport);
      assert.ok(mine.slice(1).some((c) => c.from > 0), `a connection after the first asked for its next offset: ${JSON.stringify(mine.map((c) => c.from))}`);
      for (const c of mine) {
        const offsets = c.events.flatMap(covered);
        if (offsets.length) assert.equal(offsets[0], c.from, `the hub started at the asked offset ${c.from}`);
        assert.deepEqual(offsets, offsets.map((_, i) => c.from + i), `from ${c.from}: in order, each once`);
      }
      assert.equal(mine.filter((c) => c.events.length).at(-1).events.at(-1).offset, log.at(-1).offset, 'the last connection carried the terminal event');
      const key = `resumes:${METRIC_TRANSPORT[transport]}`;
      assert.ok((after[key] ?? 0) - (before[key] ?? 0) >= 1, `${key} counted the resume`);
      assert.equal(await page.textContent(byTestId('duplicates')), '0', 'the hub sent nothing the page had');
    } finally {
      await page.close();
      hub.child.kill('SIGKILL');
    }
  });
}
