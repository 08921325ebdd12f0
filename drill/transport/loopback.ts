/** The drill's servers listen on loopback only, on a port the OS picks; one body reader for all of them. */
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts `server` on 127.0.0.1 (port 0: any free one): the drill's servers never face a network. */
export function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** `http://127.0.0.1:PORT` of a listening server. */
export function loopbackOrigin(server: Server | undefined, what: string): string {
  if (!server) throw new Error(`${what} not started`);
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A request's whole body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
