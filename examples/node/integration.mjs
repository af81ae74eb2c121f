// A minimal, correct SoPost -> Poplar integration in Node.js 20, standard library only.
//
// It follows docs/writing-an-integration.md step by step: verify the webhook signature, store
// the event durably *before* answering 202, then (in the background) fetch the order, decide,
// and submit it to Poplar once. State lives in one JSON file (STATE_FILE, default
// state.json beside this file) written atomically, so a kill -9 loses nothing and a second run with the same
// file still works: ids are fresh in every run, and old ones are simply remembered.
//
// Run: PORT=... SOPOST_API_URL=... (the variables `mockkit verify` gives) node integration.mjs

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

const env = process.env;
const STATE_FILE = env.STATE_FILE || fileURLToPath(new URL("state.json", import.meta.url));
const HANDLERS = (env.SOPOST_DATA_HANDLERS || "SoPost").split(",").map((h) => h.trim().toLowerCase());
const FORWARDABLE = new Set(["APPROVED", "PROCESSING", "DISPATCHED", "DELIVERED"]);
const TOLERANCE_S = 5 * 60;
const WORKERS = 8;
const sopostAuth = "Basic " + Buffer.from(`${env.SOPOST_API_USER}:${env.SOPOST_API_PASSWORD}`).toString("base64");

// seen: event ids already accepted; queue: events still to process; forwarded: order ids Poplar has.
let state = { seen: {}, queue: [], forwarded: {} };
try {
  state = JSON.parse(readFileSync(STATE_FILE, "utf8"));
} catch {
  // first start: empty state
}

function save() {
  const tmp = `${STATE_FILE}.tmp`;
  const fd = openSync(tmp, "w");
  writeSync(fd, JSON.stringify(state));
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, STATE_FILE);
}

// Group commit: every change made in one turn of the event loop is written (and fsynced)
// once, then the callbacks waiting for it run (e.g. the 202s of a burst of webhooks).
let waiting = [];
function persist(then = () => {}) {
  waiting.push(then);
  if (waiting.length === 1) {
    setImmediate(() => {
      const done = waiting;
      waiting = [];
      save();
      for (const callback of done) callback();
    });
  }
}

// -- 1. the webhook: verify, store, answer ----------------------------------------------------
function signatureValid(headers, body) {
  const secret = env.SOPOST_WEBHOOK_SECRET;
  if (!secret) return true;
  const id = headers["webhook-id"];
  const timestamp = Number(headers["webhook-timestamp"]);
  if (!id || !Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_S) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${headers["webhook-timestamp"]}.${body}`).digest();
  return (headers["webhook-signature"] || "").split(" ").some((entry) => {
    const given = Buffer.from(entry.split(",")[1] || "", "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function receive(request, response, body) {
  const answer = (status, payload) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(payload));
  };
  if (!signatureValid(request.headers, body)) return answer(401, { error: "bad signature" });
  let event;
  try {
    event = JSON.parse(body);
  } catch {
    return answer(400, { error: "not JSON" });
  }
  if (typeof event.event_id !== "string" || typeof event.order_id !== "string") {
    return answer(400, { error: "not an OrderEvent" });
  }
  if (!state.seen[event.event_id]) {
    state.seen[event.event_id] = 1;
    const receivedDate = new Date().toISOString().slice(0, 10);
    state.queue.push({ order_id: event.order_id, received_date: receivedDate, attempts: 0, not_before: 0 });
  }
  // Durable before the 202: SoPost never sends an acknowledged event again.
  persist(() => answer(202, { accepted: true }));
}

// -- 2. the worker: fetch, decide, submit once --------------------------------------------------
const clip = (text, limit) => Array.from(text).slice(0, limit).join(""); // code points, as Poplar counts
const clean = (value) => (typeof value === "string" && value.trim() ? value.trim() : undefined);

function eligible(order) {
  return (
    FORWARDABLE.has(order.status) &&
    (order.consents || []).some(
      (c) => c.status === "APPROVED" && HANDLERS.includes(String(c.data_handler || "").toLowerCase()),
    )
  );
}

function poplarBody(order, receivedDate) {
  const body = { order_id: order.id, order_date: receivedDate, total: 0 };
  if (clean(order.email)) {
    body.customer_email_sha256 = createHash("sha256").update(order.email.trim().toLowerCase()).digest("hex");
  }
  if (clean(order.identity)) body.customer_id = order.identity;
  const a = order.address || {};
  if (clean(a.line_1) && clean(a.postcode)) {
    const shipping = { address_1: clean(a.line_1), postal_code: clean(a.postcode) };
    for (const [from, to] of [["line_2", "address_2"], ["town", "city"], ["district", "state"]]) {
      if (clean(a[from])) shipping[to] = clean(a[from]);
    }
    if (clean(order.full_name)) shipping.name = clean(order.full_name);
    if (/^[A-Za-z]{3}$/.test(a.territory || "")) shipping.country = a.territory.toUpperCase();
    body.shipping_address = shipping; // without line_1 and postcode the e-mail hash alone identifies
  }
  const items = (order.line_items || []).filter((i) => clean(i.stock_partition_id));
  if (items.length) body.order_items = items.map((i) => ({ identifier: i.stock_partition_id, quantity: 1, total: 0 }));
  const metadata = {};
  const pairs = [["short_id", order.short_id], ["activity_id", order.activity_id]];
  for (const q of order.custom_questions || []) {
    const answers = (q.answer || []).map((x) => clean(x.answer_text)).filter(Boolean);
    if (clean(q.question_id) && answers.length) pairs.push([clip(q.question_id, 40), answers.join("; ")]);
  }
  for (const [key, value] of pairs) {
    if (Object.keys(metadata).length < 10 && clean(value) && !(key in metadata)) metadata[key] = clip(value, 200);
  }
  if (Object.keys(metadata).length) body.metadata = metadata;
  return body;
}

class Retry extends Error {
  constructor(notBefore) {
    super("retry");
    this.notBefore = notBefore;
  }
}

async function call(url, options) {
  let response;
  try {
    response = await fetch(url, { ...options, signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new Retry(0); // network error or timeout: try again later
  }
  if (response.status === 429) {
    const reset = Number(response.headers.get("x-rate-limit-reset")) * 1000;
    throw new Retry(Number.isFinite(reset) ? reset : Date.now() + 1000);
  }
  if (response.status >= 500) throw new Retry(0);
  return response;
}

async function handle(item) {
  const found = await call(`${env.SOPOST_API_URL}/orders/${item.order_id}`, { headers: { authorization: sopostAuth } });
  if (found.status !== 200) return `skipped: GET /orders answered ${found.status}`;
  const order = await found.json();
  if (state.forwarded[order.id]) return "already forwarded";
  if (!eligible(order)) return `skipped: ${order.status}, no matching consent or not approved yet`;
  const sent = await call(`${env.POPLAR_API_URL}/order`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.POPLAR_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(poplarBody(order, item.received_date)),
  });
  if (sent.ok || sent.status === 409) {
    state.forwarded[order.id] = 1; // 409: Poplar already has it (sent before a crash)
    return "forwarded";
  }
  return `dead letter: Poplar answered ${sent.status} ${await sent.text()}`;
}

const busy = new Set(); // order ids being processed: one event per order at a time

async function work() {
  const now = Date.now();
  const item = state.queue.find((i) => i.not_before <= now && !busy.has(i.order_id));
  if (!item) return false;
  busy.add(item.order_id);
  try {
    console.log(JSON.stringify({ order_id: item.order_id, outcome: await handle(item) }));
    state.queue.splice(state.queue.indexOf(item), 1);
  } catch (error) {
    if (!(error instanceof Retry)) throw error;
    item.attempts += 1;
    item.not_before = Math.max(error.notBefore, Date.now() + Math.min(100 * 2 ** item.attempts, 5000));
  } finally {
    busy.delete(item.order_id);
    persist();
  }
  return true;
}

async function worker() {
  for (;;) {
    const didWork = await work().catch((error) => console.error(error) || false);
    if (!didWork) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// -- 3. serve --------------------------------------------------------------------------------
createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/webhooks/sopost") {
    response.writeHead(404).end();
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => receive(request, response, Buffer.concat(chunks).toString("utf8")));
}).listen(Number(env.PORT), "127.0.0.1", () => console.log(`listening on ${env.PORT}`));

for (let i = 0; i < WORKERS; i += 1) worker();
process.on("SIGTERM", () => {
  save();
  process.exit(0);
});
