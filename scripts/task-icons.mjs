// Draws the 32×32 icon of each Azure DevOps task (icon.png beside its task.json; the root task's is
// images/task-icon.png) in the style of the extension icon: a rounded square in the task's colour with a
// white sign. Run it when a task is added; the PNGs are committed.
//
//   node scripts/task-icons.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 32;
const SAMPLES = 4; // per axis: edges are anti-aliased

const seg = (x, y, ax, ay, bx, by, w) => {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) <= w / 2;
};
const dot = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) <= r;
const box = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** Each task: its colour and its sign, in a 32×32 frame. */
export const ICONS = {
  'packages/determine-environment/icon.png': {
    // A fork: one way in, two ways out.
    colour: [0x25, 0x63, 0xeb],
    sign: (x, y) =>
      seg(x, y, 8, 16, 15, 16, 3) ||
      seg(x, y, 15, 16, 23, 9, 3) ||
      seg(x, y, 15, 16, 23, 23, 3) ||
      dot(x, y, 8, 16, 3) ||
      dot(x, y, 23, 9, 3) ||
      dot(x, y, 23, 23, 3),
  },
  'packages/terraform-run/icon.png': {
    // Terraform's blocks.
    colour: [0x7b, 0x42, 0xbc],
    sign: (x, y) =>
      box(x, y, 7, 7, 13, 14) ||
      box(x, y, 15, 10, 21, 17) ||
      box(x, y, 15, 19, 21, 26) ||
      box(x, y, 23, 14, 26, 21),
  },
  'packages/check-previous-env/icon.png': {
    // A check mark: the previous environment succeeded.
    colour: [0x16, 0xa3, 0x4a],
    sign: (x, y) => seg(x, y, 8, 16.5, 13.5, 22, 4) || seg(x, y, 13.5, 22, 24, 10, 4),
  },
  'packages/promote-tag/icon.png': {
    // An arrow up and on: to the next environment.
    colour: [0xea, 0x58, 0x0c],
    sign: (x, y) =>
      seg(x, y, 9, 23, 22, 10, 4) || seg(x, y, 13, 9.5, 22.5, 9.5, 4) || seg(x, y, 22.5, 9.5, 22.5, 19, 4),
  },
  'packages/render-manifests/icon.png': {
    // Stacked manifests.
    colour: [0x0d, 0x94, 0x88],
    sign: (x, y) => box(x, y, 8, 8, 24, 11) || box(x, y, 8, 14.5, 24, 17.5) || box(x, y, 8, 21, 24, 24),
  },
  'packages/promotion-board/icon.png': {
    // A board: three columns of cards, the environments side by side.
    colour: [0x47, 0x55, 0x69],
    sign: (x, y) => box(x, y, 7, 8, 11, 24) || box(x, y, 14, 8, 18, 19) || box(x, y, 21, 8, 25, 14),
  },
  'images/task-icon.png': {
    // The whole flow, as on the extension icon: three stations, the last one green.
    colour: [0x25, 0x63, 0xeb],
    sign: (x, y) =>
      seg(x, y, 6, 16, 26, 16, 2.5) ||
      dot(x, y, 6.5, 16, 3.5) ||
      dot(x, y, 16, 16, 3.5) ||
      dot(x, y, 25.5, 16, 3.5),
    accent: { colour: [0x16, 0xa3, 0x4a], area: (x, y) => dot(x, y, 25.5, 16, 2) },
  },
};

const inSquare = (x, y) => {
  const r = 6;
  const cx = Math.min(Math.max(x, 1 + r), SIZE - 1 - r);
  const cy = Math.min(Math.max(y, 1 + r), SIZE - 1 - r);
  return Math.hypot(x - cx, y - cy) <= r;
};

function pixels({ colour, sign, accent }) {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++)
    for (let px = 0; px < SIZE; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++)
        for (let sx = 0; sx < SAMPLES; sx++) {
          const [x, y] = [px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES];
          if (!inSquare(x, y)) continue;
          const c = accent?.area(x, y) ? accent.colour : sign(x, y) ? [255, 255, 255] : colour;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      const i = (py * SIZE + px) * 4;
      const n = SAMPLES * SAMPLES;
      if (a)
        rgba.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((255 * a) / n)], i);
    }
  return rgba;
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function png(rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) rgba.copy(rows, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [file, icon] of Object.entries(ICONS)) {
  writeFileSync(join(root, file), png(pixels(icon)));
  console.log(`wrote ${file}`);
}
