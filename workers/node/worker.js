#!/usr/bin/env node
// A StreamHub model worker in Node.js, standard library only. It connects to the hub's TCP
// event-bus bridge, takes generation requests for one model, streams tokens into the stream and
// honours cancel. The protocol is described in ../README.md.
//
//   STREAMHUB_BRIDGE_TOKEN=... node worker.js
//
// Environment: STREAMHUB_BRIDGE_HOST (127.0.0.1), STREAMHUB_BRIDGE_PORT (7001),
// STREAMHUB_BRIDGE_TOKEN (required), WORKER_MODEL (node-echo), WORKER_TOKEN_DELAY_MS (20),
// WORKER_AUDIO (unset; `1`: after each token also a `binary` event, a stand-in audio chunk: the
// token's UTF-8 bytes, which Realtime clients get as `response.output_audio.delta`).
'use strict';

const net = require('node:net');

const HOST = process.env.STREAMHUB_BRIDGE_HOST || '127.0.0.1';
const PORT = Number(process.env.STREAMHUB_BRIDGE_PORT || 7001);
const TOKEN = process.env.STREAMHUB_BRIDGE_TOKEN;
const MODEL = process.env.WORKER_MODEL || 'node-echo';
const DELAY_MS = Number(process.env.WORKER_TOKEN_DELAY_MS || 20);
const AUDIO = process.env.WORKER_AUDIO === '1';
const GENERATE = 'streamhub.generate.' + MODEL;
const PUBLISH = 'streamhub.publish';
const CANCEL_PREFIX = 'streamhub.cancel.';

if (!TOKEN) {
  console.error('node-worker: set STREAMHUB_BRIDGE_TOKEN to the hub\'s bridge_token');
  process.exit(2);
}

/** The answer to a request: "Echo:" then each word of the last user message, one token each. */
function tokensFor(request) {
  const messages = request.messages || [];
  let text = '';
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      const content = messages[i].content;
      text = typeof content === 'string' ? content
        : (content || []).filter((p) => p.type === 'text').map((p) => p.text).join('');
      break;
    }
  }
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  return ['Echo:'].concat(words.map((w) => ' ' + w));
}

/** One framed connection to the bridge: 4-byte big-endian length, then UTF-8 JSON. */
class Bridge {
  constructor(socket, onFrame) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.replies = new Map();
    this.nextReply = 0;
    socket.on('data', (chunk) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4) {
        const length = this.pending.readUInt32BE(0);
        if (this.pending.length < 4 + length) break;
        const frame = JSON.parse(this.pending.subarray(4, 4 + length).toString('utf8'));
        this.pending = this.pending.subarray(4 + length);
        this.dispatch(frame, onFrame);
      }
    });
  }

  write(frame) {
    frame.headers = Object.assign({}, frame.headers, { token: TOKEN });
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length, 0);
    this.socket.write(Buffer.concat([length, json]));
  }

  register(address) { this.write({ type: 'register', address }); }
  unregister(address) { this.write({ type: 'unregister', address }); }
  reply(replyAddress, body) { this.write({ type: 'send', address: replyAddress, body }); }

  /** Sends to a hub address and resolves with the reply body (rejects with the hub's error message). */
  request(address, body) {
    const replyAddress = 'node-worker.' + process.pid + '.' + (this.nextReply++);
    return new Promise((resolve, reject) => {
      this.replies.set(replyAddress, { resolve, reject });
      this.write({ type: 'send', address, replyAddress, body });
    });
  }

  dispatch(frame, onFrame) {
    const waiter = frame.address && this.replies.get(frame.address);
    if (waiter) {
      this.replies.delete(frame.address);
      if (frame.type === 'err') waiter.reject(new Error(frame.message));
      else waiter.resolve(frame.body);
      return;
    }
    if (frame.type === 'err') {
      console.error('node-worker: bridge error: ' + frame.message);
      return;
    }
    onFrame(frame);
  }
}

/** One generation: a token every DELAY_MS, then usage and done; stops at once on cancel. */
class Generation {
  constructor(bridge, request, onEnd) {
    this.bridge = bridge;
    this.stream = request.stream;
    this.onEnd = onEnd;
    const all = tokensFor(request);
    const cap = request.max_tokens > 0 ? request.max_tokens : all.length;
    this.tokens = all.slice(0, cap);
    this.finishReason = all.length > cap ? 'length' : 'stop';
    this.promptTokens = Math.max(1, Math.ceil(JSON.stringify(request.messages || []).length / 4));
    this.sent = 0;
    this.ended = false;
    this.timer = setInterval(() => this.tick(), DELAY_MS);
  }

  publish(events) {
    return this.bridge.request(PUBLISH, { stream: this.stream, events });
  }

  tick() {
    if (this.ended) return;
    if (this.sent < this.tokens.length) {
      const text = this.tokens[this.sent++];
      const events = [{ type: 'delta', data: { text } }];
      if (AUDIO) events.push({ type: 'binary', data: { base64: Buffer.from(text, 'utf8').toString('base64') } });
      this.publish(events).catch((err) => this.stop('publish failed: ' + err.message));
      return;
    }
    const usage = { prompt_tokens: this.promptTokens, completion_tokens: this.sent, total_tokens: this.promptTokens + this.sent };
    this.stop();
    this.publish([{ type: 'usage', data: usage }, { type: 'done', data: { finish_reason: this.finishReason } }])
      .catch((err) => console.error('node-worker: stream ' + this.stream + ': ' + err.message));
  }

  /** Cancel: stop generating, append `cancelled`, answer the hub with that event. */
  cancel(message) {
    const reason = (message.body && message.body.reason) || 'client';
    if (this.ended) {
      this.bridge.write({ type: 'send', address: message.replyAddress, failureCode: 409, message: 'stream_finished' });
      return;
    }
    this.stop();
    const cancelled = { type: 'cancelled', data: { reason } };
    this.publish([cancelled]).then((receipt) => {
      this.bridge.reply(message.replyAddress, Object.assign({ stream: this.stream, offset: receipt.first_offset, ts: 0 }, cancelled));
    }, (err) => {
      this.bridge.write({ type: 'send', address: message.replyAddress, failureCode: 500, message: err.message });
    });
  }

  stop(why) {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    if (why) console.error('node-worker: stream ' + this.stream + ' stopped: ' + why);
    this.onEnd();
  }
}

function connect() {
  const socket = net.connect({ host: HOST, port: PORT });
  socket.setNoDelay(true);
  const generations = new Map();
  const bridge = new Bridge(socket, (frame) => {
    if (frame.type !== 'message') return;
    if (frame.address === GENERATE && frame.replyAddress) {
      const request = frame.body;
      const cancelAddress = CANCEL_PREFIX + request.stream;
      // register for cancels before accepting, so that no cancel can arrive unheard
      bridge.register(cancelAddress);
      bridge.reply(frame.replyAddress, { stream: request.stream, accepted: true });
      generations.set(cancelAddress, new Generation(bridge, request, () => {
        generations.delete(cancelAddress);
        bridge.unregister(cancelAddress);
      }));
    } else if (generations.has(frame.address) && frame.replyAddress) {
      generations.get(frame.address).cancel(frame);
    }
  });
  socket.on('connect', () => {
    bridge.register(GENERATE);
    console.log('node-worker: serving model ' + MODEL + ' via ' + HOST + ':' + PORT);
  });
  socket.on('error', (err) => console.error('node-worker: ' + err.message));
  socket.on('close', () => {
    generations.forEach((g) => g.stop('bridge connection closed'));
    setTimeout(connect, 1000);
  });
}

connect();
