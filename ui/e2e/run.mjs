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
// sides, then verifies and disconnects the sync from the cutover dialog. A second task, run by the
// CLI on the same store and killed with SIGKILL, shows as interrupted and resumes from its row. A
// third, created from the form with a db mapping and a key pattern (not started), shows them on its
// page and as tags in the list. Then the sandbox and hot standby; a tour of every screen at
// 1024×640 and 1920×1080, light and dark, English and Chinese (shots in screenshots/tour/, checked
// for sideways scrolling and clipped buttons); last, a SIGTERM to the app, which must pause its
// running task (resumable) and stop the sandbox before it exits.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Harness, portOpen, redisCmd, until } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const binary = path.resolve(process.argv[2] ?? path.join(repo, "target/debug/ferry-desktop"));
const shots = path.join(here, "screenshots");
const budgetMs = Number(process.env.E2E_TIMEOUT_SECS ?? 240) * 1000;
const started = Date.now();

const h = new Harness();
let browser;
const results = [];

const watchdog = setTimeout(() => {
  console.error(`e2e: timed out after ${budgetMs / 1000}s`);
  void h.cleanup().finally(() => process.exit(1));
}, budgetMs);

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

async function shot(name) {
  await h.shot(path.join(shots, `${name}.png`));
}

/** Waits until the element stops moving (animations done), so a click lands on it. */
async function settled(selector) {
  let last = "";
  await browser.waitUntil(
    async () => {
      const r = JSON.stringify(await browser.$(selector).getLocation());
      const same = r === last;
      last = r;
      return same;
    },
    { timeout: 5000, interval: 150, timeoutMsg: `${selector} keeps moving` },
  );
}

async function text(selector) {
  return (await browser.$(selector)).getText();
}

/** Starts recording every text the element `testId` shows, however briefly (a progress bar that a
 * fast run replaces within a frame); `seen(testId)` returns them. */
async function record(testId) {
  await browser.execute((id) => {
    const seen = (window.__seen ??= {});
    seen[id] = [];
    const look = () => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (el && seen[id].at(-1) !== el.textContent) seen[id].push(el.textContent);
    };
    const observer = new MutationObserver(look);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    (window.__observers ??= []).push(observer);
  }, testId);
}

async function seen(testId) {
  return browser.execute((id) => window.__seen?.[id] ?? [], testId);
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
  // The target (registered as an instance through the UI) and the source (with some data).
  const redisPort = await h.redis("target");
  const sourcePort = await h.redis("source");
  const seeded = 2000;
  for (let batch = 0; batch < seeded / 500; batch++) {
    const kv = [];
    for (let i = batch * 500; i < (batch + 1) * 500; i++) kv.push(`order:${i}`, `value-${i}`);
    await redisCmd(sourcePort, "MSET", ...kv);
  }
  browser = await h.session(await h.driver(), binary);

  console.log(`e2e: ${binary}\n  target redis-server on 127.0.0.1:${redisPort}, source on 127.0.0.1:${sourcePort} (${seeded} keys), FERRY_DATA_DIR=${h.dataDir}, DISPLAY=:${h.display}`);

  await step("first launch on a Chinese desktop: the window opens on the task list in Chinese", async () => {
    await browser.$('[data-testid="tasks-title"]').waitForExist({ timeout: 20000 });
    const title = await browser.getTitle();
    if (title !== "Ferry") throw new Error(`window title is ${JSON.stringify(title)}`);
    const first = await text('[data-testid="tasks-title"]');
    if (first !== "迁移任务列表") throw new Error(`on a zh_CN desktop the first window says ${JSON.stringify(first)}`);
    await shot("first-launch-zh");
    // The choice in the app wins from now on (the tour and the steps below switch as they need).
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
    // The source's current values as sizes (a fresh redis-server: 1 MB of backlog, replicas limited
    // to 256 MB hard, 64 MB soft for 60 s), the CONFIG text on hover.
    const backlog = browser.$('[data-testid="current-repl-backlog-size"]');
    const limit = browser.$('[data-testid="current-client-output-buffer-limit"]');
    if ((await backlog.getText()) !== "1 MB" || (await backlog.getAttribute("title")) !== "1048576") throw new Error(`the backlog reads ${await backlog.getText()} (${await backlog.getAttribute("title")})`);
    if ((await limit.getText()) !== "256 MB / 64 MB / 60 s" || !(await limit.getAttribute("title"))?.includes("slave 268435456 67108864 60")) throw new Error(`the output-buffer limit reads ${await limit.getText()} (${await limit.getAttribute("title")})`);
    await shot("create-params");
  });

  await step("create form: the pre-check runs, with its items and the big-key scan's progress", async () => {
    await (await browser.$('[data-testid="start-check"]')).click();
    await browser.$('[data-testid="check-summary"]').waitForDisplayed({ timeout: 30000 });
    // A scan of a few thousand keys is over within a frame: what it measured stays in view.
    await browser.waitUntil(async () => (await text('[data-testid="check-scan"]').catch(() => "")).includes(`Big keys: ${seeded.toLocaleString("en")} keys measured in`), {
      timeout: 5000,
      timeoutMsg: "the big-key scan's progress never reached the window",
    });
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
    // The dialog zooms in: a click during the animation lands beside the button.
    await settled('[data-testid="run-verify"]');
    // A key only the target has: the verify reads it again three times, half a second apart, and
    // says so while it does; then the key goes and the verify runs again, clean.
    await redisCmd(redisPort, "SET", "e2e:only-on-target", "1");
    await record("verify-progress");
    await (await browser.$('[data-testid="run-verify"]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="verify-summary"]').catch(() => "")).includes("1 extra"), { timeout: 20000, timeoutMsg: "the verify did not find the extra key" });
    const stages = await seen("verify-progress");
    if (!stages.some((s) => s.includes("Reading again the keys that differed"))) throw new Error(`the verify's progress never showed: ${JSON.stringify(stages)}`);
    await redisCmd(redisPort, "DEL", "e2e:only-on-target");
    await (await browser.$('[data-testid="run-verify"]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="verify-summary"]').catch(() => "")).includes("source and target match"), { timeout: 20000, timeoutMsg: "the second verify is not clean" });
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
    // The history, newest first, ends in the cutover.
    const history = await text('[data-testid="detail-events"] tbody tr:first-child');
    if (!history.includes("completed")) throw new Error(`the newest event is not the completion: ${await text('[data-testid="detail-events"]')}`);
    await browser.execute(() => window.scrollTo(0, 0));
    await shot("task-completed");
  });

  await step("the task list shows the completed task, in English and Chinese", async () => {
    await (await browser.$('[data-testid="detail-back"]')).click();
    const row = '//tr[contains(., "e2e-orders")]';
    await browser.waitUntil(async () => (await text(row)).includes("Completed"), { timeout: 5000, timeoutMsg: "no completed row" });
    await shot("tasks-list-en");
    await (await browser.$('//label[contains(@class,"t-radio-button") and contains(., "中文")]')).click();
    await browser.waitUntil(async () => (await text(row)).includes("已完成"), { timeout: 5000, timeoutMsg: "no completed row in Chinese" });
    await shot("tasks-list-zh");
  });

  await step("the task's page in Chinese", async () => {
    await (await browser.$('[data-testid="view-1"]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="detail-status"]')) === "已完成", { timeout: 5000, timeoutMsg: "no Chinese status" });
    const steps = await text('[data-testid="status-steps"]');
    for (const want of ["参数校验中", "全量同步中", "增量同步中", "断开同步"]) {
      if (!steps.includes(want)) throw new Error(`the stepper lacks ${want}: ${steps}`);
    }
    if (!(await text('[data-testid="keys-caption"]')).includes("源 2,005，目标 2,005")) throw new Error("the keys chart's caption is not in Chinese");
    await shot("task-completed-zh");
  });

  await step("an interrupted task resumes from the task list", async () => {
    await (await browser.$('//label[contains(@class,"t-radio-button") and contains(., "English")]')).click();
    await (await browser.$('[data-testid="detail-back"]')).click();
    // A second task, run by the CLI on the same store, killed in the middle of its sync.
    const cli = path.join(repo, "target/debug/ferry");
    const env = { ...process.env, FERRY_DATA_DIR: h.dataDir };
    const source = `redis://127.0.0.1:${sourcePort}`;
    execFileSync(cli, ["tasks", "create", "--name", "e2e-resume", "--source", source, "--target", "e2e-redis", "--accept-warnings"], { env });
    const runner = h.start(cli, ["tasks", "start", "e2e-resume"], { env }, "cli-runner");
    const row = '//tr[contains(., "e2e-resume")]';
    await browser.waitUntil(async () => (await text(row)).includes("Incremental sync"), { timeout: 60000, timeoutMsg: "the CLI's task never showed incremental sync" });
    runner.kill("SIGKILL");
    await redisCmd(sourcePort, "SET", "after:kill", "while no one syncs");
    await browser.waitUntil(async () => (await text(row)).includes("Interrupted"), { timeout: 20000, timeoutMsg: "the killed runner's task was never marked interrupted" });
    await shot("tasks-interrupted");
    await (await browser.$(`${row}//*[contains(@class,"t-button") and contains(., "Resume")]`)).click();
    await browser.waitUntil(async () => (await text(row)).includes("Incremental sync"), { timeout: 60000, timeoutMsg: "the task did not resume" });
    await until("the write made while no one synced", async () => (await redisCmd(redisPort, "EXISTS", "after:kill")) === "1");
    await (await browser.$('[data-testid="view-2"]')).click();
    await browser.waitUntil(async () => (await text('[data-testid="detail-events"]')).includes("resumed at offset"), { timeout: 10000, timeoutMsg: "no resume event" });
    await (await browser.$('[data-testid="detail-back"]')).click();
  });

  await step("create form: a db mapping and a key pattern reach the task's page and the list", async () => {
    await (await browser.$('[data-testid="new-task"]')).click();
    await browser.$('[data-testid="basic-form"]').waitForDisplayed({ timeout: 5000 });
    await fill("name", "e2e-filtered");
    await fill("host", "127.0.0.1");
    await fill("port", String(sourcePort));
    await (await browser.$('[data-testid="filter-fields"] label.t-checkbox')).click();
    await fill("filter-dbMap", "0:1");
    await fill("filter-include", "order:1*");
    await (await browser.$('[data-testid="filter-fields"]')).scrollIntoView({ block: "center" });
    await shot("new-task-filters");
    await (await browser.$('[data-testid="basic-next"]')).click();
    await browser.$('[data-testid="params-table"]').waitForDisplayed({ timeout: 10000 });
    // The parameter step and the pre-check in Chinese: sizes for people, the engine's sentences.
    const inChinese = async (name, check) => {
      await (await browser.$('[data-testid="lang-zh"]')).click();
      await browser.waitUntil(check, { timeout: 5000, timeoutMsg: `${name} is not in Chinese` });
      await shot(name);
      await (await browser.$('[data-testid="lang-en"]')).click();
    };
    await inChinese("create-params-zh", async () => (await text('[data-testid="params-table"]')).includes("当前值"));
    await (await browser.$('[data-testid="start-check"]')).click();
    await browser.$('[data-testid="check-summary"]').waitForDisplayed({ timeout: 30000 });
    await inChinese("create-check-zh", async () => (await text('[data-testid="check-results"]')).includes("源端与目标端是不同的服务器"));
    const summary = await text('[data-testid="check-summary"]');
    if (summary.includes("error(s)")) throw new Error(`the check found errors: ${summary}\n${await text('[data-testid="check-results"]')}`);
    const accept = await browser.$('[data-testid="accept-warnings"] .t-checkbox');
    if (await accept.isExisting()) await accept.click();
    await browser.waitUntil(async () => (await browser.$('[data-testid="create-task"]').getAttribute("disabled")) === null, { timeout: 5000, timeoutMsg: "create stays disabled" });
    await (await browser.$('[data-testid="create-task"]')).click();
    await browser.$('[data-testid="task-created"]').waitForDisplayed({ timeout: 30000 });
    await (await browser.$('[data-testid="view-created"]')).click();
    await browser.$('[data-testid="task-detail-screen"]').waitForDisplayed({ timeout: 10000 });
    await (await browser.$('//div[contains(@class,"t-tabs__nav-item") and contains(., "Parameters")]')).click();
    await browser.$('[data-testid="setting-dbMapping"]').waitForDisplayed({ timeout: 5000 });
    const [mapping, include] = [await text('[data-testid="setting-dbMapping"]'), await text('[data-testid="setting-include"]')];
    if (!mapping.includes("0 → 1") || !include.includes("order:1*")) throw new Error(`the task's page shows ${JSON.stringify(mapping)}, ${JSON.stringify(include)}`);
    await (await browser.$('[data-testid="detail-back"]')).click();
    const tags = browser.$('//tr[contains(., "e2e-filtered")]//*[starts-with(@data-testid, "filter-tags-")]');
    await tags.waitForDisplayed({ timeout: 5000 });
    const tagText = await tags.getText();
    if (!tagText.includes("db 0→1") || !tagText.includes("include 1")) throw new Error(`the list's filter tags read ${JSON.stringify(tagText)}`);
  });

  await standbySteps(h.dataDir);
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
      if ((await redisCmd(sourcePort, "PING").catch(() => "")) !== "PONG") throw new Error(`the sandbox's source on ${sourcePort} does not answer`);
      await shot("sandbox");
    });

    await step("sandbox: \"New migration task\" opens the form filled in with the sandbox", async () => {
      await (await browser.$('[data-testid="sandbox-new-task"]')).click();
      const value = async (k) => (await browser.$(`[data-testid="field-${k}"] input`)).getValue();
      await browser.waitUntil(async () => (await value("host")) === "127.0.0.1", { timeout: 5000, timeoutMsg: "the source host is not filled in" });
      const [port, name] = [await value("port"), await value("name")];
      if (port !== String(sourcePort) || name !== `sandbox-${sourcePort}`) throw new Error(`the form holds port ${port}, name ${name}`);
      await shot("sandbox-new-task");
      await (await browser.$('[data-testid="nav-sandbox"]')).click();
      await browser.$('[data-testid="sandbox-ready"]').waitForDisplayed({ timeout: 5000 });
    });

    await step("instances: the sandbox's TLS target answers over TLS; the form's TLS and SSH sections", async () => {
      const tls = /rediss:\/\/127\.0\.0\.1:(\d+)/.exec(await text('[data-testid="sandbox-tls"]'));
      if (!tls) throw new Error("the sandbox shows no TLS target");
      await (await browser.$('[data-testid="nav-instances"]')).click();
      const row = '//div[@data-testid="region-sandbox"]//tr[contains(., "tls-target")]';
      await browser.$(row).waitForDisplayed({ timeout: 5000 });
      await (await browser.$(`${row}//button[contains(., "Test connection")]`)).click();
      await browser.waitUntil(async () => /tls-target :\d+: Redis/.test(await text('[data-testid="notice"]')), {
        timeout: 10000,
        timeoutMsg: "no answer from the TLS target over TLS",
      });
      await (await browser.$('[data-testid="register-instance"]')).click();
      await browser.$('[data-testid="instance-form"]').waitForDisplayed({ timeout: 5000 });
      await fill("name", "tls-via-bastion");
      await fill("region", "ap-guangzhou");
      await fill("host", "10.0.0.9");
      await fill("port", "6380");
      await (await browser.$('[data-testid="tls-fields"] label.t-checkbox')).click();
      await fill("tls-ca", "/etc/ssl/redis/ca.pem");
      await fill("tls-cert", "/etc/ssl/redis/client.pem");
      await fill("tls-key", "/etc/ssl/redis/client.key");
      await (await browser.$('[data-testid="ssh-fields"] label.t-checkbox')).click();
      await fill("ssh-jump", "ops@bastion.example.com:22");
      await fill("ssh-keyFile", "/home/ops/.ssh/id_ed25519");
      await shot("instance-form-tls-ssh");
      await (await browser.$('[data-testid="instance-cancel"]')).click();
      await (await browser.$('[data-testid="nav-sandbox"]')).click();
      await browser.$('[data-testid="sandbox-ready"]').waitForDisplayed({ timeout: 5000 });
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

    await step("hot standby: the pair form takes the proxy's TLS listener", async () => {
      await (await browser.$('[data-testid="new-standby"]')).click();
      await browser.$('[data-testid="standby-form"]').waitForDisplayed({ timeout: 5000 });
      await (await browser.$('[data-testid="standby-tls-fields"] label.t-checkbox')).click();
      const type = async (k, v) => {
        const input = await browser.$(`[data-testid="standby-field-${k}"] input`);
        await input.click();
        await input.addValue(v);
      };
      await type("name", "orders-ha");
      await type("tlsCert", "/etc/ferry/proxy.pem");
      await type("tlsKey", "/etc/ferry/proxy.key");
      await type("tlsClientCa", "/etc/ferry/clients-ca.pem");
      await shot("standby-form-tls");
      // Sentinel mode: no replica to choose, but the Sentinels and the master's name.
      await (await browser.$('//*[@data-testid="standby-field-mode"]//label[contains(., "Redis Sentinel")]')).click();
      await browser.$('[data-testid="standby-field-sentinels"]').waitForDisplayed({ timeout: 5000 });
      if (await browser.$('[data-testid="standby-field-replica"]').isExisting()) throw new Error("Sentinel mode still asks for a replica");
      await type("sentinels", "10.0.0.11:26379, 10.0.0.12:26379, 10.0.0.13:26379");
      await type("masterName", "mymaster");
      await type("password", "proxy-secret");
      await shot("standby-form-sentinel");
      await (await browser.$('[data-testid="standby-cancel"]')).click();
      const card = await text('[data-testid^="standby-"][data-runner="here"]');
      for (const want of ["Runs in this app", "Login: the servers' users"]) {
        if (!card.includes(want)) throw new Error(`the pair's card lacks ${JSON.stringify(want)}: ${card}`);
      }
    });

    await step("hot standby: a pair run as a service shows in the app, which stops it", async () => {
      // The CLI saves a pair over the sandbox's master and replica and runs it, as a service would.
      const cli = path.join(repo, "target/debug/ferry");
      const env = { ...process.env, FERRY_DATA_DIR: dataDir };
      const instances = JSON.parse(execFileSync(cli, ["instances", "list", "--region", "sandbox", "--json"], { env }).toString());
      const id = (role) => String(instances.find((i) => i.name.startsWith(`sandbox ${role} `)).id);
      execFileSync(cli, ["standby", "add", "orders-service", "--master", id("master"), "--replica", id("replica"), "--listen", "127.0.0.1:0"], { env });
      const service = h.start(cli, ["standby", "run", "orders-service"], { env }, "standby-service");
      await (await browser.$('[data-testid="nav-sandbox"]')).click();
      await (await browser.$('[data-testid="nav-standby"]')).click();
      const card = '//div[@data-runner="elsewhere"]';
      await browser.waitUntil(
        async () => {
          await (await browser.$('//button[contains(., "Refresh")]')).click();
          return browser.$(`${card}[@data-state="ready"]`).isExisting();
        },
        { timeout: 20000, interval: 1000, timeoutMsg: "the service's pair never showed as run elsewhere with a ready standby" },
      );
      const tag = await text(`${card}//*[@data-testid="standby-runner"]`);
      if (!tag.startsWith("Runs in ")) throw new Error(`the runner tag reads ${JSON.stringify(tag)}`);
      await (await browser.$(`${card}//*[@data-testid="standby-runner"]`)).scrollIntoView();
      await shot("standby-service");
      await (await browser.$(`${card}//button[@data-testid="stop-standby"]`)).click();
      const confirm = browser.$('[data-testid="stop-standby-confirm"]');
      await confirm.waitForClickable({ timeout: 5000 });
      await new Promise((r) => setTimeout(r, 500)); // the dialog's opening animation
      await confirm.click();
      await until("the service to end when the app stopped its pair", async () => service.exitCode !== null, 15000);
      await browser.waitUntil(async () => (await browser.$('//div[@data-runner="stopped"]').isExisting()), { timeout: 10000, timeoutMsg: "the stopped pair is not shown as stopped" });
    });

    await step("every screen at 1024×640 and 1920×1080, light and dark, English and Chinese: no page or table scrolls sideways, no clipped button", async () => {
      await tour();
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

    await step("SIGTERM (a logout, a service manager): the app pauses its running task, resumable, and stops the sandbox before it exits", async () => {
      await (await browser.$('[data-testid="sandbox-start"]')).click();
      await browser.$('[data-testid="sandbox-ready"]').waitForDisplayed({ timeout: 30000 });
      const port = Number(/:(\d+)/.exec(await text('[data-testid="sandbox-source"]'))?.[1]);
      // The app's own process (the WebDriver launched it from the binary's path).
      const pid = Number(execFileSync("pgrep", ["-o", "-f", `^${binary}`]).toString().trim());
      process.kill(pid, "SIGTERM");
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await until("the app to exit after SIGTERM", async () => !alive(), 30000);
      if (await portOpen(port)) throw new Error("the sandbox's source still runs after SIGTERM");
      if (fs.existsSync(path.join(dataDir, "sandbox"))) throw new Error("the sandbox's files are still there after SIGTERM");
      // The task the app was running (resumed earlier from the list) is interrupted, and says why.
      const cli = path.join(repo, "target/debug/ferry");
      const tasks = JSON.parse(execFileSync(cli, ["tasks", "list", "--json"], { env: { ...process.env, FERRY_DATA_DIR: dataDir } }).toString());
      const task = tasks.find((t) => t.spec.name === "e2e-resume");
      if (task?.status !== "interrupted" || task.reason?.code !== "task.interrupted.quit") throw new Error(`after SIGTERM the running task is ${JSON.stringify(task && { status: task.status, reason: task.reason })}`);
      browser = undefined; // its session died with the app
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

/** The screens the tour visits: the nav item and what shows once it is there. */
const TOUR = [
  { name: "tasks", nav: "tasks", ready: '[data-testid="tasks-screen"]' },
  { name: "task", nav: "tasks", open: '[data-testid="view-1"]', ready: '[data-testid="task-detail-screen"]' },
  { name: "new-task", nav: "tasks", open: '[data-testid="new-task"]', ready: '[data-testid="field-name"]' },
  { name: "instances", nav: "instances", ready: '[data-testid="instances-screen"]' },
  { name: "standby", nav: "standby", ready: '[data-testid="standby-screen"]' },
  { name: "sandbox", nav: "sandbox", ready: '[data-testid="sandbox-ready"]' },
  { name: "settings", nav: "settings", ready: '[data-testid="settings-screen"]' },
];

/** What overflows on the page now: the page or a table scrolling sideways, or a button, tag or menu
 * item whose text does not fit in it or that does not fit in its table cell. (The steps' titles are left to the eye: their connecting line is a
 * pseudo-element as wide as the row, which counts in their scroll width.) */
function overflows() {
  return browser.execute(() => {
    const found = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) found.push(`the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
    for (const t of document.querySelectorAll(".t-table__content")) {
      if (t.scrollWidth > t.clientWidth + 1) found.push(`a table scrolls sideways (${t.scrollWidth}px in ${t.clientWidth}px): ${t.querySelector("thead")?.textContent?.slice(0, 60)}`);
    }
    for (const el of document.querySelectorAll(".t-button__text, .t-tag, .t-menu__item, .t-radio-button__label")) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && el.scrollWidth > el.clientWidth + 1 && !el.closest(".t-text-ellipsis")) found.push(`clipped: "${el.textContent?.trim()}" (${el.scrollWidth}px in ${el.clientWidth}px)`);
      // A tag or button wider than its table cell is cut off by the cell.
      const cell = el.closest("td");
      if (cell && box.width > 0 && box.right > cell.getBoundingClientRect().right + 1) found.push(`cut by its cell: "${el.textContent?.trim()}"`);
    }
    return found;
  });
}

/** Every screen at both sizes, in both themes and languages, shot and checked for overflow. */
async function tour() {
  const problems = [];
  const before = await browser.getWindowRect();
  for (const [width, height] of [[1024, 640], [1920, 1080]]) {
    await browser.setWindowRect(0, 0, width, height);
    await browser.waitUntil(async () => (await browser.execute(() => window.innerWidth)) === width, { timeout: 5000, timeoutMsg: `the window is not ${width}px wide` });
    for (const theme of ["light", "dark"]) {
      await (await browser.$('[data-testid="nav-settings"]')).click();
      await (await browser.$(`[data-testid="theme-${theme}"]`)).click();
      for (const lang of ["en", "zh"]) {
        await (await browser.$(`[data-testid="lang-${lang}"]`)).click();
        for (const screen of TOUR) {
          await (await browser.$(`[data-testid="nav-${screen.nav}"]`)).click();
          if (screen.open) await (await browser.$(screen.open)).click();
          await browser.$(screen.ready).waitForDisplayed({ timeout: 5000 });
          const name = `${width}x${height}-${theme}-${lang}-${screen.name}`;
          await shot(`tour/${name}`);
          for (const p of await overflows()) problems.push(`${name}: ${p}`);
        }
      }
    }
  }
  await browser.setWindowRect(0, 0, before.width, before.height);
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$('[data-testid="theme-light"]')).click();
  await (await browser.$('[data-testid="lang-en"]')).click();
  if (problems.length) throw new Error(`${problems.length} overflow(s):\n    ${problems.join("\n    ")}`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  if (!results.some((r) => !r.ok)) console.log(`  ✗ setup: ${e instanceof Error ? e.message : e}`);
  h.printLogs();
} finally {
  await h.cleanup();
  clearTimeout(watchdog);
}
const passed = results.filter((r) => r.ok).length;
const failedCount = results.length - passed + (failed && results.every((r) => r.ok) ? 1 : 0);
console.log(`e2e: ${passed} passed, ${failedCount} failed (${((Date.now() - started) / 1000).toFixed(1)}s); screenshots in ui/e2e/screenshots/`);
process.exit(failed ? 1 : 0);
