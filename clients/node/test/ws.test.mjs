// The ws@8 client on /v1/ws, with permessage-deflate offered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { HUB, chat, logged } from '../hub.mjs';

test('response.create streams the generation, compressed, exactly as logged', async () => {
  const ws = new WebSocket(`${HUB.replace('http', 'ws')}/v1/ws`, { perMessageDeflate: true });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  assert.match(ws.extensions, /permessage-deflate/);
  const messages = [];
  const ended = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), 20_000);
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      messages.push(m);
      if (['done', 'error', 'cancelled'].includes(m.type) && 'offset' in m) { clearTimeout(timer); resolve(); }
    });
  });
  ws.send(JSON.stringify({ type: 'response.create', request_id: 'n1', ...chat('node ws', { max_tokens: 15 }) }));
  await ended;
  ws.close(1000);
  const created = messages.find((m) => m.type === 'stream.created');
  assert.equal(created.request_id, 'n1');
  const events = messages.filter((m) => 'offset' in m);
  assert.deepEqual(events, await logged(created.stream));
});
