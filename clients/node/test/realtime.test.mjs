// The official OpenAI Node SDK's Realtime WebSocket client (openai@6, OpenAIRealtimeWS over `ws`)
// against /v1/realtime, only the base URL changed. The SDK always dials wss://, so a TLS proxy with a
// throw-away self-signed certificate (openssl) sits in front of a hub of the test's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { startHub } from '../hub.mjs';

let hub;
let proxy;
let client;

before(async () => {
  // 50 tokens/s, 2000-token answers: an interrupt lands mid-answer however loaded the machine
  hub = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '50', STREAMHUB_DEMO_ANSWER_TOKENS: '2000' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'realtime-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const target = new URL(hub.url);
  proxy = tls.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (socket) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  client = new OpenAI({ baseURL: `https://127.0.0.1:${proxy.address().port}/v1`, apiKey: 'unused' });
});

after(() => {
  proxy?.close();
  hub?.child.kill('SIGKILL');
});

/** Opens a realtime connection; resolves with it and a queue of server events. */
async function connect() {
  const rt = new OpenAIRealtimeWS({ model: 'demo', options: { rejectUnauthorized: false } }, client);
  const events = [];
  const waiters = [];
  rt.on('event', (event) => {
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  rt.on('error', () => {}); // error events are asserted from `events`
  const next = (type, timeoutMs = 60_000) => {
    const seen = events.find((e) => e.type === type && !e.taken);
    if (seen) {
      seen.taken = true;
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms; got ${events.map((e) => e.type)}`)), timeoutMs);
      waiters.push({ match: (e) => e.type === type, resolve: (e) => { clearTimeout(timer); e.taken = true; resolve(e); } });
    });
  };
  return { rt, events, next };
}

const say = (rt, text) => rt.send({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

test('two turns, the second over the whole conversation', async () => {
  const { rt, events, next } = await connect();
  const created = await next('session.created');
  assert.equal(created.session.model, 'demo');
  rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'be brief', max_output_tokens: 12 } });
  assert.equal((await next('session.updated')).session.instructions, 'be brief');

  say(rt, 'first question');
  assert.equal((await next('conversation.item.created')).item.role, 'user');
  rt.send({ type: 'response.create' });
  const first = await next('response.done');
  say(rt, 'second question');
  await next('conversation.item.created');
  rt.send({ type: 'response.create' });
  const second = await next('response.done');
  rt.close();

  for (const done of [first, second]) {
    const deltas = events.filter((e) => e.type === 'response.output_text.delta' && e.response_id === done.response.id);
    const textDone = events.find((e) => e.type === 'response.output_text.done' && e.response_id === done.response.id);
    assert.equal(deltas.length, 12, 'max_output_tokens from session.update');
    assert.equal(done.response.status, 'incomplete');
    assert.equal(textDone.text, deltas.map((e) => e.delta).join(''));
    assert.equal(done.response.output[0].content[0].text, textDone.text);
  }
  assert.match(first.response.output[0].content[0].text, /^You asked: first/);
  assert.match(second.response.output[0].content[0].text, /^You asked: second/);
  assert.deepEqual(events.filter((e) => e.type.startsWith('response.created')).map((e) => e.response.status), ['in_progress', 'in_progress']);
  assert.equal(events.filter((e) => e.type === 'error').length, 0, JSON.stringify(events.filter((e) => e.type === 'error')));
});

test('response.cancel mid-answer: response.done cancelled, the stream log ends with cancelled', async () => {
  const { rt, events, next } = await connect();
  await next('session.created');
  say(rt, 'interrupt me');
  await next('conversation.item.created');
  rt.send({ type: 'response.create' });
  const created = await next('response.created');
  await next('response.output_text.delta');
  rt.send({ type: 'response.cancel' });
  const done = await next('response.done');
  rt.close();
  assert.equal(done.response.id, created.response.id);
  assert.equal(done.response.status, 'cancelled');
  const deltas = events.filter((e) => e.type === 'response.output_text.delta');
  assert.ok(deltas.length < 2000, `stopped mid-answer after ${deltas.length} deltas`);
  const stream = `st_${done.response.id.slice('resp_'.length)}`;
  const body = await (await fetch(`${hub.url}/v1/streams/${stream}/poll?from=${deltas.length}&timeout=5`)).json();
  assert.deepEqual(body.events.map((e) => e.type), ['cancelled']);
  assert.equal(body.done, true);
});

test('unsupported events and fields are error events; the socket stays open', async () => {
  const { rt, events, next } = await connect();
  await next('session.created');
  rt.send({ type: 'input_audio_buffer.append', audio: 'AAAA' });
  const unsupported = await next('error');
  assert.equal(unsupported.error.code, 'bad_request');
  assert.match(unsupported.error.message, /input_audio_buffer.append/);
  rt.send({ type: 'session.update', session: { tools: [] } });
  assert.match((await next('error')).error.message, /'session.tools' is not supported/);
  rt.send({ type: 'response.create' });
  assert.match((await next('error')).error.message, /conversation is empty/);
  rt.send({ type: 'session.update', session: { instructions: 'still open' } });
  assert.equal((await next('session.updated')).session.instructions, 'still open');
  rt.close();
  assert.equal(events.filter((e) => e.type === 'error').length, 3);
});
