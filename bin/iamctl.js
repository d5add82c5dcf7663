#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm run build puts it in dist/). Kept in plain JS so `npm run iamctl` and the package bin need no ts runtime.
const { join } = require('node:path');
const { existsSync } = require('node:fs');

const entry = join(__dirname, '..', 'dist', 'apps', 'iamctl', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('iamctl is not built yet: run `npm run build` (or `npm start`, which builds) first.\n');
  process.exit(1);
}
require(entry);
