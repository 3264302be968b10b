// Measurements of the desktop app (figures, not a test; not part of scripts/test.sh, it takes a
// few minutes). Same harness as the end-to-end test: the standalone debug binary under Xvfb,
// driven through tauri-driver + WebKitWebDriver, against real redis-servers on free ports.
//
// 1. Start-up: from asking tauri-driver for a session (which launches the binary) until the task
//    list's table is in the page, over MEASURE_STARTS (default 5) launches with an empty store; also
//    the part before the page began loading (the webview's performance.timeOrigin) and the rest.
//    The table is looked for every 20 ms through WebDriver, so each figure may be ~20-40 ms late.
// 2. Responsiveness during a migration of MEASURE_KEYS (default 1,000,000) keys of the benchmark's
//    mix (60 % 100-byte strings, 10 % each hashes, lists, sets, zsets of 10 elements; 10 % with a
//    TTL), with the task's detail page open: the round trip of a command from the page (`regions`)
//    every 100 ms, the progress events that reach the page per second, and the gaps between
//    animation frames (how long the page's main thread was busy).
//
// Usage: node e2e/measure.mjs [path/to/ferry-desktop]
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Harness, redisCmd } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = path.resolve(process.argv[2] ?? path.join(here, "../../target/debug/ferry-desktop"));
const starts = Number(process.env.MEASURE_STARTS ?? 5);
const keys = Number(process.env.MEASURE_KEYS ?? 1_000_000);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
};
const fmt = (o) => Object.entries(o).map(([k, v]) => `${k} ${typeof v === "number" ? Math.round(v * 10) / 10 : v}`).join(", ");

/** Loads `n` keys of the benchmark's mix, pipelined in batches over one connection. */
async function loadMixed(port, n) {
  const sock = net.connect(port, "127.0.0.1");
  await new Promise((r, j) => sock.once("connect", r).once("error", j));
  let pending = 0;
  let waiter = null;
  sock.on("data", (d) => {
    for (const byte of d) if (byte === 10) pending--;
    if (pending <= 0 && waiter) waiter();
  });
  const resp = (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
  const value = "v".repeat(100);
  const batch = 5000;
  for (let start = 0; start < n; start += batch) {
    let out = "";
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const key = `key:${String(i).padStart(8, "0")}`;
      const few = (f) => Array.from({ length: 10 }, (_, j) => f(j));
      switch (i % 10) {
        case 6: out += resp(["HSET", key, ...few((j) => [`field${j}`, `value-${i}-${j}`]).flat()]); break;
        case 7: out += resp(["RPUSH", key, ...few((j) => `item-${i}-${j}`)]); break;
        case 8: out += resp(["SADD", key, ...few((j) => `member-${i}-${j}`)]); break;
        case 9: out += resp(["ZADD", key, ...few((j) => [String(j * 1.5), `m-${i}-${j}`]).flat()]); break;
        default: out += resp(i % 10 === 0 ? ["SET", key, value, "EX", "86400"] : ["SET", key, value]);
      }
      pending++;
    }
    await new Promise((r) => {
      waiter = r;
      sock.write(out);
    });
  }
  sock.destroy();
}

async function measureStart(h, driverPort) {
  const total = [];
  const beforePage = [];
  const page = [];
  for (let i = 0; i < starts; i++) {
    const t0 = Date.now();
    const browser = await h.session(driverPort, binary);
    await browser.waitUntil(async () => browser.execute(() => document.querySelector('[data-testid="tasks-screen"] .t-table, [data-testid="tasks-empty"]') !== null), { timeout: 30000, interval: 20 });
    const t1 = Date.now();
    const origin = await browser.execute(() => performance.timeOrigin);
    total.push(t1 - t0);
    beforePage.push(origin - t0);
    page.push(t1 - origin);
    await browser.deleteSession();
    h.browser = undefined;
  }
  console.log(`start-up to the task list (${starts} launches): ${fmt(stats(total))} ms`);
  console.log(`  of which before the page began loading (process + webview): ${fmt(stats(beforePage))} ms`);
  console.log(`  and from then until the table was there (scripts, first commands, render): ${fmt(stats(page))} ms`);
}

async function measureMigration(h, driverPort) {
  const target = await h.redis("target");
  const source = await h.redis("source");
  const t0 = Date.now();
  await loadMixed(source, keys);
  console.log(`loaded ${await redisCmd(source, "DBSIZE")} keys into the source in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const browser = await h.session(driverPort, binary);
  await browser.$('[data-testid="tasks-title"]').waitForExist({ timeout: 20000 });
  const invoke = (cmd, args) =>
    browser.executeAsync(
      (cmd, args, done) => window.__TAURI_INTERNALS__.invoke(cmd, args).then((data) => done({ data }), (error) => done({ error })),
      cmd,
      args,
    );
  const instance = await invoke("add_instance", { input: { name: "measure-target", region: "local", host: "127.0.0.1", port: target, edition: "standard" }, password: null });
  if (instance.error) throw new Error(JSON.stringify(instance.error));
  const spec = {
    name: "measure-1m",
    kind: "public_network",
    source: { host: "127.0.0.1", port: source, has_password: false },
    target_instance: instance.data.id,
    params: { output_buffer_hard_mb: 512, output_buffer_soft_mb: 512, output_buffer_soft_seconds: 60, backlog_mb: 512, repl_timeout_seconds: 120 },
    write_mode: "overwrite",
    db_mapping: [],
    include: [],
    exclude: [],
  };
  const created = await invoke("create_task", { request: { spec, source_password: null }, acceptWarnings: true });
  if (created.error) throw new Error(JSON.stringify(created.error));
  const id = created.data.task.id;

  // The task's page, as a user would watch it.
  await (await browser.$('[data-testid="nav-tasks"]')).click();
  await (await browser.$(`[data-testid="view-${id}"]`)).click();
  await browser.$('[data-testid="task-detail-screen"]').waitForExist({ timeout: 10000 });

  // The probe: command round trips every 100 ms, progress events, frame gaps.
  await browser.executeAsync((done) => {
    const w = window;
    const probe = { rtt: [], events: [], frames: [], running: true };
    w.__probe = probe;
    const handler = w.__TAURI_INTERNALS__.transformCallback(() => probe.events.push(performance.now()));
    void w.__TAURI_INTERNALS__.invoke("plugin:event|listen", { event: "task-progress-event", target: { kind: "Any" }, handler });
    const tick = async () => {
      if (!probe.running) return;
      const t = performance.now();
      await w.__TAURI_INTERNALS__.invoke("regions", {});
      probe.rtt.push(performance.now() - t);
      setTimeout(tick, 100);
    };
    void tick();
    let last = performance.now();
    const frame = (now) => {
      probe.frames.push(now - last);
      last = now;
      if (probe.running) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    done();
  });

  await invoke("start_task", { id });
  const started = Date.now();
  let status = "checking";
  let fullSyncAt = null;
  while (Date.now() - started < 600_000) {
    await new Promise((r) => setTimeout(r, 1000));
    status = await browser.$('[data-testid="task-detail-screen"]').getAttribute("data-status");
    if (status === "full_sync" && fullSyncAt === null) fullSyncAt = Date.now();
    if (status !== "checking" && status !== "full_sync") break;
  }
  // A few seconds of incremental sync too.
  await new Promise((r) => setTimeout(r, 5000));
  const probe = await browser.execute(() => {
    const p = window.__probe;
    p.running = false;
    return { rtt: p.rtt, events: p.events, frames: p.frames };
  });
  const detail = await invoke("task_detail", { id });
  const p = detail.data.progress;
  const seconds = (probe.events.at(-1) - probe.events[0]) / 1000;
  console.log(`migration of ${keys.toLocaleString("en")} keys: status ${status}; full sync ${(p.full_sync_ms / 1000).toFixed(1)} s, ${p.keys_written.toLocaleString("en")} keys written`);
  console.log(`  command round trip (regions, every 100 ms): ${fmt(stats(probe.rtt))} ms`);
  console.log(`  progress events reaching the page: ${probe.events.length} in ${seconds.toFixed(1)} s = ${(probe.events.length / seconds).toFixed(2)}/s`);
  console.log(`  gaps between animation frames: ${fmt(stats(probe.frames))} ms; frames over 50 ms: ${probe.frames.filter((f) => f > 50).length} of ${probe.frames.length}`);
  if (status !== "incremental_sync") throw new Error(`the task ended ${status}`);
}

const h = new Harness();
let failed = false;
try {
  const driverPort = await h.driver();
  console.log(`measure: ${binary}`);
  await measureStart(h, driverPort);
  await measureMigration(h, driverPort);
} catch (e) {
  failed = true;
  console.log(`measure: ${e instanceof Error ? e.message : e}`);
  h.printLogs();
} finally {
  await h.cleanup();
}
process.exit(failed ? 1 : 0);
