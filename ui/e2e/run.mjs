// End-to-end test of the real desktop window: the standalone debug binary (`tauri build --debug
// --no-bundle`) driven by WebdriverIO through tauri-driver and Debian's WebKitWebDriver, under Xvfb,
// against a real redis-server on a free loopback port and a fresh FERRY_DATA_DIR.
//
// Usage: node e2e/run.mjs [path/to/ferry-desktop]   (default: ../target/debug/ferry-desktop)
// Bounded: the whole run is killed after E2E_TIMEOUT_SECS (default 180) seconds.
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
const budgetMs = Number(process.env.E2E_TIMEOUT_SECS ?? 180) * 1000;
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

  const redisPort = await freePort();
  start("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", tmp]);
  await until("redis-server", () => redisPing(redisPort));

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

  console.log(`e2e: ${binary}\n  redis-server on 127.0.0.1:${redisPort}, FERRY_DATA_DIR=${dataDir}, DISPLAY=:${display}`);

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
    await (await browser.$('[data-testid="new-task"]')).click();
    await browser.$('[data-testid="new-task-screen"]').waitForDisplayed({ timeout: 5000 });
    await shot("new-task-zh");
  });

  await standbySteps(dataDir);
}

/** Settings (dark theme), then the sandbox started from the UI and a failover drill on its pair. */
async function standbySteps(dataDir) {
  const radio = (scope, label) => browser.$(`//*[@data-testid="${scope}"]//label[contains(@class,"t-radio-button") and contains(., "${label}")]`);
  const themeMode = () => browser.execute(() => document.documentElement.getAttribute("theme-mode"));
  let sourcePort;

  await step("settings: dark theme and back to light", async () => {
    await (await browser.$('[data-testid="nav-settings"]')).click();
    await browser.$('[data-testid="settings-screen"]').waitForDisplayed({ timeout: 5000 });
    await (await radio("settings-screen", "English")).click();
    await (await radio("settings-screen", "Dark")).click();
    await browser.waitUntil(async () => (await themeMode()) === "dark", { timeout: 5000, timeoutMsg: "theme-mode is not dark" });
    const dir = await (await browser.$('[data-testid="data-dir"] input')).getValue();
    if (!dir.startsWith(dataDir)) throw new Error(`settings show the data at ${JSON.stringify(dir)}, not under ${dataDir}`);
    await shot("settings-dark");
    for (const screen of ["tasks", "instances", "standby"]) {
      await (await browser.$(`[data-testid="nav-${screen}"]`)).click();
      await browser.$(`[data-testid="${screen}-screen"]`).waitForDisplayed({ timeout: 5000 });
      await shot(`${screen}-dark`);
    }
    await (await browser.$('[data-testid="nav-settings"]')).click();
    await (await radio("settings-screen", "Light")).click();
    await browser.waitUntil(async () => (await themeMode()) === null, { timeout: 5000, timeoutMsg: "theme-mode is still set" });
  });

  try {
    await step("sandbox: start it from the UI", async () => {
      await (await browser.$('[data-testid="nav-sandbox"]')).click();
      await (await browser.$('[data-testid="sandbox-start"]')).waitForDisplayed({ timeout: 5000 });
      await (await browser.$('[data-testid="sandbox-start"]')).click();
      await browser.$('[data-testid="sandbox-ready"]').waitForDisplayed({ timeout: 30000 });
      const source = await text('[data-testid="sandbox-source"]');
      const match = /^127\.0\.0\.1:(\d+)$/.exec(source);
      if (!match) throw new Error(`the sandbox's source address is ${JSON.stringify(source)}`);
      sourcePort = Number(match[1]);
      if (!(await redisPing(sourcePort))) throw new Error(`the sandbox's source on ${sourcePort} does not answer`);
      await shot("sandbox");
    });

    await step("hot standby: failover drill promotes the standby (route epoch 1)", async () => {
      await (await browser.$('[data-testid="sandbox-go-standby"]')).click();
      await browser.$('[data-testid="standby-screen"]').waitForDisplayed({ timeout: 5000 });
      await browser.$('[data-state="ready"][data-epoch="0"]').waitForExist({ timeout: 20000, timeoutMsg: "the standby did not become ready" });
      await (await browser.$('[data-testid="drill"]')).click();
      const confirm = browser.$('[data-testid="drill-confirm"]');
      await confirm.waitForClickable({ timeout: 5000 });
      await new Promise((r) => setTimeout(r, 500)); // the dialog's opening animation
      await confirm.click();
      await browser.$('[data-testid="standby-timeline"] li[data-kind="promoted"]').waitForExist({ timeout: 20000, timeoutMsg: "no promotion in the timeline" });
      await browser.$('[data-epoch="1"] [data-testid="standby-epoch"]').waitForExist({ timeout: 10000, timeoutMsg: "the route epoch is not 1" });
      const epoch = await text('[data-testid="standby-epoch"]');
      if (epoch !== "Route epoch 1") throw new Error(`the epoch tag reads ${JSON.stringify(epoch)}`);
      await shot("standby-failover");
    });

    await step("sandbox: stop it from the UI", async () => {
      await (await browser.$('[data-testid="nav-sandbox"]')).click();
      await (await browser.$('[data-testid="sandbox-stop"]')).waitForDisplayed({ timeout: 5000 });
      await (await browser.$('[data-testid="sandbox-stop"]')).click();
      const confirm = browser.$('[data-testid="sandbox-stop-confirm"]');
      await confirm.waitForClickable({ timeout: 5000 });
      await new Promise((r) => setTimeout(r, 500)); // the dialog's opening animation
      await confirm.click();
      await browser.$('[data-testid="sandbox-stopped"]').waitForDisplayed({ timeout: 15000 });
      await until("the sandbox's source to stop", async () => !(await portOpen(sourcePort)), 10000);
      if (fs.existsSync(path.join(dataDir, "sandbox"))) throw new Error("the sandbox's files are still there");
    });
  } finally {
    // The app is killed at the end of the session, before it could stop a sandbox left running.
    const pids = path.join(dataDir, "sandbox", "pids");
    for (const line of fs.existsSync(pids) ? fs.readFileSync(pids, "utf8").trim().split("\n") : []) {
      try {
        process.kill(Number(line.split(" ")[0]), "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  if (!results.some((r) => !r.ok)) console.log(`  ✗ setup: ${e instanceof Error ? e.message : e}`);
  if (tmp) {
    for (const f of fs.readdirSync(tmp).filter((f) => f.endsWith(".log"))) {
      const log = fs.readFileSync(path.join(tmp, f), "utf8").trim().split("\n").slice(-60).join("\n");
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
