/**
 * The frames of Feishu/Lark's long connection, written and read by hand (a
 * fake platform speaks the protocol itself rather than borrow the client's
 * code). Each WebSocket binary message is one protobuf `Frame`:
 *
 *   1 SeqID   uint64   (required)      5 headers  repeated Header { 1 key string, 2 value string }
 *   2 LogID   uint64   (required)      6 payloadEncoding string
 *   3 service int32    (required)      7 payloadType     string
 *   4 method  int32    (required)      8 payload         bytes
 *                                      9 LogIDNew        string
 *
 * method 0 is a control frame (headers type=ping / pong; a pong's payload is
 * the client config as JSON), method 1 a data frame (type=event: the payload
 * is the event's JSON; message_id, sum and seq let a large event come in
 * parts; the client answers with the same frame, its payload replaced by
 * `{"code":200}` — or 500 — and, for a callback, `data`: the handler's
 * answer as base64 JSON).
 */

export const CONTROL = 0;
export const DATA = 1;

export interface Frame {
  seqId: bigint;
  logId: bigint;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const tag = (field: number, wireType: number) => varint(BigInt((field << 3) | wireType));

function bytesField(field: number, bytes: Uint8Array): number[] {
  return [...tag(field, 2), ...varint(BigInt(bytes.length)), ...bytes];
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export function encodeFrame(frame: Frame): Uint8Array {
  const out: number[] = [
    ...tag(1, 0),
    ...varint(frame.seqId),
    ...tag(2, 0),
    ...varint(frame.logId),
    ...tag(3, 0),
    ...varint(BigInt(frame.service)),
    ...tag(4, 0),
    ...varint(BigInt(frame.method)),
  ];
  for (const header of frame.headers) out.push(...bytesField(5, new Uint8Array([...bytesField(1, utf8(header.key)), ...bytesField(2, utf8(header.value))])));
  if (frame.payload) out.push(...bytesField(8, frame.payload));
  return new Uint8Array(out);
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  slice(): Uint8Array {
    const length = Number(this.varint());
    const out = this.bytes.subarray(this.pos, this.pos + length);
    if (out.length !== length) throw new Error('truncated field');
    this.pos += length;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.slice();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`wire type ${wireType} is not used by frames`);
  }
}

function decodeHeader(bytes: Uint8Array): { key: string; value: string } {
  const reader = new Reader(bytes);
  const header = { key: '', value: '' };
  while (!reader.done) {
    const key = Number(reader.varint());
    if (key >> 3 === 1 && (key & 7) === 2) header.key = new TextDecoder().decode(reader.slice());
    else if (key >> 3 === 2 && (key & 7) === 2) header.value = new TextDecoder().decode(reader.slice());
    else reader.skip(key & 7);
  }
  return header;
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const reader = new Reader(bytes);
  const frame: Partial<Frame> & { headers: Frame['headers'] } = { headers: [] };
  while (!reader.done) {
    const key = Number(reader.varint());
    const field = key >> 3;
    const wireType = key & 7;
    if (field === 1 && wireType === 0) frame.seqId = reader.varint();
    else if (field === 2 && wireType === 0) frame.logId = reader.varint();
    else if (field === 3 && wireType === 0) frame.service = Number(reader.varint());
    else if (field === 4 && wireType === 0) frame.method = Number(reader.varint());
    else if (field === 5 && wireType === 2) frame.headers.push(decodeHeader(reader.slice()));
    else if (field === 8 && wireType === 2) frame.payload = reader.slice();
    else reader.skip(wireType);
  }
  if (frame.seqId === undefined || frame.logId === undefined || frame.service === undefined || frame.method === undefined) throw new Error('a frame lacks a required field');
  return frame as Frame;
}

export function headerOf(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
