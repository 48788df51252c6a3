/**
 * The sockets postgres.js connects through, with Nagle's algorithm off. postgres.js leaves it on,
 * and a COPY ends with a small CopyDone message written right behind the data: the kernel holds
 * it until the server acknowledges the data, which a server delays by ~40 ms. Every COPY (a merge
 * makes one per table) and the statement after it would wait that long.
 *
 * postgres.js calls the factory with its parsed options and treats the socket as connected;
 * writes made before the connection completes are buffered by Node, and connection errors reach
 * postgres.js through the socket's 'error' event as with its own sockets.
 */
import net from 'node:net';

interface SocketOptions {
  readonly host: readonly string[];
  readonly port: readonly number[];
  /** A Unix socket path when the host is a directory. */
  readonly path: string | false;
}

export function noDelaySocket(): (options: SocketOptions) => net.Socket {
  // Several hosts (host1,host2 in the URL): each new connection tries the next, as postgres.js does.
  let next = 0;
  return ({ host, port, path }) => {
    if (path) return net.connect(path);
    const index = next++ % host.length;
    const socket = net.connect({ host: host[index], port: port[index] ?? 5432, noDelay: true });
    // postgres.js reads these for TLS server names and messages.
    Object.assign(socket, { host: host[index], port: port[index] });
    return socket;
  };
}
