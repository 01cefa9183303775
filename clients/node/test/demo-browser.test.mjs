// The browser demo (web-demo/, served at /) in real headless Chromium (Debian's), driven by
// playwright-core: ask, watch tokens arrive, drop the connection mid-answer, and check that the page
// shows exactly the answer the hub logged, with nothing lost or repeated across the drop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { HUB, logged } from '../hub.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function ask(page, question) {
  await page.goto(`${HUB}/`);
  await page.fill('#question', question);
  await page.click('#send');
}

test('the page streams an answer equal to the logged stream', async () => {
  const page = await browser.newPage();
  await ask(page, 'hello from chromium');
  await page.waitForFunction(() => /ended with done/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
  const stream = (await page.textContent('#status')).split(' ')[0];
  const text = (await logged(stream)).filter((e) => e.type === 'delta').map((e) => e.data.text).join('');
  assert.equal(await page.textContent('#answer'), text);
  assert.ok(text.length > 0);
  await page.close();
});

test('dropping the connection mid-answer resumes from the last offset with nothing lost or repeated', async () => {
  const page = await browser.newPage();
  await ask(page, 'drop me halfway');
  await page.waitForFunction(() => /offset (\d+)/.test(document.getElementById('status').textContent)
    && Number(/offset (\d+)/.exec(document.getElementById('status').textContent)[1]) >= 10, null, { timeout: 20_000 });
  const before = await page.textContent('#answer');
  await page.click('#drop');
  await page.waitForFunction(() => /ended with done/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
  const stream = (await page.textContent('#status')).split(' ')[0];
  const log = await logged(stream);
  const text = log.filter((e) => e.type === 'delta').map((e) => e.data.text).join('');
  const shown = await page.textContent('#answer');
  assert.ok(shown.startsWith(before), 'the text shown before the drop is kept');
  assert.ok(before.length < text.length, 'the drop happened mid-answer');
  assert.equal(shown, text);
  await page.close();
});
