// Compiled by test/types.test.mjs (tsc --strict --noEmit): the README's example and the client's
// declared shapes type-check, and misuse does not (each @ts-expect-error must find an error).
import { StreamHubClient, StreamHubError, backoffDelay, type StateChange, type TerminalEvent } from '../../../web-demo/streamhub-client.js';

export async function example(out: { textContent: string }): Promise<TerminalEvent | null> {
  const hub = new StreamHubClient({ baseUrl: 'http://localhost:8080', transport: 'auto', backoff: { baseMs: 100 } });
  const { stream, node } = await hub.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
  const answer = hub.follow(stream, { from: 0 });
  answer.on('delta', (e) => { out.textContent += e.data.text; });
  answer.on('usage', (e) => console.log(e.data.total_tokens, node));
  answer.on('error', (e) => console.log(e.data.code, e.offset === null));
  answer.on('state', (s: StateChange) => console.log(s.state, s.transport, s.next, s.delayMs));
  answer.switchTo('poll');
  const ms: number = backoffDelay(3, { baseMs: 250, maxMs: 10_000 });
  console.log(ms, answer.duplicates, hub.rememberedTransport());
  try {
    return await answer.done;
  } catch (err) {
    if (err instanceof StreamHubError) console.log(err.code);
    throw err;
  }
}

export function misuse(hub: StreamHubClient) {
  // @ts-expect-error: not a transport
  hub.follow('st_x', { transport: 'http2' });
  const f = hub.follow('st_x');
  // @ts-expect-error: a delta has no data.code
  f.on('delta', (e) => e.data.code);
  // @ts-expect-error: no such event
  f.on('message', () => {});
  // @ts-expect-error: the state is not a number
  f.on('state', (s) => s.state.toFixed());
}
