/** Servers the bench runs as child processes of their own: started, awaited, measured (RSS) and stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';

export interface ChildServer {
  name: string;
  url: string;
  pid: number;
  /** Peak resident set so far (VmHWM), in MiB; NaN where /proc is not available. */
  peakRssMib(): number;
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks one; it is released for the child to take). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts `node [nodeArgs] --import tsx script` with `env(its URL)` on a free port (PORT) and waits until
 * GET /healthz answers 200; the child's output goes to ours (or nowhere when `quiet`).
 */
export async function startChildServer(name: string, script: string, env: (url: string) => Record<string, string>, options: { nodeArgs?: string[]; quiet?: boolean; startMs?: number } = {}): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    env: { ...process.env, ...env(url), PORT: String(port) },
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready`);
    const ready = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer /healthz within ${(options.startMs ?? 60_000) / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, pid: child.pid!, peakRssMib: () => statusField(child.pid!, 'VmHWM'), stop };
}
