import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Credentials } from '../tls/tls-setup';
import { answerMalformedRequests } from './client-faults';

type Fetch = Parameters<typeof getRequestListener>[0];

export type Listening = {
  port: number;
  /** Presents new credentials to new connections (a re-issued certificate), without a restart. */
  setCredentials: (credentials: Credentials) => void;
  close: () => Promise<void>;
};

/** The first byte of a TLS ClientHello record; an HTTP request starts with a letter. */
const TLS_HANDSHAKE = 0x16;

/**
 * Listens on one port. Without TLS, plain HTTP as before. With TLS, HTTPS (HTTP/2 with HTTP/1.1
 * for older clients) and, on the same port, plain HTTP for what must stay plain: the onboarding
 * page a phone opens before it trusts Loupe's CA, and the local gpu-runner on loopback. The two
 * are told apart by the first byte a client sends, so a phone needs only one address.
 */
export async function listen(options: {
  port: number;
  host: string;
  secure: Fetch;
  plain: Fetch;
  tls: (Credentials & { http2: boolean }) | null;
}): Promise<Listening> {
  const plainServer = createHttpServer(handler(options.plain));
  answerMalformedRequests(plainServer);
  if (!options.tls) {
    await listenOn(plainServer, options.port, options.host);
    return {
      port: (plainServer.address() as AddressInfo).port,
      setCredentials: () => {},
      close: () => closeServer(plainServer),
    };
  }
  const { certPem, keyPem, http2 } = options.tls;
  const tlsOptions = { cert: certPem, key: keyPem };
  const secureServer = http2
    ? createSecureServer(
        { ...tlsOptions, allowHTTP1: true },
        handler(withoutConnectionHeaders(options.secure)),
      )
    : createHttpsServer(tlsOptions, handler(options.secure));
  answerMalformedRequests(secureServer);
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    handOver(socket, (first) => (first === TLS_HANDSHAKE ? secureServer : plainServer));
  });
  await listenOn(front, options.port, options.host);
  return {
    port: (front.address() as AddressInfo).port,
    setCredentials: ({ certPem, keyPem }) =>
      secureServer.setSecureContext({ cert: certPem, key: keyPem }),
    close: async () => {
      const closed = closeServer(front);
      // Keep-alive and HTTP/2 sessions would hold the port open; the server is going away.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Hono's Node listener as the callback Node's servers expect (it reports its own errors). */
function handler(fetch: Fetch) {
  const listener = getRequestListener(fetch);
  return (...args: Parameters<typeof listener>) => void listener(...args);
}

/** Headers of one HTTP/1.1 connection, which HTTP/2 forbids (Node refuses the response). */
const CONNECTION_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

/**
 * Drops connection headers that routes or libraries set for HTTP/1.1 (a streamed reply's
 * `Transfer-Encoding: chunked`, tus's answers): HTTP/2 frames bodies itself.
 */
function withoutConnectionHeaders(fetch: Fetch): Fetch {
  return async (request, bindings) => {
    const response = (await fetch(request, bindings)) as Response;
    if (!CONNECTION_HEADERS.some((h) => response.headers.has(h))) return response;
    const headers = new Headers(response.headers);
    for (const h of CONNECTION_HEADERS) headers.delete(h);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/** Peeks at the first byte, puts it back, and lets the chosen server take the connection. */
function handOver(
  socket: Socket,
  choose: (firstByte: number) => { emit: (e: 'connection', s: Socket) => boolean },
) {
  socket.once('readable', function first() {
    const chunk = socket.read(1) as Buffer | null;
    if (chunk === null) {
      if (!socket.readableEnded) socket.once('readable', first);
      return;
    }
    socket.unshift(chunk);
    choose(chunk[0]!).emit('connection', socket);
  });
}

const listenOn = (server: Server | HttpServer, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const closeServer = (server: Server | HttpServer) =>
  new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
