// The demo page (web-demo/, served by the hub) in real headless Firefox: Debian's `firefox-esr`,
// driven by `puppeteer-core` over WebDriver BiDi (playwright cannot drive a stock Firefox; nothing
// downloads a browser). The assertions mirror demo-browser.test.mjs (Chromium): on each transport an
// answer streams to the end, the page shows exactly the hub's log (every offset once, none repeated)
// and the hub counted exactly the logged events on that transport; a drop mid-answer resumes and
// still ends whole; a hub with WebSocket turned off (transports=sse,poll) makes `auto` fall back to
// SSE, and with SSE off too (transports=poll) to long-poll.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';
import { logged, startHub } from '../hub.mjs';
import { skipUnless } from '../tools.mjs';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
// no Firefox: every test here fails on CI and is skipped elsewhere (tools.mjs)
const NO_FIREFOX = skipUnless(FIREFOX, `Firefox is not at ${FIREFOX} (Debian/Ubuntu: sudo apt-get install firefox-esr; or set FIREFOX_PATH)`);
const test = (name, fn) => nodeTest(name, { skip: NO_FIREFOX }, fn);
const WAIT = { timeout: 20_000 };
const NAMES = { ws: 'WebSocket', sse: 'SSE', poll: 'long-poll' };
const METRIC_TRANSPORT = { ws: 'websocket', sse: 'sse', poll: 'long_poll' };
let browser;
let hub;
// the drop tests' hub: answers of 15 s (600 tokens at 40/s); a long-poll page on a loaded CI machine
// once got the rest of a 4 s answer, `done` included, in one poll just before its drop (no reconnect)
let midAnswer;

before(async () => {
  if (NO_FIREFOX) return;
  // the page's hub of its own: its delivery counters move only with this file's answers; answers of
  // 4 s (200 tokens at 50/s), so a drop lands mid-answer even on a loaded machine
  [hub, midAnswer] = await Promise.all([
    startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '50', STREAMHUB_DEMO_ANSWER_TOKENS: '200' }),
    startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '40', STREAMHUB_DEMO_ANSWER_TOKENS: '600' }),
  ]);
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
});

after(async () => {
  await browser?.close();
  hub?.child.kill('SIGKILL');
  midAnswer?.child.kill('SIGKILL');
});

const byTestId = (id) => `[data-testid="${id}"]`;
const text = (page, id) => page.$eval(byTestId(id), (e) => e.textContent);

/**
 * The chat page of the hub at `base` in a new tab; every WebSocket the page constructs is counted
 * (`window.__sockets`) and page errors are kept.
 */
async function open(base) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.evaluateOnNewDocument(() => {
    const Native = window.WebSocket;
    window.__sockets = 0;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets++;
      }
    };
  });
  await page.goto(`${base}/`);
  page.errors = errors;
  return page;
}

async function ask(page, question, transport) {
  if (transport) await page.select(byTestId('transport'), transport);
  await page.locator(byTestId('prompt')).fill(question);
  await page.click(byTestId('send'));
}

/** Waits for the status to end as done, cancelled or error: <code>; returns it. */
async function finished(page) {
  await page.waitForFunction((sel) => /^(done|cancelled|error: .+)$/.test(document.querySelector(sel).textContent), WAIT, byTestId('status'));
  return text(page, 'status');
}

async function offsetAtLeast(page, n) {
  await page.waitForFunction((sel, min) => Number(document.querySelector(sel).textContent) >= min, WAIT, byTestId('offset'), n);
}

/** The stream's log, as the API (of the hub at `base`) gives it, and its text. */
async function logOf(page, base) {
  const stream = await text(page, 'stream');
  assert.match(stream, /^st_[\w-]{22}$/);
  const log = await logged(stream, base);
  return { log, text: log.filter((e) => e.type === 'delta').map((e) => e.data.text).join('') };
}

/** The hub's counters of events delivered and reads resumed, by transport (`GET /metrics`). */
async function hubCounters(base) {
  const body = await (await fetch(`${base}/metrics`)).text();
  const counters = {};
  for (const m of body.matchAll(/^streamhub_(events_delivered|resumes)_total\{([^}]*)\} (\S+)$/gm)) {
    counters[`${m[1]}:${/transport="([^"]+)"/.exec(m[2])[1]}`] = Number(m[3]);
  }
  return counters;
}

const delta = (before, after, key) => (after[key] ?? 0) - (before[key] ?? 0);

for (const transport of ['ws', 'sse', 'poll']) {
  test(`firefox, ${transport}: the answer streams to the end, equals the logged stream, every offset delivered once`, async () => {
    const page = await open(hub.url);
    try {
      const before = await hubCounters(hub.url);
      await ask(page, `firefox over ${transport}`, transport);
      assert.equal(await finished(page), 'done');
      const after = await hubCounters(hub.url);
      const { log, text: logText } = await logOf(page, hub.url);
      assert.ok(logText.length > 0);
      assert.equal(await text(page, 'answer'), logText);
      assert.equal(await text(page, 'offset'), String(log.at(-1).offset));
      assert.deepEqual(log.map((e) => e.offset), log.map((_, i) => i), 'the log has each offset once');
      assert.equal(await text(page, 'transport-used'), NAMES[transport]);
      assert.equal(await text(page, 'reconnects'), '0', 'one connection did it all');
      assert.equal(await text(page, 'duplicates'), '0');
      // a compact first read may merge the deltas logged before it connected into one snapshot event
      const snapshots = Number(await text(page, 'snapshots'));
      for (const [name, metric] of Object.entries(METRIC_TRANSPORT)) {
        const sent = delta(before, after, `events_delivered:${metric}`);
        if (name !== transport) assert.equal(sent, 0, `nothing over ${metric}`);
        else if (snapshots === 0) assert.equal(sent, log.length, `${metric}: the hub sent each logged offset once`);
        else assert.ok(sent >= 1 && sent <= log.length, `${metric}: ${sent} events for ${log.length} offsets, ${snapshots} snapshot(s)`);
      }
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  });

  test(`firefox, ${transport}: a drop mid-answer resumes, and the text is whole with nothing repeated`, async () => {
    const page = await open(midAnswer.url);
    try {
      const before = await hubCounters(midAnswer.url);
      await ask(page, `firefox drop over ${transport}`, transport);
      await offsetAtLeast(page, 10);
      const shownBefore = await text(page, 'answer');
      await page.click(byTestId('drop'));
      assert.equal(await finished(page), 'done');
      const after = await hubCounters(midAnswer.url);
      const { log, text: logText } = await logOf(page, midAnswer.url);
      const shown = await text(page, 'answer');
      assert.ok(shown.startsWith(shownBefore), 'the text shown before the drop is kept');
      assert.ok(shownBefore.length < logText.length, 'the drop happened mid-answer');
      assert.equal(shown, logText);
      assert.equal(await text(page, 'offset'), String(log.at(-1).offset));
      assert.ok(Number(await text(page, 'reconnects')) >= 1);
      assert.equal(await text(page, 'transport-used'), NAMES[transport]);
      assert.equal(await text(page, 'duplicates'), '0', 'the hub sent nothing the page had');
      assert.ok(delta(before, after, `resumes:${METRIC_TRANSPORT[transport]}`) >= 1, 'the hub counted the resume');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  });
}

/**
 * A hub of the test's own with `transports` set, and the page on it; every answer to an SSE read
 * (status and error code) is recorded.
 */
async function gatedHub(transports) {
  const gated = await startHub({ STREAMHUB_TRANSPORTS: transports, STREAMHUB_DEMO_TOKENS_PER_SECOND: '200', STREAMHUB_DEMO_ANSWER_TOKENS: '60' });
  const page = await open(gated.url);
  page.sseAnswers = [];
  page.on('response', (res) => {
    if (/\/v1\/streams\/[^/]+\/events\?/.test(res.url())) page.sseAnswers.push(res.status());
  });
  return { gated, page };
}

async function answersWhole(page, base, transportShown) {
  assert.equal(await finished(page), 'done');
  const { log, text: logText } = await logOf(page, base);
  assert.equal(await text(page, 'answer'), logText);
  assert.equal(await text(page, 'offset'), String(log.at(-1).offset));
  assert.equal(await text(page, 'transport-used'), transportShown);
  assert.equal(await text(page, 'duplicates'), '0');
}

const sockets = (page) => page.evaluate(() => window.__sockets);

/**
 * Firefox reports a WebSocket the hub refused as a page error (Chromium only logs it to the
 * console): exactly that one, for the one attempt, and nothing else.
 */
const refusedSocketOnly = (base) => [`Firefox can’t establish a connection to the server at ${base.replace(/^http/, 'ws')}/v1/ws.`];

test('firefox, WebSocket turned off by the hub (transports=sse,poll): auto falls back to SSE, completes, and the next answer starts on SSE', async () => {
  const { gated, page } = await gatedHub('sse,poll');
  try {
    await ask(page, 'no websocket on this hub', 'auto');
    await answersWhole(page, gated.url, 'SSE');
    assert.equal(await sockets(page), 1, 'WebSocket was tried once');
    assert.deepEqual(page.sseAnswers, [200]);

    await ask(page, 'and again', 'auto');
    await answersWhole(page, gated.url, 'SSE');
    assert.equal(await sockets(page), 1, 'remembered: no second WebSocket attempt');
    assert.deepEqual(page.errors, refusedSocketOnly(gated.url));
  } finally {
    await page.close();
    gated.child.kill('SIGKILL');
  }
});

test('firefox, WebSocket and SSE turned off (transports=poll): auto completes by long-poll after SSE answered 404, and remembers it', async () => {
  const { gated, page } = await gatedHub('poll');
  try {
    await ask(page, 'only long-poll here', 'auto');
    await answersWhole(page, gated.url, 'long-poll');
    assert.equal(await sockets(page), 1, 'WebSocket was tried once');
    assert.deepEqual(page.sseAnswers, [404], 'SSE was tried once and refused by the hub');
    assert.equal(await text(page, 'reconnects'), '2', 'one move per refused transport');

    await ask(page, 'and again', 'auto');
    await answersWhole(page, gated.url, 'long-poll');
    assert.equal(await sockets(page), 1, 'remembered: no second WebSocket attempt');
    assert.equal(page.sseAnswers.length, 1, 'remembered: no second SSE attempt');

    await ask(page, 'pinned to sse', 'sse');
    assert.equal(await finished(page), 'error: transport_disabled');
    assert.deepEqual(page.errors, refusedSocketOnly(gated.url));
  } finally {
    await page.close();
    gated.child.kill('SIGKILL');
  }
});
