// A standard EventSource (eventsource@4, the WHATWG algorithm) reading native SSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { HUB, chat, createStream, awaitFinished, logged } from '../hub.mjs';

const TYPES = ['delta', 'usage', 'done', 'error', 'cancelled'];

/**
 * Opens an EventSource and collects events until `stop(events)` says so, or the source gives up.
 * `statuses` gets the HTTP status of every request the source made (its reconnects included), as
 * the server sent it: the source alone cannot tell a final 204 from a 404 or a 500.
 */
function collect(url, stop, statuses = []) {
  return new Promise((resolve, reject) => {
    const fetchAndRecord = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const source = new EventSource(url, { fetch: fetchAndRecord });
    const events = [];
    const timer = setTimeout(() => { source.close(); reject(new Error(`timeout after ${events.length} events`)); }, 20_000);
    const finish = () => { clearTimeout(timer); source.close(); resolve({ events, source }); };
    for (const type of TYPES) {
      source.addEventListener(type, (e) => {
        // a stream's `error` event is a MessageEvent with data; EventSource's own connection
        // errors use the same event name and carry none
        if (e.data === undefined) return;
        events.push({ id: e.lastEventId, type: e.type, data: JSON.parse(e.data) });
        if (stop(events)) finish();
      });
    }
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
  });
}

test('reads a stream with ids equal to offsets and data equal to the log', async () => {
  const stream = await createStream(chat('eventsource', { max_tokens: 20 }));
  await awaitFinished(stream);
  const { events } = await collect(`${HUB}/v1/streams/${stream}/events`, (ev) => ev.at(-1).type === 'done');
  const log = await logged(stream);
  assert.deepEqual(events.map((e) => e.data), log);
  assert.deepEqual(events.map((e) => e.id), log.map((e) => String(e.offset)));
});

test('lastEventId in the query resumes after that offset', async () => {
  const stream = await createStream(chat('resume', { max_tokens: 20 }));
  await awaitFinished(stream);
  const log = await logged(stream);
  const { events } = await collect(`${HUB}/v1/streams/${stream}/events?lastEventId=9`, (ev) => ev.at(-1).type === 'done');
  assert.deepEqual(events.map((e) => e.data), log.slice(10));
});

test('after the terminal event the automatic reconnect gets 204 and the source closes for good', async () => {
  const stream = await createStream(chat('no loop', { max_tokens: 5 }));
  await awaitFinished(stream);
  const statuses = [];
  const { events, source } = await collect(`${HUB}/v1/streams/${stream}/events`, () => false, statuses);
  assert.deepEqual(statuses, [200, 204], 'the first read, then one reconnect answered 204');
  assert.equal(events.at(-1).type, 'done');
  assert.deepEqual(events.map((e) => Number(e.id)), [...Array(events.length).keys()]);
  assert.equal(source.readyState, EventSource.CLOSED);
});
