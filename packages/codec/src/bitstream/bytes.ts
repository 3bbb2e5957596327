import { BitstreamError } from './errors.ts';

/** Growable little-endian byte writer with LEB128 varints. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  /** Appends `size` bytes that `write` puts at `offset` of a view over the buffer. */
  private fixed(size: number, write: (view: DataView, offset: number) => void): this {
    this.reserve(size);
    write(new DataView(this.buffer.buffer), this.length);
    this.length += size;
    return this;
  }

  u16(value: number): this {
    return this.fixed(2, (view, offset) => view.setUint16(offset, value, true));
  }

  u32(value: number): this {
    return this.fixed(4, (view, offset) => view.setUint32(offset, value >>> 0, true));
  }

  f64(value: number): this {
    return this.fixed(8, (view, offset) => view.setFloat64(offset, value, true));
  }

  /** Unsigned LEB128, for integers up to 2^53. */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    return this.u8(rest);
  }

  /** Zig-zag signed varint. */
  svarint(value: number): this {
    return this.varint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Length-prefixed bytes. */
  blob(data: Uint8Array): this {
    return this.varint(data.length).bytes(data);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Bounds-checked reader: every read past the end throws a BitstreamError('TRUNCATED'). */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly context: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  private need(count: number): void {
    if (count > this.remaining) throw new BitstreamError('TRUNCATED', `${this.context}: needs ${count} bytes at offset ${this.offset}, ${this.remaining} left`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.offset++] ?? 0;
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** Unsigned LEB128, at most `max` (and at most 2^53 - 1). */
  varint(max: number, what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i += 1) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (value > max) throw new BitstreamError('OUT_OF_BOUNDS', `${this.context}: ${what} exceeds ${max}`);
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new BitstreamError('OUT_OF_BOUNDS', `${this.context}: ${what} varint is too long`);
  }

  svarint(maxMagnitude: number, what: string): number {
    const raw = this.varint(2 * maxMagnitude + 1, what);
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  bytes(count: number): Uint8Array {
    this.need(count);
    const out = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** Length-prefixed bytes; the length is checked against what is left before anything is read. */
  blob(what: string): Uint8Array {
    const length = this.varint(this.remaining, `${what} length`);
    return this.bytes(length);
  }

  expectEnd(): void {
    if (this.remaining !== 0) throw new BitstreamError('TRAILING_DATA', `${this.context}: ${this.remaining} unexpected bytes at the end`);
  }
}
