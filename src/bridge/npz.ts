/**
 * NumPy `.npz` archives (`np.savez(file, **{k: v.numpy() for k, v in model.state_dict().items()})`): a zip of
 * `.npy` members, stored or deflated, with or without zip64 records. Every offset is checked against the file,
 * so a truncated or hostile archive is an Error naming the archive and the member, never a crash.
 */
import * as zlib from 'node:zlib';
import type * as torch from '../engine';
import { decodeNpy } from '../data/npy';

/** A member larger than this once inflated is refused. */
export const MAX_NPZ_MEMBER_BYTES = 1 << 30;

interface Member {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

/** The end-of-central-directory record: where the directory is and how many entries it has. */
function findDirectory(buf: Uint8Array, file: string): { count: number; offset: number } {
  const minEnd = Math.max(0, buf.byteLength - 22 - 0xffff);
  for (let i = buf.byteLength - 22; i >= minEnd; i--) {
    if (u32(buf, i) !== 0x06054b50) continue;
    let count = u16(buf, i + 10);
    let offset = u32(buf, i + 16);
    // A zip64 end record comes before, found through its locator (20 bytes before this record).
    const loc = i - 20;
    if (loc >= 0 && u32(buf, loc) === 0x07064b50) {
      const rec = u64(buf, loc + 8);
      if (rec + 56 > buf.byteLength || u32(buf, rec) !== 0x06064b50) throw new Error(`${file}: broken zip64 end-of-directory record`);
      count = u64(buf, rec + 32);
      offset = u64(buf, rec + 48);
    }
    if (offset > buf.byteLength) throw new Error(`${file}: the zip directory offset ${offset} is past the end of the file (${buf.byteLength} bytes)`);
    return { count, offset };
  }
  throw new Error(`${file}: not a .npz (zip) archive: no end-of-directory record`);
}

function readMembers(buf: Uint8Array, file: string): Member[] {
  const { count, offset } = findDirectory(buf, file);
  const members: Member[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.byteLength || u32(buf, p) !== 0x02014b50) throw new Error(`${file}: zip directory entry ${k} is truncated or corrupt`);
    const nameLen = u16(buf, p + 28);
    const extraLen = u16(buf, p + 30);
    const commentLen = u16(buf, p + 32);
    if (p + 46 + nameLen + extraLen > buf.byteLength) throw new Error(`${file}: zip directory entry ${k} runs past the end of the file`);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    const m: Member = { name, method: u16(buf, p + 10), compressedSize: u32(buf, p + 20), size: u32(buf, p + 24), localOffset: u32(buf, p + 42) };
    // zip64 extra field: the 8-byte values of the fields that hold 0xffffffff, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = u16(buf, e);
      const len = u16(buf, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (m.size === 0xffffffff) {
          m.size = u64(buf, q);
          q += 8;
        }
        if (m.compressedSize === 0xffffffff) {
          m.compressedSize = u64(buf, q);
          q += 8;
        }
        if (m.localOffset === 0xffffffff) m.localOffset = u64(buf, q);
      }
      e += 4 + len;
    }
    members.push(m);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}

function memberData(buf: Uint8Array, m: Member, file: string): Uint8Array {
  const where = `${file}: member "${m.name}"`;
  const h = m.localOffset;
  if (h + 30 > buf.byteLength || u32(buf, h) !== 0x04034b50) throw new Error(`${where}: local header missing or corrupt`);
  const start = h + 30 + u16(buf, h + 26) + u16(buf, h + 28);
  const end = start + m.compressedSize;
  if (end > buf.byteLength) throw new Error(`${where}: data runs past the end of the archive (truncated file?)`);
  const raw = buf.subarray(start, end);
  if (m.method === 0) return raw;
  if (m.method !== 8) throw new Error(`${where}: compression method ${m.method} is not supported (stored or deflate only)`);
  if (m.size > MAX_NPZ_MEMBER_BYTES) throw new Error(`${where}: inflates to ${m.size} bytes: refused`);
  try {
    return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
  } catch (e) {
    throw new Error(`${where}: corrupt deflate data (${(e as Error).message})`);
  }
}

/** The arrays of an .npz held in memory, by name (the member name without `.npy`), in archive order. */
export function decodeNpz(buf: Uint8Array, file = 'arrays.npz'): Map<string, torch.Tensor> {
  const out = new Map<string, torch.Tensor>();
  for (const m of readMembers(buf, file)) {
    if (m.name.endsWith('/')) continue;
    if (!m.name.endsWith('.npy')) throw new Error(`${file}: member "${m.name}" is not a .npy array`);
    const key = m.name.slice(0, -4);
    if (out.has(key)) throw new Error(`${file}: the array "${key}" appears twice`);
    out.set(key, decodeNpy(memberData(buf, m, file), `${file}: ${m.name}`));
  }
  return out;
}
