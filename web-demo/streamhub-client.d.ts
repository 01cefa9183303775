// Type declarations of streamhub-client.js (the StreamHub JavaScript client).

/** A transport: WebSocket `/v1/ws`, native SSE `/v1/streams/{id}/events`, long-poll `/v1/streams/{id}/poll`. */
export type Transport = 'ws' | 'sse' | 'poll';
/** `auto` starts with what worked before in this page (else `ws`) and falls back ws → sse → poll. */
export type TransportMode = 'auto' | Transport;

export declare const TRANSPORTS: readonly Transport[];

/** One event of a stream's log. Offsets are contiguous from 0; exactly one terminal event ends a stream. */
export interface StreamEvent<T extends EventType = EventType, D = EventData[T]> {
  stream: string;
  /** null only for the client's own `error` (giving up, an unreadable stream): not from the log */
  offset: number | null;
  type: T;
  data: D;
  /** the hub's append time, microseconds since the epoch */
  ts?: number;
}

export interface EventData {
  delta: { text: string };
  /** compact reads only: the deltas `from..to` merged; `offset` is `to`; append `text` to what you have */
  snapshot: { text: string; from: number; to: number };
  binary: { base64: string };
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  done: { finish_reason: 'stop' | 'length' | string };
  error: { code: string; message: string };
  cancelled: { reason: string };
}
export type EventType = keyof EventData;
export type TerminalEvent = StreamEvent<'done'> | StreamEvent<'error'> | StreamEvent<'cancelled'>;

export interface StateChange {
  state: 'connecting' | 'open' | 'reconnecting' | 'closed';
  transport: Transport;
  stream: string;
  /** the first offset not yet delivered: where the next connection resumes */
  next: number;
  /** the node serving the connection (X-StreamHub-Node; known on SSE and long-poll) */
  node: string | null;
  /** consecutive attempts that delivered nothing (given up past `maxRetries`) */
  attempt?: number;
  /** `reconnecting`: the wait before the next attempt, ms */
  delayMs?: number;
  /** `reconnecting`: the transport that was lost; `transport` is the one tried next */
  from?: Transport;
  /** why: `dropped`, `heartbeat timeout`, `close 1012`, `draining`, `http_502`, `ended`, `closed`, an error code... */
  reason?: string;
}

export interface StreamHubClientOptions {
  /** the hub's base URL; '' (default) is this page's origin */
  baseUrl?: string;
  /** default 'auto' */
  transport?: TransportMode;
  /** ask every connection for `compact=true`: its catch-up arrives as one `snapshot` event (default false) */
  compact?: boolean;
  /** consecutive attempts that deliver nothing before giving up with `retries_exhausted`; default 8 */
  maxRetries?: number;
  /** full-jitter exponential backoff: a delay in [0, min(maxMs, baseMs * 2^attempt)); defaults 250 and 10000 ms */
  backoff?: { baseMs?: number; maxMs?: number };
  /** a connection that shows nothing (no byte, no pong) this long is a failure; default 5000 ms */
  connectTimeoutMs?: number;
  /** an open connection silent this long (no event, heartbeat or pong) is dead; default 45000 ms */
  heartbeatTimeoutMs?: number;
  /** how long one long-poll is held; default 20 s */
  pollTimeoutSeconds?: number;
  /** a WebSocket constructor (Node.js: `ws`); default globalThis.WebSocket */
  WebSocket?: unknown;
  /** default globalThis.fetch */
  fetch?: typeof fetch;
  /** for tests; default Math.random */
  random?: () => number;
}

export interface StreamInfo {
  stream: string;
  object: 'stream';
  model: string;
  created: number;
  first_offset: number;
  next_offset: number;
  finished: boolean;
  owner: string;
  events_url: string;
  /** the conversation (cv_...) when the request had `conversation: 'new'` or an id */
  conversation?: string;
  /** the node that accepted the request (X-StreamHub-Node) */
  node: string | null;
}

/** One message of a conversation the hub keeps; an answer's `status` is pending, done, error, cancelled or lost. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
  stream?: string;
  status?: 'pending' | 'done' | 'error' | 'cancelled' | 'lost';
  error?: { code: string; message: string };
}

export interface Conversation {
  id: string;
  object: 'conversation';
  owner: string;
  created: number;
  turns: ConversationTurn[];
}

/** A failure with the hub's stable error code, or `retries_exhausted` / `stream_ended` from the client. */
export declare class StreamHubError extends Error {
  code: string;
  status?: number;
}

export declare class StreamHubClient {
  constructor(options?: string | StreamHubClientOptions);
  /** POST /v1/streams: starts a generation (body as /v1/chat/completions). Rejects with StreamHubError. */
  create(body: object): Promise<StreamInfo>;
  /** GET /v1/conversations/{id}: its turns, oldest first. Rejects with `conversation_not_found`. */
  conversation(id: string): Promise<Conversation>;
  /** DELETE /v1/streams/{id}: the stream then ends with `cancelled`. */
  cancel(stream: string): Promise<{ stream: string; status: 'cancelled'; offset: number }>;
  /** Follows a stream from `from` (default 0), on `transport` (default the client's). */
  follow(stream: string, options?: { from?: number; transport?: TransportMode; compact?: boolean }): StreamFollower;
  /** Stops following every stream of this client. */
  close(): void;
  /** The transport that worked last for this hub in this page. */
  rememberedTransport(): Transport | undefined;
}

export declare class StreamFollower {
  readonly stream: string;
  /** the first offset not yet delivered */
  readonly next: number;
  readonly transport: Transport;
  readonly node: string | null;
  /** events received again (offset below `next`) and dropped */
  readonly duplicates: number;
  /** the terminal event; null after close(); rejects with StreamHubError when the client gives up */
  readonly done: Promise<TerminalEvent | null>;
  on<T extends EventType>(type: T, listener: (event: StreamEvent<T>) => void): () => void;
  on(type: 'state', listener: (change: StateChange) => void): () => void;
  off(type: EventType | 'state', listener: (value: any) => void): void;
  cancel(): Promise<{ stream: string; status: 'cancelled'; offset: number }>;
  close(): void;
  /** closes the connection as a network failure would; the client reconnects and resumes */
  drop(): void;
  /** continues on another transport from the next offset */
  switchTo(mode: TransportMode): void;
}

/** The full-jitter backoff delay for attempt `attempt` (from 0), ms. */
export declare function backoffDelay(attempt: number, backoff?: { baseMs?: number; maxMs?: number }, random?: () => number): number;
/** Retry-After (seconds or an HTTP date) in ms, or null. */
export declare function retryAfterMs(value: string | null | undefined, now?: number): number | null;
/** Forgets the transports that worked (as a new page would). */
export declare function forgetTransports(): void;
