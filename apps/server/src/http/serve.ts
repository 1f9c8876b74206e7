import type { Server } from 'node:http';
import type { Express } from 'express';

export interface HttpServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then closes every socket. */
  close(timeoutMs: number): Promise<void>;
}

export function listen(app: Express, port: number, host: string): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: (timeoutMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
