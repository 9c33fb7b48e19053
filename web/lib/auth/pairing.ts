import { api } from '../api/client';
import { unwrap } from '../api/api-error';
import type { ConnectInfo, PairingCode, PairingToken } from '$contract';
import { setToken } from './session';

/** Trades a pairing code (typed, or from a `#code=` link) for the token, and keeps it. */
export async function claimPairingCode(code: string): Promise<void> {
  const { token } = await unwrap<PairingToken>(await api.pairing.claim.$post({ json: { code } }));
  setToken(token);
}

/** The code in a pairing link's fragment (`/pair#code=ABCD-EFGH`); the fragment never reaches a server. */
export const codeFromHash = (hash: string) =>
  new URLSearchParams(hash.replace(/^#/, '')).get('code');

export const newPairingCode = async () => unwrap<PairingCode>(await api.pairing.codes.$post());
export const connectInfo = async () => unwrap<ConnectInfo>(await api.connect.$get());
