// StreamHub browser client: start a generation and follow its stream over SSE, resuming from the
// last offset seen after any drop (EventSource does it by itself with Last-Event-ID; a stream we
// reopen by hand passes ?lastEventId=). No dependencies.
export class StreamHubClient {
  constructor(baseUrl = '') {
    this.baseUrl = baseUrl;
  }

  /** Starts a generation; resolves to the stream description ({stream, model, ...}). */
  async create(body) {
    const res = await fetch(`${this.baseUrl}/v1/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(json.error.message), { code: json.error.code, status: res.status });
    return json;
  }

  /** Cancels a generation; resolves to {stream, status, offset}. */
  async cancel(stream) {
    const res = await fetch(`${this.baseUrl}/v1/streams/${stream}`, { method: 'DELETE' });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(json.error.message), { code: json.error.code, status: res.status });
    return json;
  }

  /**
   * Follows a stream from `after` (the last offset already seen, or -1). `onEvent(event)` gets each
   * event exactly once, in offset order; the promise resolves with the terminal event.
   * `handle.drop()` closes the connection as a network failure would; the client reconnects.
   */
  follow(stream, { after = -1, onEvent = () => {}, onState = () => {} } = {}) {
    let last = after;
    let source;
    let settled = false;
    const handle = {};
    const done = new Promise((resolve, reject) => {
      const open = () => {
        // the first connection asks for the offset after the last one seen; EventSource's own
        // reconnects then send Last-Event-ID, which the hub prefers to the query
        const start = last < 0 ? 'from=0' : `lastEventId=${last}`;
        source = new EventSource(`${this.baseUrl}/v1/streams/${stream}/events?${start}`);
        onState('open');
        for (const type of ['delta', 'binary', 'usage', 'done', 'error', 'cancelled']) {
          source.addEventListener(type, (e) => {
            if (e.data === undefined) return; // EventSource's own connection errors share the name 'error'
            const event = JSON.parse(e.data);
            if (event.offset <= last) return;
            last = event.offset;
            onEvent(event);
            if (type === 'done' || type === 'error' || type === 'cancelled') {
              settled = true;
              source.close();
              onState('closed');
              resolve(event);
            }
          });
        }
        source.onerror = () => {
          if (settled) return;
          onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
          if (source.readyState === EventSource.CLOSED) {
            settled = true;
            reject(new Error('the stream could not be read'));
          }
        };
      };
      handle.drop = () => {
        if (settled) return;
        source.close();
        onState('dropped');
        setTimeout(open, 300);
      };
      open();
    });
    handle.done = done;
    handle.lastOffset = () => last;
    return handle;
  }
}
