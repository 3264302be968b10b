// End-to-end test of the real desktop window: the standalone debug binary (`tauri build --debug
// --no-bundle`) driven by WebdriverIO through tauri-driver and Debian's WebKitWebDriver, under Xvfb,
// against a real redis-server on a free loopback port and a fresh FERRY_DATA_DIR.
//
// Usage: node e2e/run.mjs [path/to/ferry-desktop]   (default: ../target/debug/ferry-desktop)
// Bounded: the whole run is killed after E2E_TIMEOUT_SECS (default 240) seconds.
//
// Two servers: a source holding some keys, and a target registered through the UI as an instance.
// The test creates a migration task through the form, checks, creates and starts it, follows it to
// incremental sync on the detail page, writes to the source and sees the keys counted on both
// sides, then verifies and disconnects the sync from the cutover dialog.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const binary = path.resolve(process.argv[2] ?? path.join(repo, "target/debug/ferry-desktop"));
const shots = path.join(here, "screenshots");
const budgetMs = Number(process.env.E2E_TIMEOUT_SECS ?? 240) * 1000;
const started = Date.now();

const children = [];
let tmp;
let browser;
const results = [];

function cleanup() {
  for (const c of children.reverse()) {
    try {
      if (c.exitCode === null) c.kill("SIGTERM");
    } catch {
      /* already gone */
    }
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  console.error(`e2e: timed out after ${budgetMs / 1000}s`);
  cleanup();
  process.exit(1);
}, budgetMs);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function start(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  const log = fs.createWriteStream(path.join(tmp, `${path.basename(cmd)}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  children.push(child);
  return child;
}

/** Waits until `probe()` resolves true, or throws after `ms`. */
async function until(what, probe, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function redisPing(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("error", () => resolve(false));
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
  });
}

/** Sends one command (RESP array of bulk strings) and resolves with the first reply line. */
function redisCmd(port, ...args) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let buf = "";
    s.once("error", reject);
    s.once("connect", () => s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("")}`));
    s.on("data", (d) => {
      buf += d.toString();
      if (buf.includes("\r\n")) {
        s.destroy();
        const line = buf.slice(0, buf.indexOf("\r\n"));
        if (line.startsWith("-")) reject(new Error(`redis: ${line}`));
        else resolve(line.slice(1));
      }
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("error", () => resolve(false));
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
  });
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  ✗ ${name}: ${e instanceof Error ? e.message : e}`);
    if (browser) {
      await shot(`failure-${name.replace(/\W+/g, "-")}`).catch((err) => console.log(`  (no screenshot: ${err})`));
      const src = await browser.getPageSource().catch((err) => `(no page source: ${err})`);
      console.log(`  url ${await browser.getUrl().catch(() => "?")}; page: ${src.slice(src.indexOf("ferry-spacer") + 300, src.indexOf("ferry-spacer") + 3300)}`);
    }
    throw e;
  }
}

// WebKitWebDriver's screenshot endpoint hangs under Xvfb, so the whole (window-sized) screen is
// grabbed with ImageMagick's `import` instead.
let display;
async function shot(name) {
  fs.mkdirSync(shots, { recursive: true });
  await new Promise((r) => setTimeout(r, 300)); // let transitions settle
  const result = spawnSync("import", ["-display", `:${display}`, "-window", "root", path.join(shots, `${name}.png`)], { timeout: 15000 });
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
}

async function text(selector) {
  return (await browser.$(selector)).getText();
}

async function fill(field, value) {
  const input = await browser.$(`[data-testid="field-${field}"] input`);
  await input.click();
  // Select what is there and type over it, so React sees real key events.
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
  if (value) await input.addValue(value);
}

async function main() {
  if (!fs.existsSync(binary)) throw new Error(`no app binary at ${binary}; build it with: npm --prefix ui exec -- tauri build --debug --no-bundle`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-e2e-"));
  const dataDir = path.join(tmp, "data");
  fs.mkdirSync(dataDir);

  // The target (registered as an instance through the UI) and the source (with some data).
  const redisPort = await freePort();
  start("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", tmp, "--logfile", path.join(tmp, "target.log")]);
  const sourcePort = await freePort();
  start("redis-server", ["--port", String(sourcePort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", tmp, "--logfile", path.join(tmp, "source.log")]);
  await until("redis-server (target)", () => redisPing(redisPort));
  await until("redis-server (source)", () => redisPing(sourcePort));
  const seeded = 2000;
  for (let batch = 0; batch < seeded / 500; batch++) {
    const kv = [];
    for (let i = batch * 500; i < (batch + 1) * 500; i++) kv.push(`order:${i}`, `value-${i}`);
    await redisCmd(sourcePort, "MSET", ...kv);
  }

  // A display of our own.
  display = 90 + (process.pid % 100);
  while (fs.existsSync(`/tmp/.X11-unix/X${display}`) || fs.existsSync(`/tmp/.X${display}-lock`)) display++;
  start("Xvfb", [`:${display}`, "-screen", "0", "1200x800x24", "-nolisten", "tcp"]);
  await until("Xvfb", () => fs.existsSync(`/tmp/.X11-unix/X${display}`));

  const driverPort = await freePort();
  const nativePort = await freePort();
  const env = {
    ...process.env,
    DISPLAY: `:${display}`,
    FERRY_DATA_DIR: dataDir,
    LANG: "C.UTF-8",
    // No GPU under Xvfb.

    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    LIBGL_ALWAYS_SOFTWARE: "1",
  };
  start("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], { env });
  await until("tauri-driver", () => portOpen(driverPort));
  // tauri-driver forwards to WebKitWebDriver, which it starts itself: a session asked for before
  // that one listens makes tauri-driver drop the connection.
  await until("WebKitWebDriver", () => portOpen(nativePort));

  browser = await remote({
    hostname: "127.0.0.1",
    port: driverPort,
    logLevel: "error",
    connectionRetryCount: 1,
    connectionRetryTimeout: 60000,
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: binary },
    },
  });
  await browser.setTimeout({ implicit: 0 });

  console.log(`e2e: ${binary}\n  target redis-server on 127.0.0.1:${redisPort}, source on 127.0.0.1:${sourcePort} (${seeded} keys), FERRY_DATA_DIR=${dataDir}, DISPLAY=:${display}`);

  await step("window opens on the task list", async () => {
    await browser.$('[data-testid="tasks-title"]').waitForExist({ timeout: 20000 });
    const title = await browser.getTitle();
    if (title !== "Ferry") throw new Error(`window title is ${JSON.stringify(title)}`);
    await (await browser.$('//label[contains(@class,"t-radio-button") and contains(., "English")]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="tasks-title"]')) === "Migration task list", { timeout: 5000 });
    await browser.$('[data-testid="tasks-empty"]').waitForDisplayed({ timeout: 5000 });
    await shot("tasks-en");
  });

  await step("register the redis-server as an instance", async () => {
    await (await browser.$('[data-testid="nav-instances"]')).click();
    await browser.$('[data-testid="instances-empty"]').waitForDisplayed({ timeout: 5000 });
    await (await browser.$('[data-testid="register-instance"]')).click();
    await browser.$('[data-testid="instance-form"]').waitForDisplayed({ timeout: 5000 });
    await fill("name", "e2e-redis");
    await fill("region", "local-e2e");
    await fill("host", "127.0.0.1");
    await fill("port", String(redisPort));
    await shot("instance-form");
    await (await browser.$('[data-testid="instance-save"]')).click();
    const card = browser.$('[data-testid="region-local-e2e"]');
    await card.waitForDisplayed({ timeout: 10000 });
    const cardText = await card.getText();
    for (const want of ["e2e-redis", `127.0.0.1:${redisPort}`, "Region local-e2e"]) {
      if (!cardText.includes(want)) throw new Error(`instances screen lacks ${JSON.stringify(want)}: ${cardText}`);
    }
  });

  await step("test the connection to it", async () => {
    await (await browser.$('//div[@data-testid="region-local-e2e"]//button[contains(., "Test connection")]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="notice"]')).includes("e2e-redis: Redis"), {
      timeout: 10000,
      timeoutMsg: "no connection-test result",
    });
    await shot("instances");
  });

  await step("switch to Chinese and see the task list's title", async () => {
    await (await browser.$('[data-testid="nav-tasks"]')).click();
    await (await browser.$('//label[contains(@class,"t-radio-button") and contains(., "中文")]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="tasks-title"]')) === "迁移任务列表", { timeout: 5000 });
    await shot("tasks-zh");
    await (await browser.$('//label[contains(@class,"t-radio-button") and contains(., "English")]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="tasks-title"]')) === "Migration task list", { timeout: 5000 });
  });

  const taskName = "e2e-orders";
  await step("create form: basic information", async () => {
    await (await browser.$('[data-testid="new-task"]')).click();
    await browser.$('[data-testid="basic-form"]').waitForDisplayed({ timeout: 5000 });
    await fill("name", taskName);
    await fill("host", "127.0.0.1");
    await fill("port", String(sourcePort));
    // The only registered instance is chosen as the target for the user.
    const target = await browser.$('[data-testid="field-targetId"] input').getValue();
    if (!target.includes("e2e-redis")) throw new Error(`target not chosen: ${target}`);
    await shot("create-basic");
  });

  await step("create form: parameter settings with the source's current values", async () => {
    await (await browser.$('[data-testid="basic-next"]')).click();
    const table = browser.$('[data-testid="params-table"]');
    await table.waitForDisplayed({ timeout: 10000 });
    const rows = await table.getText();
    for (const want of ["client-output-buffer-limit", "repl-backlog-size", "repl-timeout", "Recommended"]) {
      if (!rows.includes(want)) throw new Error(`parameter table lacks ${want}: ${rows}`);
    }
    await shot("create-params");
  });

  await step("create form: the pre-check runs, with its items", async () => {
    await (await browser.$('[data-testid="start-check"]')).click();
    await browser.$('[data-testid="check-summary"]').waitForDisplayed({ timeout: 30000 });
    const results = await text('[data-testid="check-results"]');
    for (const want of ["Source", "Passed"]) {
      if (!results.includes(want)) throw new Error(`check results lack ${want}: ${results}`);
    }
    const summary = await text('[data-testid="check-summary"]');
    if (summary.includes("error(s)")) throw new Error(`the check found errors: ${summary}\n${results}`);
    await shot("create-check");
  });

  await step("confirm and create the task, then start it", async () => {
    const accept = await browser.$('[data-testid="accept-warnings"] .t-checkbox');
    if (await accept.isExisting()) await accept.click();
    await browser.waitUntil(async () => (await browser.$('[data-testid="create-task"]').getAttribute("disabled")) === null, { timeout: 5000, timeoutMsg: "create stays disabled" });
    await (await browser.$('[data-testid="create-task"]')).click();
    await browser.$('[data-testid="task-created"]').waitForDisplayed({ timeout: 30000 });
    await (await browser.$('[data-testid="start-created"]')).click();
    await browser.$('[data-testid="task-detail-screen"]').waitForDisplayed({ timeout: 10000 });
  });

  const detailStatus = () => browser.$('[data-testid="task-detail-screen"]').getAttribute("data-status");
  await step("detail page: incremental sync with live charts", async () => {
    await browser.waitUntil(async () => (await detailStatus()) === "incremental_sync", {
      timeout: 60000,
      timeoutMsg: "the task did not reach incremental sync",
    });
    await browser.waitUntil(async () => Number(await browser.$('[data-testid="sync-charts"]').getAttribute("data-points")) >= 2, { timeout: 15000 });
    for (const chart of ["keys-chart", "offsets-chart"]) {
      if (!(await browser.$(`[data-testid="${chart}"] canvas`).isDisplayed())) throw new Error(`${chart} is not drawn`);
    }
  });

  await step("writes to the source are counted on both sides", async () => {
    await redisCmd(sourcePort, "MSET", "live:1", "a", "live:2", "b", "live:3", "c", "live:4", "d", "live:5", "e");
    const want = `source ${(seeded + 5).toLocaleString("en")}, target ${(seeded + 5).toLocaleString("en")}`;
    await browser.waitUntil(async () => (await text('[data-testid="keys-caption"]')).includes(want), {
      timeout: 15000,
      timeoutMsg: `the keys chart never said ${want}`,
    });
    await (await browser.$('[data-testid="sync-charts"]')).scrollIntoView({ block: "center" });
    await shot("detail-incremental");
  });

  await step("cutover dialog: verify, type the name, disconnect sync", async () => {
    await (await browser.$('[data-testid="detail-cutover"]')).scrollIntoView({ block: "center" });
    await (await browser.$('[data-testid="detail-cutover"]')).click();
    await browser.$('[data-testid="cutover-dialog"]').waitForDisplayed({ timeout: 5000 });
    await (await browser.$('[data-testid="run-verify"]')).click();
    await browser.$('[data-testid="verify-summary"]').waitForDisplayed({ timeout: 20000 });
    const verify = await text('[data-testid="verify-summary"]');
    if (!verify.includes(`${(seeded + 5).toLocaleString("en")} keys compared`)) throw new Error(`verify says: ${verify}`);
    if ((await browser.$('[data-testid="cutover-confirm"]').getAttribute("disabled")) === null) throw new Error("cutover enabled before the name was typed");
    const input = await browser.$('[data-testid="confirm-name"] input');
    await input.click();
    await input.addValue(taskName);
    await browser.waitUntil(async () => (await browser.$('[data-testid="cutover-confirm"]').getAttribute("disabled")) === null, { timeout: 5000 });
    await shot("cutover-dialog");
    await (await browser.$('[data-testid="cutover-confirm"]')).click();
    await browser.$('[data-testid="cutover-result"]').waitForDisplayed({ timeout: 90000 });
    await (await browser.$('[data-testid="cutover-close"]')).click();
  });

  await step("the task is completed", async () => {
    await browser.waitUntil(async () => (await detailStatus()) === "completed", { timeout: 15000, timeoutMsg: "not completed" });
    const status = await text('[data-testid="detail-status"]');
    if (status !== "Completed") throw new Error(`status tag says ${status}`);
    const keys = await redisCmd(redisPort, "DBSIZE");
    if (Number(keys) !== seeded + 5) throw new Error(`the target holds ${keys} keys, not ${seeded + 5}`);
    await browser.execute(() => window.scrollTo(0, 0));
    await shot("task-completed");
  });
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  if (!results.some((r) => !r.ok)) console.log(`  ✗ setup: ${e instanceof Error ? e.message : e}`);
  if (tmp) {
    for (const f of fs.readdirSync(tmp).filter((f) => f.endsWith(".log"))) {
      const lines = fs.readFileSync(path.join(tmp, f), "utf8").trim().split("\n");
      // A panic's message comes before its (long) backtrace: show it first.
      const panic = lines.findIndex((l) => l.includes("panicked at"));
      if (panic >= 0) console.log(`--- ${f} (panic)\n${lines.slice(panic, panic + 4).join("\n")}`);
      const log = lines.slice(-60).join("\n");
      if (log) console.log(`--- ${f} (last lines)\n${log}`);
    }
  }
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
  cleanup();
  clearTimeout(watchdog);
}
const passed = results.filter((r) => r.ok).length;
const failedCount = results.length - passed + (failed && results.every((r) => r.ok) ? 1 : 0);
console.log(`e2e: ${passed} passed, ${failedCount} failed (${((Date.now() - started) / 1000).toFixed(1)}s); screenshots in ui/e2e/screenshots/`);
process.exit(failed ? 1 : 0);
