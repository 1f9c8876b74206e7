import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { verifyEnvelope } from '@dci-server/dci';

/** Asserts that an envelope we sent verifies against the keys published at `${baseUrl}/.well-known/jwks.json`. */
export async function assertSignedByServer(baseUrl: string, envelope: Record<string, unknown>): Promise<void> {
  const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
  const result = await verifyEnvelope(envelope as never, (kid) => {
    const jwk = jwks.keys.find((k) => k.kid === kid);
    return jwk ? createPublicKey({ key: jwk, format: 'jwk' }) : undefined;
  });
  assert.ok(result.ok, JSON.stringify(result));
}
