// The JOSE interop matrix: npm jose (which we did not write) against `latch jwt sign` and `latch jwt verify`.
//
// Input: LATCH_JOSE_MATRIX names a JSON file written by JoseInteropTest (latch-cli):
//   {"output": "/path/for/jose-tokens.json",
//    "cases": [{"alg": "RS256", "token": "<signed by latch jwt sign>", "tampered": "<same, payload changed>",
//               "jwks": {"keys": [...]}            (asymmetric: the public JWK Set from latch keys generate)
//               "secret": "…",                      (HS256: the shared secret, its UTF-8 bytes being the key)
//               "issuer": "latch-cli", "audience": "jose", "claims": {"n": 42}}]}
// For every case jose verifies latch's token (and must reject the tampered one); then jose generates its own
// key for the same algorithm and signs tokens for latch to verify: valid, tampered, expired, wrong audience,
// and an unsigned (alg none) one. Those are written to "output":
//   {"<alg>": {"jwks": {...} | "secret": "…", "kid": "…", "tokens": {"valid": …, "tampered": …, "expired": …,
//              "wrongAudience": …, "none": …}}}
// Output: one line per case, JOSE-MATRIX-SUMMARY {"passed":[...],"failed":[...]}, and "jose-matrix: N passed, N failed".
// Exit code 0 only when every case passed.

import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { assert, check, failed, passed } from './harness.mjs';

const inputFile = process.env.LATCH_JOSE_MATRIX;
if (!inputFile) {
  console.error('LATCH_JOSE_MATRIX must name the JSON file with the cases');
  process.exit(2);
}
const input = JSON.parse(readFileSync(inputFile, 'utf8'));
const encoder = new TextEncoder();
const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

function keyFor(c) {
  return c.secret !== undefined ? encoder.encode(c.secret) : jose.createLocalJWKSet(c.jwks);
}

async function expectRejected(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert(err.code === code, `expected ${code} but got ${err.code}: ${err.message}`);
    return;
  }
  throw new Error(`expected ${code} but jose accepted the token`);
}

// 1. jose verifies what latch signed
for (const c of input.cases) {
  await check(`jose verifies latch ${c.alg}`, async () => {
    const { payload, protectedHeader } = await jose.jwtVerify(c.token, keyFor(c), {
      algorithms: [c.alg], issuer: c.issuer, audience: c.audience, requiredClaims: ['exp', 'iat', 'jti'],
    });
    assert(protectedHeader.alg === c.alg, `header alg ${protectedHeader.alg}`);
    assert(protectedHeader.typ === 'JWT', `header typ ${protectedHeader.typ}`);
    if (c.jwks) assert(protectedHeader.kid === c.jwks.keys[0].kid, `header kid ${protectedHeader.kid} is not the JWKS kid`);
    for (const [name, value] of Object.entries(c.claims)) {
      assert(JSON.stringify(payload[name]) === JSON.stringify(value), `claim ${name}: ${JSON.stringify(payload[name])}`);
    }
    assert(payload.exp - payload.iat === 300, `exp - iat = ${payload.exp - payload.iat}`);
  });
  await check(`jose rejects tampered latch ${c.alg}`, () =>
    expectRejected(jose.jwtVerify(c.tampered, keyFor(c), { algorithms: [c.alg] }), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'));
  if (c.assertion) {
    await check(`jose verifies latch client assertion ${c.alg}`, async () => {
      const { payload } = await jose.jwtVerify(c.assertion, keyFor(c), {
        algorithms: [c.alg], issuer: c.assertionClientId, subject: c.assertionClientId, audience: c.assertionAudience,
        requiredClaims: ['exp', 'iat', 'jti'], maxTokenAge: '5m',
      });
      assert(payload.exp - payload.iat <= 300, `exp - iat = ${payload.exp - payload.iat}`);
    });
  }
}

// 2. jose signs for latch to verify
const output = {};
for (const c of input.cases) {
  await check(`jose signs ${c.alg}`, async () => {
    const now = Math.floor(Date.now() / 1000);
    let signingKey;
    const entry = {};
    if (c.secret !== undefined) {
      entry.secret = randomBytes(48).toString('base64url');
      signingKey = encoder.encode(entry.secret);
    } else {
      const { publicKey, privateKey } = await jose.generateKeyPair(c.alg, { extractable: true, modulusLength: 2048 });
      const jwk = await jose.exportJWK(publicKey);
      jwk.kid = await jose.calculateJwkThumbprint(jwk);
      jwk.alg = c.alg;
      jwk.use = 'sig';
      entry.kid = jwk.kid;
      entry.jwks = { keys: [jwk] };
      signingKey = privateKey;
    }
    const header = { alg: c.alg, typ: 'JWT', ...(entry.kid ? { kid: entry.kid } : {}) };
    const sign = (audience, iat, exp) => new jose.SignJWT({ n: 7, scope: 'read write' })
      .setProtectedHeader(header).setIssuer('jose').setSubject('jose-subject').setAudience(audience)
      .setIssuedAt(iat).setExpirationTime(exp).setJti(randomUUID()).sign(signingKey);
    const valid = await sign('latch', now, now + 300);
    const [h, , s] = valid.split('.');
    const forged = b64url(JSON.stringify({ iss: 'jose', sub: 'mallory', aud: 'latch', iat: now, exp: now + 300 }));
    entry.tokens = {
      valid,
      tampered: `${h}.${forged}.${s}`,
      expired: await sign('latch', now - 7200, now - 3600),
      wrongAudience: await sign('someone-else', now, now + 300),
      none: new jose.UnsecuredJWT({ n: 7 }).setIssuer('jose').setAudience('latch').setIssuedAt(now).setExpirationTime(now + 300).encode(),
    };
    // jose accepts its own valid token: a broken key here must not pass as latch's fault
    await jose.jwtVerify(valid, entry.secret ? signingKey : jose.createLocalJWKSet(entry.jwks), { algorithms: [c.alg] });
    output[c.alg] = entry;
  });
}
writeFileSync(input.output, JSON.stringify(output, null, 2), { mode: 0o600 });

console.log(`JOSE-MATRIX-SUMMARY ${JSON.stringify({ passed, failed })}`);
console.log(`jose-matrix: ${passed.length} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
