import { setFlagsFromString } from 'node:v8';

/**
 * A host's memory stays within its budget (DESIGN.md section 9) only if the JavaScript heap does not run
 * far ahead of what is live. By default V8 lets the old generation grow to several times the live data
 * after each full collection, which for a process that streams millions of short-lived objects means
 * hundreds of megabytes of garbage held between collections. A growing factor of 1.6 keeps the heap
 * near its live size, at no measurable cost in time (docs/BENCHMARKS.md).
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=60');
}
