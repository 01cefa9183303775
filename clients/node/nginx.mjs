// Debian's nginx running cluster-config/nginx.conf for a Node test, as NginxRollingRestartIT runs it:
// under its own prefix directory (pid file, error log, temp paths in target/), listening on a free
// loopback port, with the upstream's `server` lines rendered from the real node ports; everything
// else in the shipped file is used as is.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { findExecutable } from './tools.mjs';

export const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];
const CONF = new URL('../../cluster-config/nginx.conf', import.meta.url).pathname;
const SERVER_LINE = /^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n/m;

/** The shipped config for `upstreams` (URLs of hub nodes) on `port`, temp paths under `prefix`. */
export function render(conf, prefix, port, upstreams) {
  const first = SERVER_LINE.exec(conf);
  if (!first) throw new Error("nginx.conf has no 'server 127.0.0.1:<port> ...;' upstream line");
  const [, indent, params = ''] = first;
  const servers = upstreams.map((u) => `${indent}server 127.0.0.1:${new URL(u).port}${params};\n`).join('');
  let out = conf.slice(0, first.index) + servers + conf.slice(first.index).replace(new RegExp(SERVER_LINE.source, 'gm'), '');
  if (!/^(\s*)listen 8080;/m.test(out)) throw new Error("nginx.conf has no 'listen 8080;' line");
  out = out.replace(/^(\s*)listen 8080;/m, `$1listen 127.0.0.1:${port};`);
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `\n    ${t}_temp_path ${prefix}/${t};`).join('');
  const http = out.indexOf('http {');
  if (http < 0) throw new Error("nginx.conf has no 'http {' block");
  return `${out.slice(0, http + 6)}${temps}\n${out.slice(http + 6)}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts nginx in front of `upstreams` under `prefix`; resolves to {url, close(), errors()} once it
 * accepts connections (10 s at most).
 */
export async function startNginx(prefix, upstreams) {
  const binary = findExecutable(NGINX_CANDIDATES);
  if (!binary) throw new Error('nginx is not installed');
  mkdirSync(`${prefix}/logs`, { recursive: true });
  const port = await freePort();
  writeFileSync(`${prefix}/nginx.conf`, render(readFileSync(CONF, 'utf8'), prefix, port, upstreams));
  const child = spawn(binary, ['-p', `${prefix}/`, '-c', `${prefix}/nginx.conf`,
    '-g', `pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log warn; daemon off;`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const errors = () => {
    let log = '';
    try { log = readFileSync(`${prefix}/logs/error.log`, 'utf8'); } catch { /* not written yet */ }
    return `${output}${log}`;
  };
  const close = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  for (let i = 0; i < 200; i++) {
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}`, close, errors };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await close();
  throw new Error(`nginx did not start: ${errors()}`);
}
