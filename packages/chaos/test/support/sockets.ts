import net from 'node:net';
import { once } from 'node:events';

/** A TCP echo server on 127.0.0.1:0 for tests; `close()` ends every socket. */
export async function startEchoServer(onConnection?: (socket: net.Socket) => void): Promise<{ port: number; address: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (onConnection) onConnection(socket);
    else socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects, writes `data`, and collects what comes back until the socket closes or `untilBytes` arrive. */
export async function exchange(port: number, data: Buffer | string, untilBytes?: number): Promise<{ received: Buffer; chunks: number; elapsedMs: number; closed: boolean; error?: string }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const started = performance.now();
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = (closed: boolean, error?: string): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ received: Buffer.concat(parts), chunks: parts.length, elapsedMs: performance.now() - started, closed, ...(error ? { error } : {}) });
    };
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      if (untilBytes !== undefined && Buffer.concat(parts).length >= untilBytes) finish(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(true, e.code ?? e.message));
    socket.on('close', () => finish(true));
    socket.write(data);
  });
}
