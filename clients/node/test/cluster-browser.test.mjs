// The chat page behind a load balancer in front of two clustered nodes: node A (an edge), which
// serves answers, is killed (SIGKILL) mid-answer; on every transport the page resumes on node B
// from its next offset and ends with exactly the logged stream. Two load balancers: a TCP proxy
// that sends each new connection to the first node that accepts it (so A serves every page), and
// Debian's nginx running cluster-config/nginx.conf (least_conn spreads the pages over A and B; A
// must hold at least one page's reading connection at the kill).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { startNode, proxy, awaitMembers } from '../cluster.mjs';
import { startNginx, NGINX_CANDIDATES } from '../nginx.mjs';
import { skipUnless } from '../tools.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NO_CHROMIUM = skipUnless(CHROMIUM, `Chromium is not at ${CHROMIUM} (Debian/Ubuntu: sudo apt-get install chromium; or set CHROMIUM_PATH)`);
const NO_NGINX = NO_CHROMIUM || skipUnless(NGINX_CANDIDATES, 'nginx is not installed (Debian/Ubuntu: sudo apt-get install nginx)');
const WAIT = { timeout: 30_000 };
const byTestId = (id) => `[data-testid="${id}"]`;
const NGINX_PREFIX = new URL('../target/nginx-', import.meta.url).pathname;

/** Reading connections open on a node now (the sum of its streamhub_connections_open gauges). */
async function openConnections(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^streamhub_connections_open\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Two nodes (B computes the generations and holds the log with A; A is an edge only) behind the
 * load balancer `front(upstreams)` makes; three pages (WebSocket, SSE, long-poll) ask through it,
 * A is killed mid-answer, and every page must end with exactly the logged stream.
 */
async function killMidAnswer(front, { aServesAll }) {
  const cluster = `node-kill-${randomUUID().slice(0, 8)}`;
  // answers of 30 s (1200 tokens at 40/s): all three pages are mid-answer at the kill even on a loaded
  // machine (with 10 s answers, two suites and a CPU hog once let the WebSocket page finish before the
  // long-poll page had 10 events)
  const slow = { STREAMHUB_DEMO_ANSWER_TOKENS: '1200' };
  const [b, a] = await Promise.all([startNode('b', cluster, 'all', slow), startNode('a', cluster, 'edge', slow)]);
  let balancer = null;
  let browser = null;
  try {
    balancer = await front([a.url, b.url]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
    });
    await awaitMembers(a.url, 2);
    await awaitMembers(b.url, 2);
    const nodeA = (await (await fetch(`${a.url}/v1/cluster`)).json()).node;
    const nodeB = (await (await fetch(`${b.url}/v1/cluster`)).json()).node;
    let pages = [];
    // the balancer chooses each page's reading connection; when a round put all three on B (nginx did
    // once on CI), the kill would cut nothing: ask again with new pages, at most five rounds
    for (let round = 1; ; round++) {
      pages = [];
      for (const transport of ['ws', 'sse', 'poll']) {
        const page = await browser.newPage();
        await page.goto(`${balancer.url}/`);
        await page.selectOption(byTestId('transport'), transport);
        await page.fill(byTestId('prompt'), `kill the node under ${transport}`);
        await page.click(byTestId('send'));
        pages.push({ transport, page });
      }
      for (const { page } of pages) {
        await page.waitForFunction((sel) => Number(document.querySelector(sel).textContent) >= 10, byTestId('offset'), WAIT);
      }
      if (aServesAll || round === 5 || await openConnections(a.url) >= 1) break;
      for (const { page } of pages) await page.close();
    }
    const before = await Promise.all(pages.map(({ page }) => page.textContent(byTestId('answer'))));
    const nodesBefore = await Promise.all(pages.map(({ page }) => page.getAttribute(byTestId('node'), 'title')));
    if (aServesAll) assert.deepEqual(nodesBefore, [nodeA, nodeA, nodeA], 'A serves every page before the kill');
    else assert.ok(await openConnections(a.url) >= 1, 'A holds at least one page\'s reading connection at the kill');
    a.child.kill('SIGKILL');

    for (const [i, { transport, page }] of pages.entries()) {
      await page.waitForFunction((sel) => /^(done|cancelled|error: .+)$/.test(document.querySelector(sel).textContent), byTestId('status'), WAIT);
      assert.equal(await page.textContent(byTestId('status')), 'done', transport);
      const stream = await page.textContent(byTestId('stream'));
      const log = (await (await fetch(`${b.url}/v1/streams/${stream}/poll?from=0&timeout=0`)).json()).events;
      const text = log.filter((e) => e.type === 'delta').map((e) => e.data.text).join('');
      const shown = await page.textContent(byTestId('answer'));
      assert.ok(before[i].length < text.length, `${transport}: killed mid-answer (${before[i].length} of ${text.length} characters shown before, ${log.length} events, shown ${shown.length})`);
      assert.ok(shown.startsWith(before[i]), `${transport}: the text before the kill is kept`);
      assert.equal(shown, text, `${transport}: the whole answer, nothing repeated`);
      assert.equal(await page.textContent(byTestId('duplicates')), '0', `${transport}: the hub sent nothing twice`);
      if (aServesAll) {
        // a long-poll between two polls just opens its next one on B: no reconnect to see there
        if (transport !== 'poll') assert.ok(Number(await page.textContent(byTestId('reconnects'))) >= 1, `${transport} reconnected`);
        if (transport !== 'ws') assert.equal(await page.getAttribute(byTestId('node'), 'title'), nodeB, `${transport}: now served by B`);
      } else if (transport !== 'ws') {
        assert.equal(await page.getAttribute(byTestId('node'), 'title'), nodeB, `${transport}: ends served by B, the node left`);
      }
    }
  } finally {
    await browser?.close();
    await balancer?.close();
    for (const node of [a, b]) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    }
  }
}

test('behind a TCP proxy, the node serving the page is killed mid-answer: every transport completes on the other node',
  { timeout: 180_000, skip: NO_CHROMIUM }, () => killMidAnswer(async (upstreams) => {
    const server = await proxy(upstreams);
    return { url: `http://127.0.0.1:${server.address().port}`, close: async () => { server.close(); } };
  }, { aServesAll: true }));

test('behind nginx (cluster-config/nginx.conf), a node serving pages is killed mid-answer: every transport completes on the other node',
  { timeout: 180_000, skip: NO_NGINX }, () => killMidAnswer((upstreams) => startNginx(`${NGINX_PREFIX}${process.pid}-${Date.now()}`, upstreams), { aServesAll: false }));
