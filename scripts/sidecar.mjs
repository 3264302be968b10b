// Builds the headless CLI `ferry` in release and puts it where Tauri's bundler takes sidecars from
// (`bundle > externalBin` in src-tauri/tauri.bundle.conf.json): src-tauri/binaries/ferry-<target
// triple>[.exe]. The installers then ship it next to the desktop binary (/usr/bin/ferry in the .deb
// and .rpm). Node rather than bash so that the release workflow runs it on Windows too.
//
// Usage: node scripts/sidecar.mjs [--target TRIPLE]   (default: the host's triple)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const i = process.argv.indexOf("--target");
const target = i > 0 ? process.argv[i + 1] : undefined;
const host = /^host: (.+)$/m.exec(execFileSync("rustc", ["-vV"], { encoding: "utf8" }))[1];
const triple = target ?? host;
const exe = triple.includes("windows") ? ".exe" : "";

const args = ["build", "--release", "--locked", "--bin", "ferry"];
if (target) args.push("--target", target);
execFileSync("cargo", args, { cwd: repo, stdio: "inherit" });

const built = path.join(repo, "target", ...(target ? [target] : []), "release", `ferry${exe}`);
const dest = path.join(repo, "src-tauri", "binaries", `ferry-${triple}${exe}`);
fs.mkdirSync(path.dirname(dest), { recursive: true });
fs.copyFileSync(built, dest);
console.log(`sidecar: ${path.relative(repo, dest)}`);
