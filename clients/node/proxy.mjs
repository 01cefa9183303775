// A small HTTP proxy in front of a real hub, playing the middleboxes a browser meets: one that
// refuses WebSocket upgrades, one that answers 502 to text/event-stream or buffers it, one that cuts
// or stalls connections. Plain node:http and node:net; binds 127.0.0.1 on a free port.
import http from 'node:http';
import net from 'node:net';

/**
 * @param {string} hub the hub's base URL
 * @param {object} rules (each may be changed later on the returned object's `rules`):
 *   ws: 'pass' | 'refuse' (403 to the upgrade)
 *   sse: 'pass' | '502' (a proxy error page instead of the event stream) | 'buffer' (held until the
 *        upstream response ends, as a buffering proxy does)
 *   down: true: every request but none is destroyed (the hub looks unreachable)
 *   identity: true: ask the hub for uncompressed responses (drops Accept-Encoding)
 *   rewrite(url): a new URL path for a proxied request (or the same)
 *   answer(req): {status, headers, body} to answer a request instead of the hub, or null
 *   stall(req): a byte count (or true: the first chunk) after which this response's body is no
 *        longer forwarded; the connection stays open, silent
 * @returns {Promise<{url, rules, log: {method, url, upgrade}[], cutUpgrades(), close()}>}
 */
export async function startProxy(hub, rules = {}) {
  const target = new URL(hub);
  const log = [];
  const upgraded = new Set();
  const sockets = new Set();
  const proxy = { rules: { ws: 'pass', sse: 'pass', ...rules }, log };

  const server = http.createServer((req, res) => {
    const r = proxy.rules;
    const path = r.rewrite ? r.rewrite(req.url) : req.url;
    log.push({ method: req.method, url: path, original: req.url, upgrade: false });
    if (r.down) return req.socket.destroy();
    const canned = r.answer?.(req);
    if (canned) {
      res.writeHead(canned.status, canned.headers ?? {});
      return res.end(canned.body ?? '');
    }
    const sse = /\/events(\?|$)/.test(path) && !/format=openai/.test(path);
    if (sse && r.sse === '502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    }
    const headers = { ...req.headers };
    if (r.identity) delete headers['accept-encoding'];
    const upstream = http.request({
      host: target.hostname, port: target.port, method: req.method, path, headers,
    }, (up) => {
      if (sse && r.sse === 'buffer') {
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          res.writeHead(up.statusCode, up.headers);
          res.end(Buffer.concat(chunks));
        });
        return;
      }
      res.writeHead(up.statusCode, up.headers);
      const stallAfter = r.stall?.(req);
      if (stallAfter) {
        let left = stallAfter === true ? 1 : stallAfter;
        const forward = (c) => {
          res.write(c);
          left -= c.length;
          if (left <= 0) {
            up.off('data', forward);
            up.pause(); // nothing more ever reaches the client; the connection stays open
          }
        };
        up.on('data', forward);
        return;
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  server.on('upgrade', (req, socket, head) => {
    const r = proxy.rules;
    log.push({ method: req.method, url: req.url, upgrade: true });
    if (r.down) return socket.destroy();
    if (r.ws === 'refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) }, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    const pair = { socket, upstream };
    upgraded.add(pair);
    const gone = () => { upgraded.delete(pair); socket.destroy(); upstream.destroy(); };
    socket.on('error', gone).on('close', gone);
    upstream.on('error', gone).on('close', gone);
  });

  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  /** Cuts every WebSocket passing through now (as a proxy's idle timer or a restart would). */
  proxy.cutUpgrades = () => { for (const p of upgraded) { p.socket.destroy(); p.upstream.destroy(); } };
  proxy.close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    proxy.cutUpgrades();
    server.close(() => resolve());
  });
  return proxy;
}
