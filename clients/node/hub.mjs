// Shared bits of the Node client tests: where the hub is, and a few plain HTTP calls.
export const HUB = process.env.STREAMHUB_URL ?? 'http://127.0.0.1:8080';

export function chat(question, extra = {}) {
  return { model: 'demo', messages: [{ role: 'user', content: question }], seed: 7, ...extra };
}

export async function createStream(body) {
  const res = await fetch(`${HUB}/v1/streams`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /v1/streams: ${res.status} ${await res.text()}`);
  return (await res.json()).stream;
}

/** Polls the stream's description until it has finished (bounded). */
export async function awaitFinished(stream) {
  for (let i = 0; i < 500; i++) {
    const meta = await (await fetch(`${HUB}/v1/streams/${stream}`)).json();
    if (meta.finished) return meta;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`stream ${stream} did not finish`);
}

/** Every event of a finished stream, by long-poll, as the hub logged them. */
export async function logged(stream) {
  const events = [];
  let from = 0;
  for (;;) {
    const body = await (await fetch(`${HUB}/v1/streams/${stream}/poll?from=${from}&timeout=5`)).json();
    events.push(...body.events);
    from = body.next;
    if (body.done) return events;
  }
}
