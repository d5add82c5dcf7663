#!/usr/bin/env node
'use strict';
// The scripted scenario of `npm run demo` (apps/iamctl/src/demo/), run against a stack started with `npm start`.
const { join } = require('node:path');
const { existsSync } = require('node:fs');

const entry = join(__dirname, '..', 'dist', 'apps', 'iamctl', 'src', 'demo', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('The demo is not built yet: run `npm start` (it builds and starts the stack) in another terminal first.\n');
  process.exit(1);
}
require(entry);
