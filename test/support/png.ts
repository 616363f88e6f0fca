import { inflateSync } from 'node:zlib';

export interface Png {
  width: number;
  height: number;
  /** RGB(A) bytes per pixel. */
  channels: number;
  /** The pixel at (x, y) as [r, g, b]. */
  pixel(x: number, y: number): [number, number, number];
}

const CHANNELS: Record<number, number> = { 2: 3, 6: 4 };

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium writes), enough to look at its pixels. */
export function decodePng(data: Buffer): Png {
  if (data.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < data.length) {
    const length = data.readUInt32BE(at);
    const type = data.subarray(at + 4, at + 8).toString('latin1');
    const body = data.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      channels = CHANNELS[body[9]!] ?? 0;
      if (body[8] !== 8 || !channels || body[12] !== 0)
        throw new Error('only 8-bit RGB(A) non-interlaced PNGs');
    }
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) unfilter(raw, out, y, stride, channels);
  return {
    width,
    height,
    channels,
    pixel: (x, y) => {
      const i = y * stride + x * channels;
      return [out[i]!, out[i + 1]!, out[i + 2]!];
    },
  };
}

function unfilter(raw: Buffer, out: Buffer, y: number, stride: number, bpp: number): void {
  const filter = raw[y * (stride + 1)]!;
  const src = y * (stride + 1) + 1;
  const row = y * stride;
  for (let i = 0; i < stride; i++) {
    const a = i >= bpp ? out[row + i - bpp]! : 0;
    const b = y > 0 ? out[row - stride + i]! : 0;
    const c = i >= bpp && y > 0 ? out[row - stride + i - bpp]! : 0;
    let pred = 0;
    if (filter === 1) pred = a;
    else if (filter === 2) pred = b;
    else if (filter === 3) pred = (a + b) >> 1;
    else if (filter === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out[row + i] = (raw[src + i]! + pred) & 0xff;
  }
}
