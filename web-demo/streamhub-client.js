// StreamHub client: start generations and follow their streams over WebSocket, SSE or long-poll,
// falling back from one to the next when a transport cannot connect or a proxy cuts it, and
// resuming from the next offset (with no gap and no duplicate) after any drop, on whichever
// transport it lands on. A dependency-free ES module for browsers (current Chromium and Firefox)
// and Node.js 20+ (pass `WebSocket` there, e.g. from the `ws` package). Types: streamhub-client.d.ts.
//
// Wire protocols (README of the hub): WebSocket `/v1/ws` (stream.subscribe {stream, from}, events
// carry `offset`, binary events are binary frames, close 1012 = node draining); SSE
// `/v1/streams/{id}/events?from=N` (read with fetch, so heartbeat comments and headers are seen;
// `event: reconnect` = node draining); long-poll `/v1/streams/{id}/poll?from=N&timeout=S`.
// With `compact: true` every connection asks `compact=true` (`stream.subscribe {compact: true}`):
// the catch-up (the answer so far when starting mid-stream, what was missed on a reconnect) comes as
// ONE `snapshot` event, offset N, data {text, from, to: N}, then the events from N+1.

const TERMINAL = new Set(['done', 'error', 'cancelled']);
const EVENT_TYPES = ['delta', 'snapshot', 'binary', 'usage', 'done', 'error', 'cancelled'];
/** Every transport, in fallback order. */
export const TRANSPORTS = Object.freeze(['ws', 'sse', 'poll']);
/** Hub error codes after which reading the stream again cannot help. */
const FATAL_CODES = new Set(['stream_not_found', 'offset_expired', 'bad_offset', 'bad_request',
  'unauthorized', 'forbidden', 'not_found', 'payload_too_large']);
/** WebSocket close codes (RFC 6455) the client handles by name. */
const WS_SERVICE_RESTART = 1012;
const WS_POLICY = 1008;

/** The transport that worked, per hub URL, for the lifetime of the page (or Node process). */
const remembered = new Map();
/** Followers waiting out a backoff: the browser coming back online ends their wait. */
const waiting = new Set();
globalThis.addEventListener?.('online', () => { for (const f of [...waiting]) f.reconnectNow(); });

/** A failure with the hub's stable error `code` (or the client's own: `retries_exhausted`). */
export class StreamHubError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.name = 'StreamHubError';
    this.code = code;
    this.status = status;
  }
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * a delay drawn uniformly from [0, min(maxMs, baseMs * 2^attempt)). `attempt` counts from 0.
 */
export function backoffDelay(attempt, { baseMs = 250, maxMs = 10_000 } = {}, random = Math.random) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** Forgets which transport worked (what a new page would start with). */
export function forgetTransports() {
  remembered.clear();
}

export class StreamHubClient {
  /**
   * @param {string|object} options the hub's base URL (`''`: this page's origin), or
   *   `{baseUrl, transport, maxRetries, backoff: {baseMs, maxMs}, connectTimeoutMs,
   *   heartbeatTimeoutMs, pollTimeoutSeconds, WebSocket, fetch}`; see streamhub-client.d.ts.
   */
  constructor(options = {}) {
    const o = typeof options === 'string' ? { baseUrl: options } : options;
    this.baseUrl = (o.baseUrl ?? '').replace(/\/$/, '');
    this.transport = o.transport ?? 'auto';
    this.compact = o.compact ?? false;
    this.maxRetries = o.maxRetries ?? 8;
    this.backoff = { baseMs: 250, maxMs: 10_000, ...o.backoff };
    this.connectTimeoutMs = o.connectTimeoutMs ?? 5_000;
    this.heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? 45_000;
    // a held poll must come back well before the heartbeat timeout calls the connection dead
    this.pollTimeoutSeconds = Math.max(0, Math.min(o.pollTimeoutSeconds ?? 20, Math.floor(this.heartbeatTimeoutMs / 2000)));
    this.WebSocket = o.WebSocket ?? globalThis.WebSocket;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.random = o.random ?? Math.random;
    this.followers = new Set();
    checkTransport(this.transport, true);
  }

  /** Starts a generation (POST /v1/streams); resolves to its description plus `node` (X-StreamHub-Node). */
  async create(body) {
    const res = await this.fetch(`${this.baseUrl}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await readJson(res);
    return { ...json, node: res.headers.get('x-streamhub-node') };
  }

  /**
   * A conversation the hub keeps (GET /v1/conversations/{id}): resolves to
   * {id, object: 'conversation', owner, created, turns: [{role, content, stream, status}]};
   * rejects with `conversation_not_found` when it expired, was deleted or is another principal's.
   */
  async conversation(id) {
    return readJson(await this.fetch(`${this.baseUrl}/v1/conversations/${encodeURIComponent(id)}`));
  }

  /** Cancels a generation (DELETE /v1/streams/{id}); resolves to {stream, status, offset}. */
  async cancel(stream) {
    return readJson(await this.fetch(`${this.baseUrl}/v1/streams/${encodeURIComponent(stream)}`, { method: 'DELETE' }));
  }

  /**
   * Follows a stream from offset `from` (default 0). Listeners attached before the next microtask
   * see every event. Returns a {@link StreamFollower}.
   */
  follow(stream, { from = 0, transport, compact } = {}) {
    const follower = new StreamFollower(this, stream, from, transport ?? this.transport, compact ?? this.compact);
    this.followers.add(follower);
    follower.done.finally(() => this.followers.delete(follower)).catch(() => {});
    return follower;
  }

  /** Stops every stream this client follows (their `done` resolves to null). */
  close() {
    for (const f of [...this.followers]) f.close();
  }

  /** The transport that worked last for this hub in this page, or undefined. */
  rememberedTransport() {
    return remembered.get(this.key());
  }

  key() {
    return this.baseUrl || (globalThis.location ? globalThis.location.origin : '');
  }

  url(path) {
    return `${this.baseUrl}${path}`;
  }

  wsUrl() {
    const base = this.baseUrl || globalThis.location.origin;
    return `${base.replace(/^http/, 'ws')}/v1/ws`;
  }

  /** Whether the hub answers plain HTTP: tells "this transport is blocked" from "the hub is down". */
  async reachable() {
    try {
      const res = await this.fetch(this.url('/health/live'), { signal: timeoutSignal(Math.max(2000, this.connectTimeoutMs)) });
      return res.ok;
    } catch {
      return false;
    }
  }
}

/**
 * One followed stream. Events: `delta`, `binary`, `usage`, `done`, `error`, `cancelled` (the
 * stream's events, each once, in offset order) and `state` ({state, transport, ...}).
 */
export class StreamFollower {
  constructor(client, stream, from, mode, compact = false) {
    checkTransport(mode, true);
    if (mode === 'ws' && !client.WebSocket) throw new TypeError('no WebSocket here: pass one in the options (Node.js: the ws package)');
    this.client = client;
    this.stream = stream;
    /** The first offset not yet delivered (resume point). */
    this.next = from;
    /**
     * Ask for `compact=true`: the catch-up of each (re)connection from `next` is one `snapshot`
     * event whose text comes right after the text delivered so far (append it).
     */
    this.compact = compact;
    this.mode = mode;
    this.transport = mode === 'auto' ? this.firstTransport() : mode;
    /** The node serving the current connection, when the transport shows it (SSE, long-poll). */
    this.node = null;
    this.failures = 0;
    /** Transports the hub answered `transport_disabled` on: `auto` skips them. */
    this.disabled = new Set();
    /** Events received again and dropped (offset below `next`). */
    this.duplicates = 0;
    this.listeners = new Map();
    this.ended = false;
    this.connection = null;
    this.timers = new Set();
    this.done = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.done.catch(() => {}); // a rejection nobody awaits is not an unhandled one
    queueMicrotask(() => this.connect());
  }

  /** Adds a listener; returns a function that removes it. */
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.listeners.get(type)?.delete(listener);
  }

  /** Cancels the generation; the stream then ends with its `cancelled` event. */
  cancel() {
    return this.client.cancel(this.stream);
  }

  /** Stops following (the generation goes on); `done` resolves to null. */
  close() {
    if (this.ended) return;
    this.finish(null, 'closed');
  }

  /** Closes the connection as a network failure would; the client reconnects and resumes. */
  drop() {
    this.connection?.lost({ kind: 'cut', reason: 'dropped' });
  }

  /** Continues on another transport (`auto` included) from the next offset. */
  switchTo(mode) {
    checkTransport(mode, true);
    if (mode === 'ws' && !this.client.WebSocket) throw new TypeError('no WebSocket here: pass one in the options (Node.js: the ws package)');
    this.mode = mode;
    if (this.ended) return;
    const target = mode === 'auto' ? this.firstTransport() : mode;
    if (target === this.transport && this.connection) return;
    this.transport = target;
    this.connection?.close();
    this.connection = null;
    this.clearTimers();
    this.connect();
  }

  // ---- internals ----

  firstTransport() {
    const known = this.client.rememberedTransport();
    if (known) return known;
    return this.client.WebSocket ? 'ws' : 'sse';
  }

  /** The transport after `transport` in fallback order (wrapping), skipping those the hub turned off; null if none. */
  nextTransport(transport) {
    for (let i = 1; i <= TRANSPORTS.length; i++) {
      const next = TRANSPORTS[(TRANSPORTS.indexOf(transport) + i) % TRANSPORTS.length];
      if (this.disabled.has(next) || (next === 'ws' && !this.client.WebSocket)) continue;
      return next === transport ? null : next;
    }
    return null;
  }

  emit(type, value) {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        listener(value);
      } catch (err) {
        queueMicrotask(() => { throw err; });
      }
    }
  }

  state(state, extra = {}) {
    this.emit('state', { state, transport: this.transport, stream: this.stream, next: this.next, node: this.node, ...extra });
  }

  later(ms, fn) {
    const timer = setTimeout(() => { this.timers.delete(timer); fn(); }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  connect() {
    if (this.ended) return;
    const transport = this.transport;
    const c = this.client;
    let alive = false;
    let delivered = 0;
    let watchdog = null;
    let finished = false;
    let handle = { close() {} };
    // nothing at all within the connect timeout: a refused upgrade left hanging, a buffering proxy...
    const connectTimer = this.later(c.connectTimeoutMs, () => { if (!alive) connection.lost({ kind: 'cut', reason: 'no data within connect timeout' }); });
    const connection = {
      transport,
      /** bytes or a heartbeat arrived: the connection works */
      alive: () => {
        if (finished) return;
        if (!alive) {
          alive = true;
          clearTimeout(connectTimer);
          this.timers.delete(connectTimer);
          remembered.set(c.key(), transport);
          this.state('open');
        }
        clearTimeout(watchdog);
        this.timers.delete(watchdog);
        watchdog = this.later(c.heartbeatTimeoutMs, () => connection.lost({ kind: 'cut', reason: 'heartbeat timeout' }));
      },
      event: (event) => {
        if (finished) return;
        connection.alive();
        if (event.stream !== undefined && event.stream !== this.stream) return;
        if (event.offset < this.next) {
          this.duplicates++; // already delivered: de-duplicated by offset
          return;
        }
        this.next = event.offset + 1;
        delivered++;
        this.failures = 0;
        this.emit(event.type, event);
        if (TERMINAL.has(event.type)) this.finish(event, 'ended');
      },
      node: (node) => { if (node) this.node = node; },
      /** why: {kind: 'cut' | 'reconnect' | 'retryAfter' | 'fatal' | 'disabled', delayMs?, code?, message?, status?, hubAnswered?} */
      lost: (why) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.timers.delete(watchdog);
        clearTimeout(connectTimer);
        this.timers.delete(connectTimer);
        handle.close();
        if (this.connection === connection) this.connection = null;
        if (!this.ended) this.reconnect(why, { alive, delivered, transport });
      },
      close: () => {
        finished = true;
        clearTimeout(watchdog);
        clearTimeout(connectTimer);
        handle.close();
      },
    };
    this.connection = connection;
    this.state('connecting', { attempt: this.failures });
    handle = OPENERS[transport](this, connection);
  }

  async reconnect(why, { alive, delivered, transport }) {
    const c = this.client;
    if (why.kind === 'fatal') {
      this.fail(new StreamHubError(why.code, why.message, why.status));
      return;
    }
    let delayMs;
    if (why.kind === 'disabled') {
      // the hub turned this transport off (`transports` config: 404 transport_disabled): `auto` moves
      // on at once and never comes back to it for this follower; a pinned transport cannot work
      this.disabled.add(transport);
      const next = this.mode === 'auto' ? this.nextTransport(transport) : null;
      if (!next) {
        this.fail(new StreamHubError(why.code, this.mode === 'auto' ? 'the hub serves none of the transports this client can use' : why.message, why.status));
        return;
      }
      if (this.ended || this.transport !== transport) return;
      this.transport = next;
      delayMs = 0;
    } else if (why.kind === 'reconnect') {
      // the hub asked (drain): reconnect at once, spread over a short window so a drained node's
      // clients do not all arrive in the same millisecond; not a failure
      delayMs = backoffDelay(0, c.backoff, c.random);
    } else {
      if (delivered === 0) this.failures++;
      if (this.failures > c.maxRetries) {
        this.fail(new StreamHubError('retries_exhausted', `gave up after ${c.maxRetries} retries (${why.reason ?? why.code ?? 'no connection'})`));
        return;
      }
      delayMs = why.kind === 'retryAfter' ? why.delayMs : backoffDelay(Math.max(0, this.failures - 1), c.backoff, c.random);
      // a transport that never worked, while the hub answers plain HTTP: a proxy blocks it
      if (!alive && !why.hubAnswered && this.mode === 'auto' && (await c.reachable()) && !this.ended && this.transport === transport) {
        this.transport = this.nextTransport(transport) ?? transport;
        delayMs = 0;
      }
    }
    if (this.ended || this.connection) return;
    this.state('reconnecting', { delayMs, reason: why.reason ?? why.code ?? why.kind, attempt: this.failures, from: transport });
    waiting.add(this);
    this.wait = this.later(delayMs, () => this.reconnectNow());
  }

  /** Ends a backoff wait early (the network is back) or on time. */
  reconnectNow() {
    if (!waiting.delete(this)) return;
    clearTimeout(this.wait);
    this.timers.delete(this.wait);
    if (!this.ended && !this.connection) this.connect();
  }

  finish(event, why) {
    this.ended = true;
    waiting.delete(this);
    this.clearTimers();
    this.connection?.close();
    this.connection = null;
    this.state('closed', { reason: why });
    this.settle.resolve(event);
  }

  fail(error) {
    this.ended = true;
    waiting.delete(this);
    this.clearTimers();
    this.connection?.close();
    this.connection = null;
    this.emit('error', { stream: this.stream, offset: null, type: 'error', data: { code: error.code, message: error.message } });
    this.state('closed', { reason: error.code });
    this.settle.reject(error);
  }
}

// ---- transports: each opens one connection, reports through `conn`, returns {close()} ----

const OPENERS = { ws: openWebSocket, sse: openSse, poll: openPoll };

function openWebSocket(f, conn) {
  const c = f.client;
  let ws;
  try {
    ws = new c.WebSocket(c.wsUrl());
  } catch (err) {
    queueMicrotask(() => conn.lost({ kind: 'cut', reason: `websocket: ${err.message}` }));
    return { close() {} };
  }
  ws.binaryType = 'arraybuffer';
  let pinger = null;
  ws.onopen = () => {
    // a ping right away: its pong proves frames pass even before the first token
    ws.send(JSON.stringify({ type: 'ping', id: 0 }));
    ws.send(JSON.stringify({ type: 'stream.subscribe', stream: f.stream, from: f.next, ...(f.compact ? { compact: true } : {}) }));
    let id = 0;
    pinger = setInterval(() => ws.send(JSON.stringify({ type: 'ping', id: ++id })), Math.min(15_000, c.heartbeatTimeoutMs / 3));
  };
  ws.onmessage = (message) => {
    if (typeof message.data !== 'string') {
      conn.event(binaryEvent(message.data));
      return;
    }
    const m = JSON.parse(message.data);
    if ('offset' in m) conn.event(m);
    else if (m.type === 'error' && (m.stream === f.stream || !m.stream)) {
      const code = m.error?.code;
      conn.lost({ kind: code === 'transport_disabled' ? 'disabled' : FATAL_CODES.has(code) ? 'fatal' : 'cut', code, message: m.error?.message, hubAnswered: true });
    } else conn.alive();
  };
  ws.onclose = (e) => {
    clearInterval(pinger);
    if (e.code === WS_SERVICE_RESTART) conn.lost({ kind: 'reconnect', reason: `close ${e.code}` });
    else if (e.code === WS_POLICY) conn.lost({ kind: 'fatal', code: 'forbidden', message: e.reason || 'policy violation' });
    else conn.lost({ kind: 'cut', reason: `websocket close ${e.code}` });
  };
  ws.onerror = () => {}; // a close event follows
  return {
    close() {
      clearInterval(pinger);
      ws.onclose = ws.onmessage = ws.onopen = null;
      try { ws.close(1000); } catch { /* not open yet */ }
    },
  };
}

function openSse(f, conn) {
  const c = f.client;
  const abort = new AbortController();
  (async () => {
    const res = await c.fetch(c.url(`/v1/streams/${encodeURIComponent(f.stream)}/events?from=${f.next}${f.compact ? '&compact=true' : ''}`), {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
      cache: 'no-store',
    });
    conn.node(res.headers.get('x-streamhub-node'));
    if (res.status === 204) return conn.lost({ kind: 'fatal', code: 'stream_ended', message: 'the stream ended before the requested offset' });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return conn.lost(await httpFailure(res));
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let buffer = '';
    let event = { type: 'message', data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      conn.alive();
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === '') {
          if (event.data.length) {
            const data = event.data.join('\n');
            if (event.type === 'reconnect') return conn.lost({ kind: 'reconnect', reason: JSON.parse(data).code ?? 'reconnect' });
            if (EVENT_TYPES.includes(event.type)) conn.event(JSON.parse(data));
          }
          event = { type: 'message', data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event.type = value;
          else if (field === 'data') event.data.push(value);
        }
      }
    }
    conn.lost({ kind: 'cut', reason: 'the response ended' });
  })().catch((err) => conn.lost({ kind: 'cut', reason: `sse: ${err.message}` }));
  return { close: () => abort.abort() };
}

function openPoll(f, conn) {
  const c = f.client;
  const abort = new AbortController();
  (async () => {
    let wait = 0; // the first poll answers at once, so a working long-poll shows itself quickly
    while (!abort.signal.aborted) {
      const timer = setTimeout(() => abort.abort(), (wait + 10) * 1000);
      let res;
      try {
        res = await c.fetch(c.url(`/v1/streams/${encodeURIComponent(f.stream)}/poll?from=${f.next}&timeout=${wait}${f.compact ? '&compact=true' : ''}`), {
          signal: abort.signal,
          cache: 'no-store',
        });
        conn.node(res.headers.get('x-streamhub-node'));
        if (!res.ok) return conn.lost(await httpFailure(res));
        const body = await res.json();
        conn.alive();
        for (const event of body.events) conn.event(event);
      } finally {
        clearTimeout(timer);
      }
      wait = c.pollTimeoutSeconds;
    }
  })().catch((err) => conn.lost({ kind: 'cut', reason: `poll: ${err.message}` }));
  return { close: () => abort.abort() };
}

// ---- helpers ----

/** A binary frame: version 1, id length n, n bytes of stream id, offset (8 bytes BE), payload. */
function binaryEvent(buffer) {
  const view = new DataView(buffer);
  const n = view.getUint8(1);
  const stream = new TextDecoder().decode(new Uint8Array(buffer, 2, n));
  const offset = Number(view.getBigUint64(2 + n));
  const bytes = new Uint8Array(buffer, 10 + n);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { stream, offset, type: 'binary', data: { base64: btoa(binary) } };
}

/**
 * Classifies a failed HTTP answer: a hub error (JSON with `error.code`) is fatal or retried on the
 * same transport (after `Retry-After` when given); anything else came from something in between.
 */
async function httpFailure(res) {
  const retryAfter = retryAfterMs(res.headers.get('retry-after'));
  let code = null;
  let message = `HTTP ${res.status}`;
  try {
    const json = await res.json();
    code = json?.error?.code ?? null;
    message = json?.error?.message ?? message;
  } catch { /* not the hub's JSON */ }
  if (code === 'transport_disabled') return { kind: 'disabled', code, message, status: res.status, hubAnswered: true };
  if (code && FATAL_CODES.has(code)) return { kind: 'fatal', code, message, status: res.status };
  if (retryAfter !== null) return { kind: 'retryAfter', delayMs: retryAfter, code: code ?? `http_${res.status}`, hubAnswered: !!code };
  return { kind: 'cut', code: code ?? `http_${res.status}`, reason: message, hubAnswered: !!code };
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms; null when absent. */
export function retryAfterMs(value, now = Date.now()) {
  if (value == null || value === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function readJson(res) {
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new StreamHubError(json?.error?.code ?? `http_${res.status}`, json?.error?.message ?? `HTTP ${res.status}`, res.status);
  return json;
}

function timeoutSignal(ms) {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), ms);
  return abort.signal;
}

function checkTransport(mode, allowAuto) {
  if (!(TRANSPORTS.includes(mode) || (allowAuto && mode === 'auto'))) {
    throw new TypeError(`transport must be one of auto, ${TRANSPORTS.join(', ')}: ${mode}`);
  }
}
