// The chat page behind a load balancer in front of two clustered nodes (a TCP proxy that sends each
// new connection to the first node that accepts it): node A, which served the page and is serving
// the answers, is killed (SIGKILL) mid-answer; on every transport the page resumes on node B from
// its next offset and ends with exactly the logged stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { startNode, proxy, awaitMembers } from '../cluster.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 30_000 };
const byTestId = (id) => `[data-testid="${id}"]`;

test('the node serving the page is killed mid-answer: every transport completes on the other node', { timeout: 180_000 }, async () => {
  const cluster = `node-kill-${randomUUID().slice(0, 8)}`;
  // B computes the generations and holds the log with A; A is the edge the pages talk to
  // answers of 10 s (400 tokens at 40/s): all three pages are mid-answer at the kill even on a loaded machine
  const slow = { STREAMHUB_DEMO_ANSWER_TOKENS: '400' };
  const [b, a] = await Promise.all([startNode('b', cluster, 'all', slow), startNode('a', cluster, 'edge', slow)]);
  const server = await proxy([a.url, b.url]);
  const front = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    await awaitMembers(a.url, 2);
    await awaitMembers(b.url, 2);
    const nodeA = (await (await fetch(`${a.url}/v1/cluster`)).json()).node;
    const nodeB = (await (await fetch(`${b.url}/v1/cluster`)).json()).node;
    const pages = [];
    for (const transport of ['ws', 'sse', 'poll']) {
      const page = await browser.newPage();
      await page.goto(`${front}/`);
      await page.selectOption(byTestId('transport'), transport);
      await page.fill(byTestId('prompt'), `kill the node under ${transport}`);
      await page.click(byTestId('send'));
      pages.push({ transport, page });
    }
    for (const { page } of pages) {
      await page.waitForFunction((sel) => Number(document.querySelector(sel).textContent) >= 10, byTestId('offset'), WAIT);
    }
    const before = await Promise.all(pages.map(({ page }) => page.textContent(byTestId('answer'))));
    const nodesBefore = await Promise.all(pages.map(({ page }) => page.getAttribute(byTestId('node'), 'title')));
    assert.deepEqual(nodesBefore, [nodeA, nodeA, nodeA], 'A serves every page before the kill');
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
      // a long-poll between two polls just opens its next one on B: no reconnect to see there
      if (transport !== 'poll') assert.ok(Number(await page.textContent(byTestId('reconnects'))) >= 1, `${transport} reconnected`);
      if (transport !== 'ws') assert.equal(await page.getAttribute(byTestId('node'), 'title'), nodeB, `${transport}: now served by B`);
    }
  } finally {
    await browser.close();
    server.close();
    for (const node of [a, b]) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    }
  }
});
