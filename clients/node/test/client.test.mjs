// The StreamHub JavaScript client (web-demo/streamhub-client.js) in Node.js against the real hub:
// backoff bounds, giving up, de-duplication across a reconnect, resume on another transport,
// fallback ws -> sse -> long-poll behind proxies that break a transport, Retry-After, a dead
// connection found by heartbeat timeout. The proxies (proxy.mjs) stand between client and hub;
// every event still comes from the hub, and each test compares what the client delivered with the
// hub's own log of the stream.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { HUB, chat, logged, startHub } from '../hub.mjs';
import { startProxy } from '../proxy.mjs';
import {
  StreamHubClient, StreamHubError, backoffDelay, retryAfterMs, forgetTransports, TRANSPORTS,
} from '../../../web-demo/streamhub-client.js';

const proxies = [];
afterEach(async () => {
  forgetTransports();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function proxy(rules) {
  const p = await startProxy(HUB, rules);
  proxies.push(p);
  return p;
}

function client(baseUrl, options = {}) {
  return new StreamHubClient({ baseUrl, WebSocket, connectTimeoutMs: 2000, backoff: { baseMs: 50, maxMs: 400 }, ...options });
}

/** Follows until the end; returns everything the follower emitted and its terminal event. */
async function run(follower, onDelta = () => {}) {
  const events = [];
  const states = [];
  for (const type of ['delta', 'binary', 'usage', 'done', 'error', 'cancelled']) {
    follower.on(type, (e) => { events.push(e); if (type === 'delta') onDelta(e, events); });
  }
  follower.on('state', (s) => states.push(s));
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout after ${events.length} events, states ${JSON.stringify(states.map((s) => s.state + ':' + s.transport))}`)), 30_000).unref());
  const end = await Promise.race([follower.done, timeout]);
  return { events, states, end };
}

async function assertEqualsLog(stream, events) {
  const log = await logged(stream);
  assert.deepEqual(events.map((e) => e.offset), log.map((e) => e.offset), 'every offset once, in order');
  assert.deepEqual(events, log);
  return log;
}

test('backoff: full jitter within [0, min(cap, base * 2^attempt)), and the ceiling is reached', () => {
  const backoff = { baseMs: 100, maxMs: 3000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(3000, 100 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, backoff, () => 0), 0);
    assert.equal(backoffDelay(attempt, backoff, () => 0.999999), ceiling - 1);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(attempt, backoff);
      assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d} outside [0, ${ceiling})`);
    }
  }
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(retryAfterMs(null), null);
});

test('gives up after maxRetries attempts with retries_exhausted, each wait within its backoff bound', { timeout: 30_000 }, async () => {
  const c = await createStream();
  const down = await proxy({ down: true });
  const f = client(down.url, { maxRetries: 4, backoff: { baseMs: 40, maxMs: 200 } }).follow(c.stream, { transport: 'sse' });
  const states = [];
  f.on('state', (s) => states.push(s));
  const errors = [];
  f.on('error', (e) => errors.push(e));
  const started = Date.now();
  await assert.rejects(f.done, (err) => {
    assert.ok(err instanceof StreamHubError);
    assert.equal(err.code, 'retries_exhausted');
    return true;
  });
  const waits = states.filter((s) => s.state === 'reconnecting');
  assert.deepEqual(waits.map((s) => s.attempt), [1, 2, 3, 4]);
  waits.forEach((s, i) => assert.ok(s.delayMs >= 0 && s.delayMs < Math.min(200, 40 * 2 ** i), `wait ${i}: ${s.delayMs}`));
  const attempts = down.log.filter((r) => r.url.includes('/events'));
  assert.equal(attempts.length, 5, 'the first attempt and 4 retries');
  assert.equal(states.at(-1).state, 'closed');
  assert.deepEqual(errors.map((e) => e.data.code), ['retries_exhausted']);
  assert.ok(Date.now() - started < 10_000);
});

test('a bad transport, or WebSocket without one, is refused at once', () => {
  assert.throws(() => new StreamHubClient({ baseUrl: HUB, transport: 'http2' }), TypeError);
  const noWs = new StreamHubClient({ baseUrl: HUB, WebSocket: false }); // as where there is none
  assert.throws(() => noWs.follow('st_AAAAAAAAAAAAAAAAAAAAAA', { transport: 'ws' }), /no WebSocket here/);
});

test('an unknown stream fails at once with stream_not_found, no retry', async () => {
  const f = client(HUB).follow('st_AAAAAAAAAAAAAAAAAAAAAA', { transport: 'sse' });
  await assert.rejects(f.done, (err) => err.code === 'stream_not_found');
  await assert.rejects(client(HUB).follow('st_AAAAAAAAAAAAAAAAAAAAAA', { transport: 'ws' }).done, (err) => err.code === 'stream_not_found');
});

for (const transport of TRANSPORTS) {
  test(`${transport}: a stream is delivered exactly as logged`, async () => {
    const c = client(HUB);
    const created = await c.create(chat(`client ${transport}`, { max_tokens: 40 }));
    assert.match(created.node, /\S/);
    const { events, end, states } = await run(c.follow(created.stream, { transport }));
    assert.equal(end.type, 'done');
    await assertEqualsLog(created.stream, events);
    assert.deepEqual([...new Set(states.map((s) => s.transport))], [transport]);
  });
}

for (const transport of ['sse', 'poll']) {
  test(`${transport}: events sent again after a reconnect are dropped by offset`, async () => {
    // the proxy turns the client's resume request into one 10 offsets earlier, as a replaying server would
    let rewritten = 0;
    const p = await proxy({
      rewrite: (url) => url.replace(/([?&]from=)(\d+)/, (m, k, n) => {
        if (Number(n) < 10) return m;
        rewritten++;
        return `${k}${Number(n) - 10}`;
      }),
    });
    const c = client(p.url);
    const created = await c.create(chat(`dedup ${transport}`, { max_tokens: 120 }));
    const f = c.follow(created.stream, { transport });
    const { events, end } = await run(f, (e) => { if (e.offset === 30) f.drop(); });
    assert.equal(end.type, 'done');
    await assertEqualsLog(created.stream, events);
    assert.ok(rewritten >= 1, 'the resume asked for offsets already delivered');
    assert.ok(f.duplicates >= 10, `duplicates dropped: ${f.duplicates}`);
  });
}

/** Follows with every event type, snapshots included; the text is what an app would show. */
async function runCompact(follower, onEvent = () => {}) {
  const events = [];
  for (const type of ['delta', 'snapshot', 'binary', 'usage', 'done', 'error', 'cancelled']) {
    follower.on(type, (e) => { events.push(e); onEvent(e, events); });
  }
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout after ${events.length} events`)), 30_000).unref());
  const end = await Promise.race([follower.done, timeout]);
  const text = events.map((e) => (e.type === 'snapshot' || e.type === 'delta' ? e.data.text : '')).join('');
  // every offset of the log once: an event at its offset, a snapshot for from..to
  const covered = events.flatMap((e) => (e.type === 'snapshot'
    ? Array.from({ length: e.data.to - e.data.from + 1 }, (_, i) => e.data.from + i) : [e.offset]));
  return { events, end, text, covered };
}

async function waitForOffset(stream, offset) {
  for (let i = 0; i < 500; i++) {
    const meta = await (await fetch(`${HUB}/v1/streams/${stream}`)).json();
    if (meta.next_offset > offset) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`stream ${stream} never reached offset ${offset}`);
}

for (const transport of TRANSPORTS) {
  test(`${transport}: compact, a follower starting mid-stream gets the answer so far as one snapshot, then every later offset once`, async () => {
    const c = client(HUB, { compact: true });
    const created = await c.create(chat(`compact mid-stream ${transport}`, { max_tokens: 300 }));
    await waitForOffset(created.stream, 100);
    const { events, end, text, covered } = await runCompact(c.follow(created.stream, { transport }));
    assert.equal(end.type, 'done');
    const log = await logged(created.stream);
    assert.equal(events[0].type, 'snapshot');
    assert.equal(events[0].data.from, 0);
    assert.ok(events[0].offset >= 100, `the snapshot ends at ${events[0].offset}`);
    assert.deepEqual(covered, log.map((e) => e.offset), 'every offset once, in order');
    assert.equal(text, log.filter((e) => e.type === 'delta').map((e) => e.data.text).join(''));
  });

  test(`${transport}: compact, a reconnect appends the snapshot of what it missed to the text it had`, async () => {
    const c = client(HUB, { compact: true });
    const created = await c.create(chat(`compact reconnect ${transport}`, { max_tokens: 300 }));
    const f = c.follow(created.stream, { transport });
    let dropped = false;
    const { events, end, text, covered } = await runCompact(f, (e) => {
      if (!dropped && e.offset >= 30) {
        dropped = true;
        f.drop();
      }
    });
    assert.equal(end.type, 'done');
    const log = await logged(created.stream);
    assert.deepEqual(covered, log.map((e) => e.offset), 'every offset once, in order');
    assert.equal(text, log.filter((e) => e.type === 'delta').map((e) => e.data.text).join(''));
    assert.equal(f.duplicates, 0);
  });
}

test('resume on another transport: the WebSocket is cut and upgrades refused, the stream continues on SSE from the next offset', async () => {
  const p = await proxy({});
  const c = client(p.url);
  const created = await c.create(chat('cut me', { max_tokens: 200 }));
  const f = c.follow(created.stream); // auto: starts on WebSocket
  let cutAt = null;
  const { events, states, end } = await run(f, (e) => {
    if (e.offset === 25) {
      cutAt = f.next;
      p.rules.ws = 'refuse';
      p.cutUpgrades();
    }
  });
  assert.equal(end.type, 'done');
  await assertEqualsLog(created.stream, events);
  const opened = states.filter((s) => s.state === 'open').map((s) => s.transport);
  assert.deepEqual(opened, ['ws', 'sse']);
  const resumed = p.log.filter((r) => r.url.includes('/events?'));
  assert.equal(resumed.length, 1);
  assert.ok(resumed[0].url.endsWith(`from=${states.find((s) => s.state === 'open' && s.transport === 'sse').next}`));
  assert.ok(cutAt >= 26, 'the cut came after offset 25');
  assert.equal(c.rememberedTransport(), 'sse', 'what worked is remembered');
});

test('switchTo moves a stream in progress from WebSocket to long-poll with no gap', async () => {
  const c = client(HUB);
  const created = await c.create(chat('switch', { max_tokens: 150 }));
  const f = c.follow(created.stream, { transport: 'ws' });
  const { events, states, end } = await run(f, (e) => { if (e.offset === 20) f.switchTo('poll'); });
  assert.equal(end.type, 'done');
  await assertEqualsLog(created.stream, events);
  assert.deepEqual(states.filter((s) => s.state === 'open').map((s) => s.transport), ['ws', 'poll']);
});

test('fallback: WebSocket upgrades refused, auto completes on SSE', async () => {
  const p = await proxy({ ws: 'refuse' });
  const c = client(p.url);
  const created = await c.create(chat('no ws', { max_tokens: 40 }));
  const { events, states, end } = await run(c.follow(created.stream));
  assert.equal(end.type, 'done');
  await assertEqualsLog(created.stream, events);
  assert.deepEqual(states.filter((s) => s.state === 'open').map((s) => s.transport), ['sse']);
  assert.ok(p.log.some((r) => r.upgrade), 'WebSocket was tried first');
});

for (const sse of ['502', 'buffer']) {
  test(`fallback: upgrades refused and SSE ${sse === '502' ? 'answered 502' : 'buffered'}, auto completes by long-poll and stays there`, async () => {
    const p = await proxy({ ws: 'refuse', sse });
    // the whole answer takes 1.5 s at the test hub's pace (run.sh): a buffered SSE shows nothing before that
    const c = client(p.url, { connectTimeoutMs: 300 });
    const created = await c.create(chat(`no sse ${sse}`, { max_tokens: 300 }));
    const { events, states, end } = await run(c.follow(created.stream));
    assert.equal(end.type, 'done');
    await assertEqualsLog(created.stream, events);
    assert.deepEqual(states.filter((s) => s.state === 'open').map((s) => s.transport), ['poll']);
    assert.deepEqual(states.filter((s) => s.state === 'connecting').map((s) => s.transport), ['ws', 'sse', 'poll']);
    // the next stream of this page starts with what worked
    const second = await c.create(chat('again', { max_tokens: 5 }));
    const again = await run(c.follow(second.stream));
    assert.deepEqual(again.states.filter((s) => s.state === 'connecting').map((s) => s.transport), ['poll']);
  });
}

test('Retry-After on a 503 is honoured: the same transport again after that long', async () => {
  let refused = 0;
  const p = await proxy({
    answer: (req) => (req.url.includes('/events') && refused++ === 0
      ? { status: 503, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: '{"error":{"code":"draining","message":"draining"}}' }
      : null),
  });
  const c = client(p.url);
  const created = await c.create(chat('retry after', { max_tokens: 20 }));
  const started = Date.now();
  const { events, states, end } = await run(c.follow(created.stream, { transport: 'sse' }));
  assert.equal(end.type, 'done');
  await assertEqualsLog(created.stream, events);
  const waits = states.filter((s) => s.state === 'reconnecting');
  assert.deepEqual(waits.map((s) => [s.delayMs, s.reason, s.transport]), [[1000, 'draining', 'sse']]);
  assert.ok(Date.now() - started >= 1000);
  assert.deepEqual([...new Set(states.map((s) => s.transport))], ['sse']);
});

test('a connection that stalls is found dead by the heartbeat timeout and resumed', async () => {
  let stalled = 0;
  const p = await proxy({ stall: (req) => req.url.includes('/events') && stalled++ === 0 });
  const c = client(p.url, { heartbeatTimeoutMs: 1500 });
  const created = await c.create(chat('stall', { max_tokens: 60 }));
  const { events, states, end } = await run(c.follow(created.stream, { transport: 'sse' }));
  assert.equal(end.type, 'done');
  await assertEqualsLog(created.stream, events);
  assert.ok(states.some((s) => s.state === 'reconnecting' && s.reason === 'heartbeat timeout'), JSON.stringify(states));
});

test('cancel ends the stream with its cancelled event, seen by the follower', async () => {
  const c = client(HUB);
  const created = await c.create(chat('cancel', { max_tokens: 2000 }));
  const f = c.follow(created.stream, { transport: 'ws' });
  let cancelled = null;
  const { events, end } = await run(f, (e) => { if (e.offset === 5 && !cancelled) cancelled = f.cancel(); });
  assert.equal(end.type, 'cancelled');
  assert.equal((await cancelled).offset, end.offset);
  await assertEqualsLog(created.stream, events);
});

async function createStream() {
  return client(HUB).create(chat('x', { max_tokens: 5 }));
}

test('a hub serving only long-poll (transports=poll): auto moves past WebSocket and SSE at once, completes, remembers long-poll; sse pinned fails with transport_disabled', { timeout: 120_000 }, async () => {
  const hub = await startHub({ STREAMHUB_TRANSPORTS: 'poll', STREAMHUB_DEMO_TOKENS_PER_SECOND: '200', STREAMHUB_DEMO_ANSWER_TOKENS: '40' });
  try {
    const c = client(hub.url);
    const { stream } = await c.create(chat('only long-poll'));
    const { events, states, end } = await run(c.follow(stream));
    assert.equal(end.type, 'done');
    const log = await logged(stream, hub.url);
    assert.deepEqual(events, log);
    assert.deepEqual(states.filter((s) => s.state === 'connecting').map((s) => s.transport), ['ws', 'sse', 'poll'], 'each transport tried once, in order');
    assert.equal(c.rememberedTransport(), 'poll');

    const again = await run(c.follow((await c.create(chat('again'))).stream));
    assert.equal(again.end.type, 'done');
    assert.deepEqual(again.states.filter((s) => s.state === 'connecting').map((s) => s.transport), ['poll'], 'remembered');

    const pinned = c.follow((await c.create(chat('pinned'))).stream, { transport: 'sse' });
    await assert.rejects(pinned.done, (err) => err instanceof StreamHubError && err.code === 'transport_disabled' && err.status === 404);
  } finally {
    hub.child.kill('SIGKILL');
  }
});
