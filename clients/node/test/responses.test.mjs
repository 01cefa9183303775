// The official OpenAI Node SDK (openai@6) Responses API against /v1, only the base URL changed:
// a background streaming response cut mid-answer and resumed with starting_after, previous_response_id,
// cancel, refused fields.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { HUB, startHub } from '../hub.mjs';

const client = new OpenAI({ baseURL: `${HUB}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 30_000 });

async function all(stream) {
  const events = [];
  for await (const event of stream) events.push(event);
  return events;
}

const text = (events) => events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');

test('a background stream cut mid-answer resumes with starting_after: every event once, in order', async () => {
  const input = 'node responses resume';
  const first = [];
  const stream = await client.responses.create({ model: 'demo', input, background: true, stream: true });
  for await (const event of stream) {
    first.push(event);
    if (first.length === 10) break; // leaving the loop aborts the request: the connection is cut
  }
  const id = first[0].response.id;
  const last = first.at(-1).sequence_number;
  assert.equal(last, 9);
  const rest = await all(await client.responses.retrieve(id, { stream: true, starting_after: last }));
  const whole = await all(await client.responses.retrieve(id, { stream: true }));
  assert.deepEqual([...first, ...rest], whole);
  assert.equal(rest[0].sequence_number, last + 1);
  assert.deepEqual(whole.map((e) => e.sequence_number), [...whole.keys()].map((i) => (i < whole.length - 4 ? i : i + 1)),
    'numbers: 0..3 preamble, offset + 4 per delta, the usage offset skipped, then the four closing events');
  assert.equal(whole.at(-1).type, 'response.completed');
  const retrieved = await client.responses.retrieve(id);
  assert.equal(retrieved.status, 'completed');
  assert.equal(retrieved.output_text, text(whole));
  assert.equal(whole.at(-1).response.output[0].content[0].text, text(whole));
});

test('unsupported fields are refused with a 400 naming them, never ignored', async () => {
  await assert.rejects(client.responses.create({ model: 'demo', input: 'x', temperature: 0.2 }), (err) => {
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, /'temperature' is not supported/);
    return true;
  });
  await assert.rejects(client.responses.retrieve('resp_nope'), (err) => {
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.equal(err.code, 'stream_not_found');
    return true;
  });
});

test('previous_response_id continues the earlier response\'s conversation and is echoed; instructions are not carried over', async () => {
  const first = await client.responses.create({ model: 'demo', input: 'my name is Ada', instructions: 'be brief', max_output_tokens: 1000 });
  assert.equal(first.instructions, 'be brief');
  assert.equal(first.max_output_tokens, 1000);
  assert.equal(first.previous_response_id, null);
  const second = await client.responses.create({ model: 'demo', input: 'what did I say?', previous_response_id: first.id });
  assert.equal(second.previous_response_id, first.id);
  assert.equal(second.instructions, null);
  assert.match(second.output_text, /^You asked: what did I say\?\. Turn 2; first you asked: my name is Ada\./);
  const events = await all(await client.responses.create({ model: 'demo', input: 'and now?', previous_response_id: second.id, stream: true }));
  assert.equal(events[0].response.previous_response_id, second.id);
  assert.equal(events.at(-1).response.previous_response_id, second.id);
  assert.match(text(events), /^You asked: and now\?\. Turn 3; first you asked: my name is Ada\./);
  assert.equal((await client.responses.retrieve(second.id)).previous_response_id, first.id);
});

test('an unknown previous_response_id is OpenAI\'s 400 previous_response_not_found', async () => {
  await assert.rejects(client.responses.create({ model: 'demo', input: 'x', previous_response_id: 'resp_AAAAAAAAAAAAAAAAAAAAAA' }), (err) => {
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'previous_response_not_found');
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /Previous response with id 'resp_AAAAAAAAAAAAAAAAAAAAAA' not found\./);
    return true;
  });
});

// A hub of its own whose answers take 40 s, so the cancel lands mid-answer however loaded the machine.
let slow;
after(() => slow?.child.kill('SIGKILL'));

test('cancel stops a background response mid-answer; the log ends with response.cancelled', async () => {
  slow = await startHub({ STREAMHUB_DEMO_TOKENS_PER_SECOND: '50', STREAMHUB_DEMO_ANSWER_TOKENS: '2000' });
  const onSlow = new OpenAI({ baseURL: `${slow.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 30_000 });
  const started = await onSlow.responses.create({ model: 'demo', input: 'cancel me', background: true });
  assert.equal(started.status, 'in_progress');
  const cancelled = await onSlow.responses.cancel(started.id);
  assert.equal(cancelled.status, 'cancelled');
  const events = await all(await onSlow.responses.retrieve(started.id, { stream: true }));
  assert.equal(events.at(-1).type, 'response.cancelled');
  assert.equal(events.at(-1).response.status, 'cancelled');
  assert.equal(events.at(-2).item.status, 'incomplete');
  assert.ok(text(events).length < 2000 * 3, 'stopped before the whole answer');
  assert.equal((await onSlow.responses.retrieve(started.id)).status, 'cancelled');
  await onSlow.responses.delete(started.id);
});
