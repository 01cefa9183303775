// A standard EventSource (eventsource@4) behind a load balancer, across a graceful drain: two
// clustered hub JVMs, a TCP proxy in front that sends each new connection to the first node that
// accepts it. Node A (edge) is drained by SIGTERM while the EventSource reads through it; the hub's
// `reconnect` event and the end of the response make EventSource reconnect by itself, with
// Last-Event-ID, and the proxy takes it to node B: every offset arrives exactly once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { StreamHubClient } from '../../../web-demo/streamhub-client.js';
import { startNode, proxy, json, awaitMembers } from '../cluster.mjs';

const TYPES = ['delta', 'usage', 'done', 'error', 'cancelled'];

test('EventSource behind a proxy resumes on another node across a drain, every offset once', { timeout: 150_000 }, async () => {
  const cluster = `node-drain-${randomUUID().slice(0, 8)}`;
  // B first: it computes the generation and holds the log; A is the edge the client reads from
  const b = await startNode('b', cluster, 'all');
  const a = await startNode('a', cluster, 'edge');
  const server = await proxy([a.url, b.url]);
  const front = `http://127.0.0.1:${server.address().port}`;
  try {
    await awaitMembers(a.url, 2);
    await awaitMembers(b.url, 2);
    const created = await json(`${b.url}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', seed: 5, messages: [{ role: 'user', content: 'drain me' }] }),
    });
    const stream = created.stream;

    // the StreamHub client too, on each transport, through the same proxy: told by the drained node
    // (close 1012, the `reconnect` event, a 503 draining), each resumes on B from its next offset
    const followers = ['ws', 'sse', 'poll'].map((transport) => {
      const f = new StreamHubClient({ baseUrl: front, WebSocket }).follow(stream, { transport });
      const seen = { transport, events: [], states: [], done: f.done };
      for (const type of TYPES) f.on(type, (e) => seen.events.push(e));
      f.on('state', (st) => seen.states.push(st));
      return seen;
    });

    const events = [];
    const notices = [];
    const servedBy = new Set();
    let drained;
    const done = new Promise((resolve, reject) => {
      const source = new EventSource(`${front}/v1/streams/${stream}/events`, {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          servedBy.add(response.headers.get('x-streamhub-node'));
          return response;
        },
      });
      const timer = setTimeout(() => { source.close(); reject(new Error(`timeout after ${events.length} events`)); }, 120_000);
      for (const type of TYPES) {
        source.addEventListener(type, (e) => {
          if (e.data === undefined) return;
          events.push({ id: e.lastEventId, type: e.type, data: JSON.parse(e.data) });
          if (events.length === 20 && !drained) {
            // mid-stream: SIGTERM to the node this client reads from
            drained = new Promise((r) => a.child.once('exit', (code, signal) => r({ code, signal })));
            a.child.kill('SIGTERM');
          }
          if (['done', 'error', 'cancelled'].includes(e.type)) {
            clearTimeout(timer);
            source.close();
            resolve();
          }
        });
      }
      source.addEventListener('reconnect', (e) => notices.push({ after: events.length, data: JSON.parse(e.data) }));
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) { clearTimeout(timer); reject(new Error('EventSource gave up')); } };
    });
    await done;
    const exit = await drained;

    const log = await json(`${b.url}/v1/streams/${stream}/poll?from=0&timeout=0`);
    assert.equal(log.done, true);
    assert.deepEqual(events.map((e) => e.id), log.events.map((e) => String(e.offset)), 'every offset once, in order');
    assert.deepEqual(events.map((e) => e.data), log.events);
    assert.equal(events.at(-1).type, 'done', 'the generation finished');
    assert.equal(notices.length, 1, 'one reconnect notice, from the drained node');
    assert.equal(notices[0].data.code, 'draining');
    assert.equal(notices[0].data.next, notices[0].after, 'the notice names the next offset');
    assert.ok(notices[0].after < log.events.length - 1, 'the drain came mid-stream');
    assert.equal(servedBy.size, 2, `served by both nodes: ${[...servedBy]}`);
    assert.ok(exit.code === 0 || exit.code === 143 || exit.signal === 'SIGTERM', `A exited after its drain: ${JSON.stringify(exit)}`);
    assert.match(a.output(), /drained in \d+ ms; leaving/);
    for (const f of followers) {
      assert.equal((await f.done).type, 'done', f.transport);
      assert.deepEqual(f.events, log.events, `${f.transport}: every offset once, in order`);
      const nodes = [...new Set(f.states.map((st) => st.node).filter(Boolean))];
      if (f.transport !== 'ws') assert.equal(nodes.length, 2, `${f.transport} served by both nodes: ${nodes}`);
    }
    const reasons = (t) => followers.find((f) => f.transport === t).states.filter((st) => st.state === 'reconnecting').map((st) => st.reason);
    // The first reconnect is the drained node's notice; a retry after it may find the proxy's pick of
    // the draining node already refusing connections ('sse: fetch failed'), which the client rides
    // out (the every-offset-once checks above hold either way).
    assert.equal(reasons('ws')[0], 'close 1012', `the WebSocket was closed with 1012 first: ${reasons('ws')}`);
    assert.equal(reasons('sse')[0], 'draining', `SSE got the reconnect event first: ${reasons('sse')}`);

  } finally {
    server.close();
    for (const node of [a, b]) {
      if (node.child.exitCode === null) node.child.kill('SIGKILL');
    }
  }
});
