import { deflateSync, inflateSync } from 'node:zlib';

/**
 * A picture as a PDF image XObject: its pixel size, the dictionary entries that describe its
 * bytes (without /Length) and the bytes themselves, plus an alpha mask for PNGs that have one.
 */
export interface PdfImage {
  width: number;
  height: number;
  dict: string;
  data: Uint8Array;
  mask?: { dict: string; data: Uint8Array };
}

/**
 * JPEG and PNG as PDF can draw them, or null for anything else (the export then keeps the
 * attachment's name line only). The bytes are checked here, not trusted from the MIME type: a
 * picture is whatever a colleague sent, and a malformed one must not produce a broken record.
 */
export function pdfImage(bytes: Uint8Array): PdfImage | null {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpeg(bytes);
    if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return png(bytes);
  } catch {
    // A truncated or inconsistent file: treated like any other picture we cannot embed.
  }
  return null;
}

/** Start-of-frame markers (baseline, extended, progressive, lossless; not DHT, JPG or DAC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** PDF decodes JPEG itself (DCTDecode): only the size and colour components are read here. */
function jpeg(bytes: Uint8Array): PdfImage | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (SOF.has(marker)) {
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      const components = bytes[at + 9];
      // CMYK JPEGs are stored inverted by most writers, with no reliable way to tell: left out.
      const space = components === 1 ? '/DeviceGray' : components === 3 ? '/DeviceRGB' : null;
      if (!space || width === 0 || height === 0) return null;
      return { width, height, data: bytes, dict: `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace ${space} /BitsPerComponent 8 /Filter /DCTDecode` };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    at += 2 + length;
  }
  return null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * PNG's compressed data is a zlib stream PDF can read as it is (FlateDecode with the PNG
 * predictors), for grey, RGB and palette images. With an alpha channel, the rows are unfiltered
 * here and split into colour and a soft mask. 8 bits per sample, not interlaced; else null.
 */
function png(bytes: Uint8Array): PdfImage | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | null = null;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length) return null;
    if (type === 'IHDR') header = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), depth: body[8]!, colour: body[9]!, interlace: body[12]! };
    else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header || header.depth !== 8 || header.interlace !== 0 || idat.length === 0 || header.width === 0 || header.height === 0) return null;
  const { width, height, colour } = header;
  const zlib = Buffer.concat(idat);
  const image = `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /BitsPerComponent 8`;
  const predictor = (colours: number) => `/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors ${colours} /BitsPerComponent 8 /Columns ${width} >>`;
  if (colour === 0) return { width, height, data: zlib, dict: `${image} /ColorSpace /DeviceGray ${predictor(1)}` };
  if (colour === 2) return { width, height, data: zlib, dict: `${image} /ColorSpace /DeviceRGB ${predictor(3)}` };
  if (colour === 3) {
    if (!palette || palette.length % 3 !== 0) return null;
    const hex = Buffer.from(palette).toString('hex');
    return { width, height, data: zlib, dict: `${image} /ColorSpace [/Indexed /DeviceRGB ${palette.length / 3 - 1} <${hex}>] ${predictor(1)}` };
  }
  if (colour !== 4 && colour !== 6) return null;
  const channels = colour === 6 ? 4 : 2;
  const pixels = unfilter(inflateSync(zlib), width, height, channels);
  const colours = channels - 1;
  const colourBytes = new Uint8Array(width * height * colours);
  const alpha = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < colours; c++) colourBytes[p * colours + c] = pixels[p * channels + c]!;
    alpha[p] = pixels[p * channels + colours]!;
  }
  return {
    width,
    height,
    data: deflateSync(colourBytes),
    dict: `${image} /ColorSpace ${colours === 3 ? '/DeviceRGB' : '/DeviceGray'} /Filter /FlateDecode`,
    mask: { data: deflateSync(alpha), dict: `${image} /ColorSpace /DeviceGray /Filter /FlateDecode` },
  };
}

/** Undoes PNG's per-row filters (None, Sub, Up, Average, Paeth) for 8-bit samples. */
function unfilter(filtered: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  if (filtered.length < (stride + 1) * height) throw new Error('PNG data is shorter than its header says');
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? out[row + x - channels]! : 0;
      const up = y > 0 ? out[row - stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? out[row - stride + x - channels]! : 0;
      const raw = filtered[src + x]!;
      let value: number;
      if (type === 0) value = raw;
      else if (type === 1) value = raw + left;
      else if (type === 2) value = raw + up;
      else if (type === 3) value = raw + ((left + up) >> 1);
      else if (type === 4) value = raw + paeth(left, up, upLeft);
      else throw new Error(`unknown PNG filter ${type}`);
      out[row + x] = value & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
