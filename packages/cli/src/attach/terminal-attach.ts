/**
 * `attach` (and `run -it`) for a container with a terminal: connect to the
 * pty holder's socket (dtach), put the user's terminal in raw mode, pass
 * keystrokes (with `-i`) and window sizes in, and the program's output out,
 * until the user types the detach keys or the program ends.
 */
import { closeSync, constants as fsConstants, openSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CtrnetError } from '@ctrnet/core/api';
import { DetachKeyMatcher } from './detach-keys.js';
import { attachPacket, pushPackets, redrawPacket, resizePacket } from './dtach-packets.js';

export interface TerminalAttachOptions {
  socket: string;
  /** Forward stdin (`-i`). */
  interactive: boolean;
  detachKeys: Buffer;
  /** The start gate to open once attached (a foreground `run -t`). */
  gate?: string;
}

/** How an attachment ended. */
export type AttachEnd = 'detached' | 'ended';

const size = () => ({ rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 });

export async function attachTerminal(options: TerminalAttachOptions): Promise<AttachEnd> {
  const socket = connect(options.socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CtrnetError('INVALID_STATE', `cannot attach to the container's terminal (${err.code ?? err.message}); is it still running? see ctrnet ps -a`)),
    );
  });
  const stdin = process.stdin;
  const raw = options.interactive && stdin.isTTY;
  return new Promise<AttachEnd>((resolve) => {
    let end: AttachEnd = 'ended';
    const matcher = new DetachKeyMatcher(options.detachKeys);
    const onInput = (chunk: Buffer) => {
      const { pass, detach } = matcher.feed(chunk);
      if (pass.length) socket.write(pushPackets(pass));
      if (detach) {
        end = 'detached';
        socket.end();
      }
    };
    const onResize = () => socket.write(resizePacket(size().rows, size().cols));
    const finish = () => {
      process.stdout.off('resize', onResize);
      if (options.interactive) {
        stdin.off('data', onInput);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
      }
      resolve(end);
    };
    socket.on('data', (data: Buffer) => process.stdout.write(data));
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.write(attachPacket());
    socket.write(redrawPacket(size().rows, size().cols));
    process.stdout.on('resize', onResize);
    if (options.interactive) {
      if (raw) stdin.setRawMode(true);
      stdin.on('data', onInput);
      stdin.resume();
    }
    if (options.gate) void openGate(options.gate);
  });
}

/**
 * Let a gated start go on: write a line into the FIFO PID 1 reads before it
 * runs the command. Non-blocking, so a command that died meanwhile (no
 * reader) cannot hang the client; retried while the reader gets there.
 */
async function openGate(gate: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const fd = openSync(gate, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      try {
        writeSync(fd, 'go\n');
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(10);
    }
  }
}
