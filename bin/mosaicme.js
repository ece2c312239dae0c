#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node
// The built CLI (npm run build, which `npm ci` runs through `prepare`). The tunable gives large
// allocations transparent huge pages: an 8000 px canvas then faults in 96 pages instead of 47,000
// (see src/adapters/prefault.ts); other C libraries and kernels without THP ignore it.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
