import { ConnectInfo, PairingClaim, PairingCode, PairingToken } from '../../contract';
import type { Operation } from '../operation';

export const pairingOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/connect',
    tag: 'server',
    summary: 'How a phone on the same network reaches this server',
    description:
      "The addresses to open, the plain-http page that walks a phone through trusting the local CA, and that CA's fingerprint.",
    auth: ['user'],
    replies: { 200: { description: 'the addresses and how to trust them', json: ConnectInfo } },
  },
  {
    method: 'post',
    path: '/api/pairing/codes',
    tag: 'server',
    summary: 'A single-use code that logs one more device in',
    description: 'Valid 10 minutes; show it (or a QR code of its pair URL) to the new device.',
    auth: ['user'],
    replies: { 201: { description: 'the code and the URLs that carry it', json: PairingCode } },
  },
  {
    method: 'post',
    path: '/api/pairing/claim',
    tag: 'server',
    summary: 'Trade a pairing code for the access token',
    description: 'Needs no token: this is how a new device gets one. Each code works once.',
    auth: [],
    body: { json: PairingClaim },
    replies: { 200: { description: 'the token this device keeps', json: PairingToken } },
    errors: {
      400: 'the code is unknown, already used or expired',
      429: 'too many wrong codes in the last minute',
    },
  },
];
