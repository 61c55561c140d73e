#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// The package's command: the compiled CLI (`npm run build` makes dist/).
//
// The first line starts Node with what keeps a host within its memory budget (DESIGN.md section 9); both
// take effect only when the process starts. V8's default young generation (16 MB semi-spaces) and glibc's
// malloc arenas (up to eight per core, one per busy thread) each add tens of megabytes of resident memory
// to a host that streams a large message through two threads, and neither made it faster
// (docs/BENCHMARKS.md, seventh pass).
import '../dist/cli/main.js';
