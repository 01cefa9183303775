// The --peer resumable-stream server of the StreamHub benchmark (bench/run.sh ... --peer resumable-stream).
//
// What a Node team writes for resumable LLM streams with the npm package `resumable-stream` (2.x):
// a node:http server whose producer per stream lives in this process, with a real redis-server for
// the package's pub/sub and sentinel keys. The redis-server is started here as a child of this
// process (so the benchmark measures node + redis as one server) and stopped with it.
//
//   node server.mjs --port P --redis-port R [--redis-server /usr/bin/redis-server]
//
//   POST /streams                   -> 201 {"stream":"<id>"}: a new stream whose producer is this process
//   POST /streams/<id>/events       body: one JSON event {"type":..,"data":..} or an array of them
//                                   -> 200 once the chunk is in the stream; 404 unknown or ended stream
//   GET  /streams/<id>/events[?resumeAt=<characters>]
//                                   -> 200 text/event-stream: what the stream had (from that character),
//                                      then live, by the package's resumeExistingStream; 404 unknown,
//                                      204 already done
//
// Each POST body becomes one SSE message, `event: <type of the last event>` and `data: <body>`, as
// one chunk of the stream. resumable-stream keeps the chunks of a live stream in the producing
// process (not in Redis) and resumes by a count of characters, not by an event id.
import http from "node:http";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const port = Number(arg("port", "0"));
const redisPort = Number(arg("redis-port", "0"));
const redisBin = arg("redis-server", "redis-server");
if (!port || !redisPort) {
  console.error("usage: node server.mjs --port P --redis-port R [--redis-server PATH]");
  process.exit(2);
}

const redis = spawn(redisBin, ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
  "--protected-mode", "yes", "--maxclients", "20000"], { stdio: ["ignore", "inherit", "inherit"] });
redis.on("exit", (code, signal) => {
  console.error(`redis-server exited (${code ?? signal})`);
  process.exit(1);
});
let stopping = false;
process.on("uncaughtException", (e) => {
  if (stopping) {
    return; // the redis clients see their server go away while this process stops
  }
  console.error(e);
  process.exit(1);
});
function stop() {
  stopping = true;
  redis.removeAllListeners("exit");
  redis.once("exit", () => process.exit(0));
  redis.kill("SIGTERM");
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

process.env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
const { createResumableStreamContext } = await import("resumable-stream");
const { createClient } = await import("redis");

// wait until redis answers (bounded)
for (let i = 0; ; i++) {
  const probe = createClient({ url: process.env.REDIS_URL });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    await probe.quit();
    break;
  } catch (e) {
    if (i >= 100) {
      console.error(`redis-server did not answer on ${process.env.REDIS_URL}: ${e}`);
      stop();
    }
    await sleep(100);
  }
}

const context = createResumableStreamContext({ waitUntil: null });
/** stream id -> the producer's controller, while the stream is live */
const producers = new Map();
let nextId = 0;
const runId = Math.random().toString(36).slice(2, 8);

function body(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res, status, json) {
  const text = json === undefined ? "" : JSON.stringify(json);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function create(res) {
  const id = `rs${runId}x${nextId++}`;
  let controller;
  const source = new ReadableStream({ start(c) { controller = c; } });
  const stream = await context.createNewResumableStream(id, () => source);
  // The producer's own reader would be the request that started the generation; readers here all
  // come through resumeExistingStream, so the producer's copy is not kept.
  stream.cancel().catch(() => {});
  producers.set(id, controller);
  reply(res, 201, { stream: id });
}

const TERMINAL = new Set(["done", "error", "cancelled"]);

async function publish(id, req, res) {
  const text = await body(req);
  const controller = producers.get(id);
  if (!controller) {
    reply(res, 404, { error: { code: "stream_not_found", message: `no live stream ${id}` } });
    return;
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    reply(res, 400, { error: { code: "bad_request", message: "body is not JSON" } });
    return;
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const type = events.length ? String(events[events.length - 1].type ?? "message") : "message";
  controller.enqueue(`event: ${type}\ndata: ${text.replace(/\n/g, "")}\n\n`);
  if (events.some((e) => TERMINAL.has(e.type))) {
    producers.delete(id);
    controller.close();
  }
  reply(res, 200, { ok: true });
}

async function read(id, url, req, res) {
  const resumeAt = url.searchParams.get("resumeAt");
  const stream = await context.resumeExistingStream(id, resumeAt ? parseInt(resumeAt, 10) : undefined);
  if (stream === undefined) {
    reply(res, 404, { error: { code: "stream_not_found", message: `no stream ${id}` } });
    return;
  }
  if (stream === null) {
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" });
  res.flushHeaders();
  const reader = stream.getReader();
  req.on("close", () => reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    res.write(value);
  }
  res.end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean);
  let work;
  if (req.method === "POST" && parts.length === 1 && parts[0] === "streams") {
    work = create(res);
  } else if (parts.length === 3 && parts[0] === "streams" && parts[2] === "events" && req.method === "POST") {
    work = publish(parts[1], req, res);
  } else if (parts.length === 3 && parts[0] === "streams" && parts[2] === "events" && req.method === "GET") {
    work = read(parts[1], url, req, res);
  } else if (req.method === "GET" && url.pathname === "/health") {
    work = Promise.resolve(reply(res, 200, { ok: true }));
  } else {
    work = Promise.resolve(reply(res, 404, { error: { code: "not_found", message: "no such route" } }));
  }
  work.catch((e) => {
    console.error(`${req.method} ${url.pathname}: ${e && e.stack ? e.stack : e}`);
    if (!res.headersSent) {
      reply(res, 500, { error: { code: "internal", message: String(e) } });
    } else {
      res.destroy();
    }
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;
server.maxConnections = 20000;
server.listen(port, "127.0.0.1", () => console.log(`resumable-stream server on http://127.0.0.1:${port} (redis ${process.env.REDIS_URL})`));
