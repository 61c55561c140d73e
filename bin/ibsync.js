#!/usr/bin/env node
// The package's command: the compiled CLI (`npm run build` makes dist/).
import '../dist/cli/main.js';
