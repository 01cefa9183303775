// What a Node test does when a tool it needs (Chromium, nginx) is missing: the rule of the JUnit
// tests' RequiredTool. On CI (CI=true, set by .ci/run, which installs every such tool) the test
// fails; on a developer's machine it is skipped with how to install the tool.
import { accessSync, constants } from 'node:fs';

export const ON_CI = (process.env.CI ?? '').toLowerCase() === 'true';

/** The first executable of `candidates`, or null. */
export function findExecutable(candidates) {
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch { /* next */ }
  }
  return null;
}

/**
 * `false` when `path` (or the first of `paths`) is executable, else a skip reason naming `how` to
 * install it; on CI a missing tool throws instead (the test file fails).
 */
export function skipUnless(paths, how) {
  if (findExecutable([].concat(paths))) return false;
  if (ON_CI) throw new Error(`CI=true: ${how} (.ci/run installs it)`);
  console.error(`skipped: ${how}`);
  return how;
}
