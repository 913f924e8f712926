#!/usr/bin/env node
// A `solc` executable backed by the npm solc package (solc-js), for py-solc-x.
// Answers `--version` like native solc and compiles `--standard-json` from stdin, resolving
// imports from the filesystem (relative to --base-path and the --allow-paths given).
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require(path.join(__dirname, "node_modules", "solc"));

const args = process.argv.slice(2);
const version = solc.version().replace(/\.Emscripten.*$/, "");

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : null;
}

if (args.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${version}.Linux.solcjs\n`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write("solc-shim: only --version and --standard-json are supported\n");
  process.exit(2);
}

const roots = [option("--base-path") || process.cwd()];
const allow = option("--allow-paths");
if (allow) roots.push(...allow.split(","));

function findImports(importPath) {
  for (const root of roots) {
    const candidate = path.resolve(root, importPath);
    if (!roots.some((r) => candidate.startsWith(path.resolve(r)))) continue;
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
