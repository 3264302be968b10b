// What the desktop app's end-to-end test and measurements share: real redis-server processes on
// free loopback ports, a private Xvfb display, tauri-driver + WebKitWebDriver, and the app's
// standalone binary in a WebDriver session. Everything started is killed by `cleanup()`.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { remote } from "webdriverio";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until `probe()` resolves true, or throws after `ms`. */
export async function until(what, probe, ms = 15000) {
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

export function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("error", () => resolve(false));
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
  });
}

/** Sends one command (RESP array of bulk strings) and resolves with the first reply line. */
export function redisCmd(port, ...args) {
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

export class Harness {
  constructor() {
    this.children = [];
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ferry-e2e-"));
    this.dataDir = path.join(this.tmp, "data");
    fs.mkdirSync(this.dataDir);
    this.display = undefined;
    this.browser = undefined;
    // However this process ends (an uncaught error, a closed stdout), take the servers, the display
    // and the app down with it: kill() is synchronous, so it works in an exit handler.
    process.once("exit", () => {
      this.kill();
      try {
        fs.rmSync(this.tmp, { recursive: true, force: true });
      } catch {
        /* a server still writing its log: left in the temp dir */
      }
    });
  }

  kill() {
    for (const c of [...this.children].reverse()) {
      try {
        if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      } catch {
        /* already gone */
      }
    }
  }

  start(cmd, args, opts = {}, logName = path.basename(cmd)) {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    const log = fs.createWriteStream(path.join(this.tmp, `${logName}.log`));
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.children.push(child);
    return child;
  }

  /** Starts a redis-server on a free port, logging to `<name>.log`; resolves with its port. */
  async redis(name, extra = []) {
    const port = await freePort();
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", this.tmp, "--logfile", path.join(this.tmp, `${name}.log`), ...extra];
    this.start("redis-server", args, {}, `${name}-stdout`);
    await until(`redis-server (${name})`, async () => (await redisCmd(port, "PING")) === "PONG");
    return port;
  }

  /** Compiles the zh_CN.UTF-8 locale into the run's directory; returns the directory for LOCPATH. */
  locales() {
    const dir = path.join(this.tmp, "locales");
    fs.mkdirSync(dir, { recursive: true });
    const result = spawnSync("localedef", ["-i", "zh_CN", "-f", "UTF-8", path.join(dir, "zh_CN.UTF-8")], { timeout: 60000 });
    // localedef exits 1 on mere warnings; what matters is that the locale is there.
    if (!fs.existsSync(path.join(dir, "zh_CN.UTF-8", "LC_CTYPE"))) {
      throw new Error(`cannot compile the zh_CN.UTF-8 locale (Debian/Ubuntu: sudo apt-get install locales): ${result.stderr}`);
    }
    return dir;
  }

  /** Xvfb on a display of our own, then tauri-driver; resolves with the driver's port. */
  async driver() {
    let display = 90 + (process.pid % 100);
    while (fs.existsSync(`/tmp/.X11-unix/X${display}`) || fs.existsSync(`/tmp/.X${display}-lock`)) display++;
    this.display = display;
    // Room for the largest window size the tour takes (1920×1080); shots are cut to the window.
    this.start("Xvfb", [`:${display}`, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"]);
    await until("Xvfb", () => fs.existsSync(`/tmp/.X11-unix/X${display}`));
    const driverPort = await freePort();
    const nativePort = await freePort();
    const env = {
      ...process.env,
      DISPLAY: `:${display}`,
      FERRY_DATA_DIR: this.dataDir,
      // A Chinese desktop: the first launch must open in Chinese (the test then picks English).
      // WebKit takes the page's language from the C library's locale, so the locale must exist: it
      // is compiled into the run's own directory (LOCPATH), no system change needed.
      LANG: "zh_CN.UTF-8",
      LOCPATH: this.locales(),
      // GTK's own input handling: under zh_CN it would pick XIM, where the driver's shifted keys
      // (":") arrive unshifted.
      GTK_IM_MODULE: "gtk-im-context-simple",
      // Fonts matched as before (fontconfig would otherwise prefer the zh_CN locale's fonts, whose
      // metrics here set text off-centre in buttons and inputs).
      FC_LANG: "en",
      // The webview's storage (the language and theme chosen) fresh for each run, as on a first
      // launch, instead of the user's own.
      XDG_DATA_HOME: path.join(this.tmp, "xdg-data"),
      XDG_CONFIG_HOME: path.join(this.tmp, "xdg-config"),
      XDG_CACHE_HOME: path.join(this.tmp, "xdg-cache"),
      // No GPU under Xvfb.
      WEBKIT_DISABLE_DMABUF_RENDERER: "1",
      LIBGL_ALWAYS_SOFTWARE: "1",
    };
    this.start("tauri-driver", ["--port", String(driverPort), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], { env });
    await until("tauri-driver", () => portOpen(driverPort));
    // tauri-driver forwards to WebKitWebDriver, which it starts itself: a session asked for before
    // that one listens makes tauri-driver drop the connection.
    await until("WebKitWebDriver", () => portOpen(nativePort));
    return driverPort;
  }

  /** A WebDriver session: tauri-driver launches the app binary for it. */
  async session(driverPort, binary) {
    this.browser = await remote({
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
    await this.browser.setTimeout({ implicit: 0 });
    return this.browser;
  }

  /** Grabs the app's window from the screen (WebKitWebDriver's screenshot endpoint hangs under Xvfb). */
  async shot(file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await new Promise((r) => setTimeout(r, 300)); // let transitions settle
    const { x, y, width, height } = await this.browser.getWindowRect();
    const crop = `${width}x${height}+${Math.max(0, x)}+${Math.max(0, y)}`;
    const result = spawnSync("import", ["-display", `:${this.display}`, "-window", "root", "-crop", crop, "+repage", file], { timeout: 15000 });
    if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
  }

  /** The last lines of every log, a panic's message first. */
  printLogs() {
    for (const f of fs.readdirSync(this.tmp).filter((f) => f.endsWith(".log"))) {
      const lines = fs.readFileSync(path.join(this.tmp, f), "utf8").trim().split("\n");
      // A panic's message comes before its (long) backtrace: show it first.
      const panic = lines.findIndex((l) => l.includes("panicked at"));
      if (panic >= 0) console.log(`--- ${f} (panic)\n${lines.slice(panic, panic + 4).join("\n")}`);
      const log = lines.slice(-60).join("\n");
      if (log) console.log(`--- ${f} (last lines)\n${log}`);
    }
  }

  async cleanup() {
    if (this.browser) await this.browser.deleteSession().catch(() => {});
    this.kill();
    // Servers write their last log lines as they stop: remove the directory after they have.
    const exited = (c) => c.exitCode !== null || c.signalCode !== null;
    await Promise.all(this.children.filter((c) => !exited(c)).map((c) => new Promise((r) => (c.once("exit", r), setTimeout(r, 5000)))));
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
