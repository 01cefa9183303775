// Clustered hub JVMs for the Node tests (hazelcast-loopback, a random cluster name per test) and a
// TCP proxy in front of them that sends each new connection to the first node that accepts it, as
// a load balancer with health checks would once a node is gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';

const JAR = new URL('../../verticles/target/streamhub.jar', import.meta.url).pathname;
const HAZELCAST = new URL('../../cluster-config/hazelcast-loopback.xml', import.meta.url).pathname;

/** Starts a clustered node; resolves with its process, URL and output once it listens. */
export function startNode(name, cluster, roles, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      STREAMHUB_HTTP_HOST: '127.0.0.1',
      STREAMHUB_HTTP_PORT: '0',
      STREAMHUB_HTTP_INSTANCES: '1',
      STREAMHUB_CLUSTER_CONFIG: HAZELCAST,
      STREAMHUB_CLUSTER_NAME: cluster,
      STREAMHUB_ROLES: roles,
      STREAMHUB_SSE_RETRY_MS: '100',
      STREAMHUB_DEMO_TTFT_MS: '0',
      STREAMHUB_DEMO_TOKENS_PER_SECOND: '40',
      STREAMHUB_DEMO_ANSWER_TOKENS: '200',
      ...extraEnv,
    };
    const child = spawn('java', ['-Xmx256m', '-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not listen in 90 s:\n${output}`)), 90_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/[0-9.]+:[0-9]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ name, child, url: m[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${output}`)));
  });
}

/** A TCP proxy: each new connection goes to the first upstream (in order) that accepts it. */
export function proxy(upstreams) {
  const server = net.createServer((client) => {
    client.pause();
    const tryFrom = (i) => {
      if (i >= upstreams.length) {
        client.destroy();
        return;
      }
      const { hostname, port } = new URL(upstreams[i]);
      const upstream = net.connect({ host: hostname, port: Number(port) });
      upstream.once('error', () => tryFrom(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryFrom(0);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function json(url, init) {
  const response = await fetch(url, init);
  assert.ok(response.ok, `${url}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

export async function awaitMembers(url, count) {
  for (let i = 0; i < 300; i++) {
    const view = await json(`${url}/v1/cluster`).catch(() => null);
    if (view && view.members.length >= count && (await json(`${url}/v1/models`)).data.some((m) => m.id === 'demo')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} does not see ${count} members`);
}

