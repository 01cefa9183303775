// The official OpenAI Node SDK (openai@6) against /v1, with only the base URL changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { HUB, chat } from '../hub.mjs';

const client = new OpenAI({ baseURL: `${HUB}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 20_000 });

test('streamed text equals the non-streamed answer for the same seed', async () => {
  const whole = await client.chat.completions.create(chat('node sdk', { max_tokens: 30 }));
  let text = '';
  let finish = null;
  let role = null;
  let usage = null;
  const stream = await client.chat.completions.create(chat('node sdk', { max_tokens: 30, stream: true, stream_options: { include_usage: true } }));
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.choices.length === 0) { usage = chunk.usage; continue; }
    role ??= chunk.choices[0].delta.role;
    text += chunk.choices[0].delta.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(role, 'assistant');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.deepEqual(usage, whole.usage);
});

test('models are listed', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes('demo'), `models: ${ids}`);
});

test('an unknown model is a NotFoundError with code model_not_found', async () => {
  await assert.rejects(client.chat.completions.create({ ...chat('x'), model: 'no-such-model' }), (err) => {
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.equal(err.code, 'model_not_found');
    return true;
  });
});

test('an invalid body is a BadRequestError with code bad_request naming the field', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'demo', messages: [] }), (err) => {
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, /messages/);
    return true;
  });
});
