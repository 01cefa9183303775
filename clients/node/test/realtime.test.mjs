// The official OpenAI Node SDK's Realtime WebSocket client (openai@6, OpenAIRealtimeWS over `ws`)
// against /v1/realtime, only the base URL changed. The SDK always dials wss://, so a TLS proxy with a
// throw-away self-signed certificate (openssl) sits in front of a hub of the test's own. A Node.js
// bridge worker (workers/node/worker.js with WORKER_AUDIO=1) serves model `node-voice`, publishing a
// `binary` event (the token's UTF-8 bytes) after each text token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
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
let worker;
const BRIDGE_TOKEN = 'realtime-test-bridge-token-0123';

/** A free loopback port below the ephemeral range (the bridge cannot listen on 0 and report it). */
async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 12000 + Math.floor(Math.random() * 8000);
    const free = await new Promise((resolve) => {
      const server = net.createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in [12000, 20000)');
}

/** Polls GET /v1/models until `model` is listed (bounded). */
async function awaitModel(model) {
  for (let i = 0; i < 300; i++) {
    const body = await (await fetch(`${hub.url}/v1/models`)).json();
    if (body.data.some((m) => m.id === model)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`model ${model} not listed within 15 s`);
}

before(async () => {
  // 50 tokens/s, 2000-token answers: an interrupt lands mid-answer however loaded the machine
  const bridgePort = await freePort();
  hub = await startHub({
    STREAMHUB_DEMO_TOKENS_PER_SECOND: '50', STREAMHUB_DEMO_ANSWER_TOKENS: '2000',
    STREAMHUB_BRIDGE_ENABLED: 'true', STREAMHUB_BRIDGE_PORT: String(bridgePort), STREAMHUB_BRIDGE_TOKEN: BRIDGE_TOKEN,
  });
  const script = new URL('../../../workers/node/worker.js', import.meta.url).pathname;
  worker = spawn('node', [script], {
    env: { ...process.env, STREAMHUB_BRIDGE_PORT: String(bridgePort), STREAMHUB_BRIDGE_TOKEN: BRIDGE_TOKEN,
      WORKER_MODEL: 'node-voice', WORKER_AUDIO: '1', WORKER_TOKEN_DELAY_MS: '5' },
    stdio: 'ignore',
  });
  await awaitModel('node-voice');
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
  worker?.kill('SIGKILL');
  hub?.child.kill('SIGKILL');
});

/** Opens a realtime connection; resolves with it and a queue of server events. */
async function connect(model = 'demo') {
  const rt = new OpenAIRealtimeWS({ model, options: { rejectUnauthorized: false } }, client);
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

test('a worker\'s binary events arrive as response.output_audio.delta, each chunk\'s bytes in base64, after its text delta', async () => {
  const { rt, events, next } = await connect('node-voice');
  const typed = [];
  rt.on('response.output_audio.delta', (e) => typed.push(e.delta)); // the SDK's own dispatch by event type
  await next('session.created');
  say(rt, 'speak these words');
  await next('conversation.item.created');
  rt.send({ type: 'response.create' });
  const done = await next('response.done');
  rt.close();

  const own = events.filter((e) => e.response_id === done.response.id);
  const words = ['Echo:', ' speak', ' these', ' words'];
  // each token: its text delta, then its audio chunk (the token's UTF-8 bytes); then one done per part
  assert.deepEqual(own.map((e) => e.type), [
    ...words.flatMap(() => ['response.output_text.delta', 'response.output_audio.delta']),
    'response.output_text.done', 'response.output_audio.done']);
  const audio = own.filter((e) => e.type === 'response.output_audio.delta');
  assert.deepEqual(audio.map((e) => Buffer.from(e.delta, 'base64')), words.map((w) => Buffer.from(w, 'utf8')));
  assert.deepEqual(audio.map((e) => e.delta), words.map((w) => Buffer.from(w, 'utf8').toString('base64')));
  assert.deepEqual(typed, audio.map((e) => e.delta));
  for (const e of own) {
    assert.equal(e.item_id, done.response.output[0].id);
    assert.equal(e.output_index, 0);
    assert.equal(e.content_index, e.type.startsWith('response.output_audio') ? 1 : 0);
  }
  assert.equal(done.response.status, 'completed');
  assert.deepEqual(done.response.output_modalities, ['text', 'audio']);
  assert.deepEqual(done.response.output[0].content, [{ type: 'output_text', text: words.join('') }, { type: 'output_audio' }]);
  // the log keeps the chunks as binary events: a reader of the stream gets the same bytes
  const stream = `st_${done.response.id.slice('resp_'.length)}`;
  const body = await (await fetch(`${hub.url}/v1/streams/${stream}/poll?from=0&timeout=5`)).json();
  assert.deepEqual(body.events.filter((e) => e.type === 'binary').map((e) => e.data.base64), audio.map((e) => e.delta));
  assert.equal(events.filter((e) => e.type === 'error').length, 0, JSON.stringify(events.filter((e) => e.type === 'error')));
});
