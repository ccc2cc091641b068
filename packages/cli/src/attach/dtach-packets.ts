/**
 * dtach's client-to-master protocol: fixed 10-byte packets (a type, a
 * length, and 8 bytes of data or a `struct winsize`), native byte order.
 * The master's answer is the raw output of the pseudo-terminal.
 */

const MSG_PUSH = 0;
const MSG_ATTACH = 1;
const MSG_WINCH = 3;
const MSG_REDRAW = 4;
/** dtach's redraw methods: make the program redraw by SIGWINCH. */
const REDRAW_WINCH = 3;
const PAYLOAD = 8;

function packet(type: number, len: number, payload?: Buffer): Buffer {
  const p = Buffer.alloc(2 + PAYLOAD);
  p[0] = type;
  p[1] = len;
  payload?.copy(p, 2, 0, PAYLOAD);
  return p;
}

function winsize(rows: number, cols: number): Buffer {
  const ws = Buffer.alloc(PAYLOAD);
  ws.writeUInt16LE(rows, 0);
  ws.writeUInt16LE(cols, 2);
  return ws;
}

export function attachPacket(): Buffer {
  return packet(MSG_ATTACH, 0);
}

/** Resize the terminal and make the program redraw (after attaching). */
export function redrawPacket(rows: number, cols: number): Buffer {
  return packet(MSG_REDRAW, REDRAW_WINCH, winsize(rows, cols));
}

export function resizePacket(rows: number, cols: number): Buffer {
  return packet(MSG_WINCH, 0, winsize(rows, cols));
}

/** Input for the program, in packets of at most 8 bytes. */
export function pushPackets(data: Buffer): Buffer {
  const packets: Buffer[] = [];
  for (let at = 0; at < data.length; at += PAYLOAD) {
    const part = data.subarray(at, at + PAYLOAD);
    packets.push(packet(MSG_PUSH, part.length, part));
  }
  return Buffer.concat(packets);
}
