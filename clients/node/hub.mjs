// Shared bits of the Node client tests: where the hub is, and a few plain HTTP calls.
import { spawn } from 'node:child_process';

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

/** Every event of a finished stream, by long-poll, as the hub (at `base`) logged them. */
export async function logged(stream, base = HUB) {
  const events = [];
  let from = 0;
  for (;;) {
    const body = await (await fetch(`${base}/v1/streams/${stream}/poll?from=${from}&timeout=5`)).json();
    events.push(...body.events);
    from = body.next;
    if (body.done) return events;
  }
}

/**
 * A single (not clustered) hub JVM of a test's own, with STREAMHUB_* settings {@code env} on top of
 * loopback, a free port, no first-token delay; resolves with its process and URL once it listens.
 * The caller kills it (child.kill('SIGKILL')).
 */
export function startHub(env = {}) {
  return new Promise((resolve, reject) => {
    const all = {
      ...process.env, STREAMHUB_HTTP_HOST: '127.0.0.1', STREAMHUB_HTTP_PORT: '0', STREAMHUB_HTTP_INSTANCES: '1',
      STREAMHUB_DEMO_TTFT_MS: '0', ...env,
    };
    delete all.STREAMHUB_CLUSTER_CONFIG;
    const jar = new URL('../../verticles/target/streamhub.jar', import.meta.url).pathname;
    const child = spawn('java', ['-Xmx256m', '-jar', jar], { env: all, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`hub did not listen in 90 s:\n${output}`)), 90_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/[0-9.]+:[0-9]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${output}`)));
  });
}
