import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';

/** What the owner of a cluster tells the processes attached to it, one JSON line per change. */
export type OwnerMessage = { state: 'ready'; port: number; pid: number } | { state: 'down'; reason: string; pid: number };

/**
 * Ownership of the cluster in one data folder, held by a listening Unix socket. On Linux it is an
 * abstract socket: the kernel frees its name the moment the owner dies, however it dies, so a stale
 * owner can never block a new one and two processes can never both own the cluster. Elsewhere it is
 * a socket file next to the temp folder, removed when nobody answers on it.
 */
export class OwnerLock {
  private last?: OwnerMessage;
  private readonly peers = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {
    server.on('connection', (socket) => {
      this.peers.add(socket);
      socket.on('close', () => this.peers.delete(socket));
      socket.on('error', () => socket.destroy());
      if (this.last) socket.write(`${JSON.stringify(this.last)}\n`);
    });
  }

  /** Becomes the owner, or resolves undefined when a live process already is. */
  static async claim(dataDir: string): Promise<OwnerLock | undefined> {
    const address = ownerAddress(dataDir);
    const server = net.createServer();
    server.unref(); // the lock alone must not keep a process alive
    if (await listen(server, address)) return new OwnerLock(server);
    if (process.platform === 'linux' || (await OwnerLink.probe(address))) return undefined;
    await fs.rm(address, { force: true }); // a socket file left by an owner that died
    return (await listen(server, address)) ? new OwnerLock(server) : undefined;
  }

  announce(message: OwnerMessage): void {
    this.last = message;
    for (const peer of this.peers) peer.write(`${JSON.stringify(message)}\n`);
  }

  release(): Promise<void> {
    for (const peer of this.peers) peer.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An attached process's line to the owner: its announcements, and its end when the owner exits. */
export class OwnerLink {
  private constructor(
    private readonly socket: net.Socket,
    private readonly lines: Interface,
    readonly ready: OwnerMessage & { state: 'ready' },
  ) {}

  /**
   * Connects to the owner and waits until it announces the cluster ready; undefined when there is no
   * owner or it went away meanwhile (the caller then tries to become the owner).
   */
  static async connect(dataDir: string, timeoutMs: number): Promise<OwnerLink | undefined> {
    const socket = net.connect(ownerAddress(dataDir));
    socket.unref();
    const lines = createInterface({ input: socket });
    // A reset when the owner dies reaches readline too; the socket's 'close' is what we act on.
    lines.on('error', () => {});
    return new Promise((resolve, reject) => {
      const done = (link: OwnerLink | undefined, error?: Error) => {
        clearTimeout(timer);
        lines.removeAllListeners('line');
        socket.removeListener('close', onClose);
        if (error) {
          socket.destroy();
          reject(error);
        } else resolve(link);
      };
      const timer = setTimeout(() => done(undefined, new Error(`the process that owns the PostgreSQL in ${dataDir} did not make it ready within ${timeoutMs / 1000} s`)), timeoutMs);
      const onClose = () => done(undefined);
      socket.once('close', onClose);
      socket.on('error', () => socket.destroy());
      lines.on('line', (line) => {
        const message = parseMessage(line);
        if (message?.state === 'ready') done(new OwnerLink(socket, lines, message));
      });
    });
  }

  /** True when some process answers on `address`. */
  static probe(address: string): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(address);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  }

  /** Later announcements; `onEnd` once the owner has gone (it stopped, or died). */
  follow(onMessage: (message: OwnerMessage) => void, onEnd: () => void): void {
    this.lines.on('line', (line) => {
      const message = parseMessage(line);
      if (message) onMessage(message);
    });
    this.socket.once('close', onEnd);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

function ownerAddress(dataDir: string): string {
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 24);
  return process.platform === 'linux' ? `\0dci-server-postgres-${key}` : path.join(os.tmpdir(), `dci-server-postgres-${key}.sock`);
}

function listen(server: net.Server, address: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error));
    server.once('error', onError);
    server.listen(address, () => {
      server.removeListener('error', onError);
      resolve(true);
    });
  });
}

function parseMessage(line: string): OwnerMessage | undefined {
  try {
    const message = JSON.parse(line) as OwnerMessage;
    return message.state === 'ready' || message.state === 'down' ? message : undefined;
  } catch {
    return undefined;
  }
}
