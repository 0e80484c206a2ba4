#!/usr/bin/env node
// Runs the TypeScript command line through tsx (a dependency of the kit's own scripts).
require('tsx/cjs');
process.exitCode = require('../cli/celerykit.ts').run(process.argv.slice(2), (l) => console.log(l), (l) => console.error(l));
