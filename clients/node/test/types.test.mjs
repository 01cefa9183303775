// The client's TypeScript declarations (web-demo/streamhub-client.d.ts) compile under --strict
// with an example of use, and reject misuse (types/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const TSC = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;
const USAGE = new URL('../types/usage.ts', import.meta.url).pathname;

test('streamhub-client.d.ts type-checks its use and rejects misuse', { timeout: 60_000 }, async () => {
  const args = [TSC, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', USAGE];
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args).catch((err) => err);
  assert.equal(`${stdout}${stderr}`.trim(), '', 'tsc reports nothing');
});
