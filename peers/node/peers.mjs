// Drives a live Latch server with client libraries we did not write: openid-client (discovery,
// client credentials with every client authentication method, introspection, revocation, dynamic
// registration) and jose (access token verification against the published JWKS).
//
// Input: LATCH_PEERS_CONFIG names a JSON file written by NodePeersTest (README.md beside this file
// shows its shape). Output: one line per case, then a machine-readable summary line
//   PEERS-SUMMARY {"passed":[...],"failed":[{"name":...,"error":...}]}
// and a closing "peers: N passed, N failed" line. Exit code 0 only when every case passed.

import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { assert, check, describe, failed, passed } from './harness.mjs';
import * as jose from 'jose';

const configFile = process.env.LATCH_PEERS_CONFIG;
if (!configFile) {
  console.error('LATCH_PEERS_CONFIG must name the JSON file describing the server and its clients');
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configFile, 'utf8'));
const issuer = new URL(cfg.issuer);
// The test server listens on http://localhost; openid-client refuses plain http unless told.
const insecure = { execute: [client.allowInsecureRequests], algorithm: 'oauth2' };


function assertEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)} but was ${JSON.stringify(actual)}`);
  }
}

/** Expects `promise` to fail with an openid-client ResponseBodyError carrying `code` (and `status` when given). */
async function expectBodyError(promise, code, status) {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof client.ResponseBodyError)) {
      throw new Error(`expected ResponseBodyError ${code} but got ${describe(err)}`);
    }
    assertEqual(err.error, code, 'error');
    if (status !== undefined) assertEqual(err.status, status, 'HTTP status');
    return err;
  }
  throw new Error(`expected ResponseBodyError ${code} but the request succeeded`);
}

/**
 * Expects a 401 with a WWW-Authenticate challenge of `scheme` (openid-client reports challenges
 * before the body, RFC 6749 §5.2 / RFC 6750 §3), and the JSON body's error to be `code`.
 */
async function expectChallenge(promise, scheme, code) {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof client.WWWAuthenticateChallengeError)) {
      throw new Error(`expected a ${scheme} challenge with ${code} but got ${describe(err)}`);
    }
    assertEqual(err.status, 401, 'HTTP status');
    const challenge = err.cause.find((c) => c.scheme === scheme);
    assert(challenge, `no ${scheme} challenge in ${JSON.stringify(err.cause)}`);
    if (scheme === 'bearer') assertEqual(challenge.parameters.error, code, 'challenge error');
    const body = await err.response.json();
    assertEqual(body.error, code, 'body error');
    return err;
  }
  throw new Error(`expected a ${scheme} challenge with ${code} but the request succeeded`);
}

function discover(clientId, metadata, auth) {
  return client.discovery(issuer, clientId, metadata, auth, insecure);
}

/** client_secret_jwt with HS384/HS512: openid-client's ClientSecretJwt signs HS256 only, so jose signs and openid-client sends. */
function clientSecretJwtWithJose(alg, secret) {
  const key = new TextEncoder().encode(secret);
  return async (as, c, body) => {
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader({ alg })
      .setIssuer(c.client_id)
      .setSubject(c.client_id)
      .setAudience(as.issuer)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key);
    body.set('client_id', c.client_id);
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.set('client_assertion', assertion);
  };
}

async function privateKey(jwk, alg) {
  // RFC 9864 "Ed25519" and the older "EdDSA" name the same key and signature.
  const importAlg = alg === 'EdDSA' ? 'Ed25519' : alg;
  return { key: await jose.importJWK({ ...jwk, alg: importAlg }, importAlg), kid: jwk.kid };
}

function authFor(c, options) {
  switch (c.method) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(c.client_secret);
    case 'client_secret_post':
      return client.ClientSecretPost(c.client_secret);
    case 'client_secret_jwt':
      return c.alg === 'HS256' ? client.ClientSecretJwt(c.client_secret, options) : clientSecretJwtWithJose(c.alg, c.client_secret);
    case 'private_key_jwt':
      return privateKey(c.jwk, c.alg).then((k) => client.PrivateKeyJwt(k, options));
    default:
      throw new Error(`unknown method ${c.method}`);
  }
}

async function configFor(c, options) {
  return discover(c.client_id, undefined, await authFor(c, options));
}

const jwksCache = new Map();
function remoteJwks(config) {
  const uri = config.serverMetadata().jwks_uri;
  if (!jwksCache.has(uri)) jwksCache.set(uri, jose.createRemoteJWKSet(new URL(uri)));
  return jwksCache.get(uri);
}

/** RFC 9068 §4: typ at+jwt, iss, aud, exp, and the client's own identity in sub/client_id. */
async function verifyAccessToken(config, token, { clientId, scope, audience, alg }) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, remoteJwks(config), {
    issuer: config.serverMetadata().issuer,
    audience: audience ?? config.serverMetadata().issuer,
    typ: 'at+jwt',
    algorithms: alg ? [alg] : undefined,
    requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
  });
  assert(protectedHeader.kid, 'access token header has no kid');
  assertEqual(payload.client_id, clientId, 'client_id claim');
  assertEqual(payload.sub, clientId, 'sub claim');
  if (scope !== undefined) assertEqual(payload.scope, scope, 'scope claim');
  assert(payload.exp > Date.now() / 1000, 'exp is not in the future');
  return payload;
}

/** Token, verify with jose, introspect (active), revoke, introspect again (inactive). */
async function fullCycle(c, { verify = true, auth } = {}) {
  const config = await configFor(c, auth);
  const tokens = await client.clientCredentialsGrant(config, c.scope ? { scope: c.scope } : {});
  assertEqual(tokens.token_type, 'bearer', 'token_type');
  assert(tokens.expires_in > 0, 'expires_in missing');
  if (c.scope) assertEqual(tokens.scope, c.scope, 'scope in token response');
  if (verify) {
    await verifyAccessToken(config, tokens.access_token, { clientId: c.client_id, scope: c.scope, alg: c.token_alg });
  }
  const active = await client.tokenIntrospection(config, tokens.access_token);
  assertEqual(active.active, true, 'introspection active');
  assertEqual(active.client_id, c.client_id, 'introspection client_id');
  if (c.scope) assertEqual(active.scope, c.scope, 'introspection scope');
  await client.tokenRevocation(config, tokens.access_token);
  const after = await client.tokenIntrospection(config, tokens.access_token);
  assertEqual(after, { active: false }, 'introspection after revocation');
}

const clients = cfg.clients;

// --- discovery and JWKS -------------------------------------------------------------------------

await check('discovery: RFC 8414 metadata through openid-client', async () => {
  const c = clients.basic;
  const config = await discover(c.client_id, c.client_secret);
  const m = config.serverMetadata();
  assertEqual(m.issuer, cfg.issuer, 'issuer');
  for (const field of ['token_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'registration_endpoint']) {
    assert(typeof m[field] === 'string' && m[field].startsWith(cfg.issuer), `${field} missing or not under the issuer`);
  }
  for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt']) {
    assert(m.token_endpoint_auth_methods_supported.includes(method), `token_endpoint_auth_methods_supported lacks ${method}`);
  }
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'Ed25519', 'EdDSA', 'HS256', 'HS384', 'HS512']) {
    assert(m.token_endpoint_auth_signing_alg_values_supported.includes(alg), `token_endpoint_auth_signing_alg_values_supported lacks ${alg}`);
  }
  assert(m.token_endpoint_auth_signing_alg_values_supported.every((a) => a !== 'none'), 'alg none advertised');
  assertEqual(m.grant_types_supported, ['client_credentials', 'authorization_code', 'refresh_token'], 'grant_types_supported');
});

await check('jwks: every published key has kid, alg and use=sig', async () => {
  const config = await discover(clients.basic.client_id, clients.basic.client_secret);
  const response = await fetch(config.serverMetadata().jwks_uri);
  assertEqual(response.status, 200, 'status');
  assert(response.headers.get('cache-control')?.includes('max-age'), 'no Cache-Control max-age');
  assert(response.headers.get('etag'), 'no ETag');
  const jwks = await response.json();
  assert(jwks.keys.length > 0, 'empty JWKS');
  for (const k of jwks.keys) {
    assert(k.kid && k.alg && k.use === 'sig', `key lacks kid/alg/use: ${JSON.stringify({ kid: k.kid, alg: k.alg, use: k.use })}`);
    assert(!('d' in k) && !('p' in k) && !('k' in k), `key ${k.kid} publishes private or symmetric material`);
    await jose.importJWK(k, k.alg === 'EdDSA' ? 'Ed25519' : k.alg);
  }
});

// --- client credentials with every authentication method and algorithm ---------------------------

await check('client_secret_basic: token, jose verify, introspect, revoke, introspect inactive', () => fullCycle(clients.basic));
await check('client_secret_post: token, jose verify, introspect, revoke, introspect inactive', () => fullCycle(clients.post));
for (const c of clients.secretJwt) {
  const via = c.alg === 'HS256' ? 'openid-client ClientSecretJwt' : 'jose-signed assertion sent by openid-client';
  await check(`client_secret_jwt ${c.alg} (${via}): token, jose verify, introspect, revoke, introspect inactive`, () => fullCycle(c));
}
for (const c of clients.privateKeyJwt) {
  await check(`private_key_jwt ${c.alg} (token signed ${c.token_alg}): token, jose verify, introspect, revoke, introspect inactive`,
    () => fullCycle(c));
}

await check('private_key_jwt EdDSA (assertion header alg "EdDSA" via modifyAssertion, token signed EdDSA): '
  + 'token, jose verify, introspect, revoke, introspect inactive',
  () => fullCycle(clients.eddsa, { auth: { [client.modifyAssertion]: (header) => { header.alg = 'EdDSA'; } } }));

await check('opaque access token: introspect active, revoke, introspect inactive', async () => {
  const c = clients.opaque;
  const config = await configFor(c);
  const tokens = await client.clientCredentialsGrant(config, { scope: c.scope });
  assert(tokens.access_token.split('.').length !== 3, 'an opaque token looks like a JWT');
  await fullCycle(c, { verify: false });
});

await check('scope openid with client credentials: echoed, no id_token', async () => {
  const c = clients.openid;
  const config = await configFor(c);
  const tokens = await client.clientCredentialsGrant(config, { scope: 'openid read' });
  assertEqual(tokens.scope, 'openid read', 'scope');
  assertEqual(tokens.id_token, undefined, 'id_token');
  await verifyAccessToken(config, tokens.access_token, { clientId: c.client_id, scope: 'openid read' });
});

await check('resource indicator (RFC 8707): aud is the requested resource', async () => {
  const c = clients.resource;
  const config = await configFor(c);
  const tokens = await client.clientCredentialsGrant(config, { scope: c.scope, resource: c.resource });
  await verifyAccessToken(config, tokens.access_token, { clientId: c.client_id, scope: c.scope, audience: c.resource });
  await expectBodyError(client.clientCredentialsGrant(config, { resource: 'https://unknown.example.test/' }), 'invalid_target', 400);
});

await check('private_key_jwt: assertion typed client-authentication+jwt with aud = issuer accepted', async () => {
  const c = clients.privateKeyJwt[0];
  const config = await configFor(c, { [client.modifyAssertion]: (header) => { header.typ = 'client-authentication+jwt'; } });
  await client.clientCredentialsGrant(config, { scope: c.scope });
});

await check('private_key_jwt: untyped assertion with aud = token endpoint accepted', async () => {
  const c = clients.privateKeyJwt[0];
  const tokenEndpoint = (await configFor(c)).serverMetadata().token_endpoint;
  const withAud = await configFor(c, { [client.modifyAssertion]: (_h, payload) => { payload.aud = tokenEndpoint; } });
  await client.clientCredentialsGrant(withAud, { scope: c.scope });
});

// --- introspection and revocation across clients -------------------------------------------------

await check('introspection by another client: inactive; revocation by another client: no effect', async () => {
  const owner = await configFor(clients.basic);
  const other = await configFor(clients.post);
  const tokens = await client.clientCredentialsGrant(owner, { scope: clients.basic.scope });
  assertEqual(await client.tokenIntrospection(other, tokens.access_token), { active: false }, 'introspection by another client');
  await client.tokenRevocation(other, tokens.access_token);
  const still = await client.tokenIntrospection(owner, tokens.access_token);
  assertEqual(still.active, true, 'still active after another client tried to revoke it');
});

// --- errors --------------------------------------------------------------------------------------

await check('client_secret_basic with a wrong secret: 401 Basic challenge, invalid_client', async () => {
  const config = await discover(clients.basic.client_id, undefined, client.ClientSecretBasic('wrong-' + clients.basic.client_secret));
  await expectChallenge(client.clientCredentialsGrant(config), 'basic', 'invalid_client');
});

await check('client_secret_post with a wrong secret: ResponseBodyError invalid_client', async () => {
  const config = await discover(clients.post.client_id, undefined, client.ClientSecretPost('wrong-' + clients.post.client_secret));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('client_secret_jwt with a wrong key: ResponseBodyError invalid_client', async () => {
  const c = clients.secretJwt.find((s) => s.alg === 'HS256');
  const config = await discover(c.client_id, undefined, client.ClientSecretJwt('wrong-' + c.client_secret));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('client_secret_basic client using client_secret_post: invalid_client (only the registered method)', async () => {
  const config = await discover(clients.basic.client_id, undefined, client.ClientSecretPost(clients.basic.client_secret));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt signed by a key that is not registered (same kid): invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const { privateKey: stranger } = await jose.generateKeyPair('ES256');
  const config = await discover(c.client_id, undefined, client.PrivateKeyJwt({ key: stranger, kid: c.jwk.kid }));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt with an unknown kid: invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const { key } = await privateKey(c.jwk, c.alg);
  const config = await discover(c.client_id, undefined, client.PrivateKeyJwt({ key, kid: 'no-such-kid' }));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt with an algorithm other than the registered one (PS256 key as RS256): invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'PS256');
  const { key, kid } = await privateKey(c.jwk, 'RS256');
  const config = await discover(c.client_id, undefined, client.PrivateKeyJwt({ key, kid }));
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt replayed assertion (same jti twice): second is invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const jti = crypto.randomUUID();
  const config = await configFor(c, { [client.modifyAssertion]: (_h, payload) => { payload.jti = jti; } });
  await client.clientCredentialsGrant(config, { scope: c.scope });
  await expectBodyError(client.clientCredentialsGrant(config, { scope: c.scope }), 'invalid_client', 401);
});

await check('private_key_jwt expired assertion: invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const config = await configFor(c, { [client.modifyAssertion]: (_h, p) => { p.iat = now - 600; p.nbf = now - 600; p.exp = now - 300; } });
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt assertion with exp more than 5 minutes ahead: invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const config = await configFor(c, { [client.modifyAssertion]: (_h, p) => { p.exp = p.iat + 3600; } });
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt assertion for another audience: invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const config = await configFor(c, { [client.modifyAssertion]: (_h, p) => { p.aud = 'https://elsewhere.example.test'; } });
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('private_key_jwt typed client-authentication+jwt with aud = token endpoint: invalid_client', async () => {
  const c = clients.privateKeyJwt.find((p) => p.alg === 'ES256');
  const probe = await configFor(c);
  const tokenEndpoint = probe.serverMetadata().token_endpoint;
  const config = await configFor(c, {
    [client.modifyAssertion]: (h, p) => { h.typ = 'client-authentication+jwt'; p.aud = tokenEndpoint; },
  });
  await expectBodyError(client.clientCredentialsGrant(config), 'invalid_client', 401);
});

await check('scope not allowed for the client: invalid_scope', async () => {
  const config = await configFor(clients.basic);
  await expectBodyError(client.clientCredentialsGrant(config, { scope: 'admin' }), 'invalid_scope', 400);
});

// --- dynamic client registration (RFC 7591) ------------------------------------------------------

const registrationOptions = { ...insecure, initialAccessToken: cfg.initialAccessToken };

async function registerAndUse(metadata, auth) {
  const config = await client.dynamicClientRegistration(issuer, metadata, auth, registrationOptions);
  const registered = config.clientMetadata();
  assert(registered.client_id, 'no client_id issued');
  assertEqual(registered.token_endpoint_auth_method, metadata.token_endpoint_auth_method, 'token_endpoint_auth_method');
  assert(registered.registration_access_token, 'no registration_access_token');
  assert(registered.registration_client_uri, 'no registration_client_uri');
  const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
  await verifyAccessToken(config, tokens.access_token, { clientId: registered.client_id, scope: 'read' });
  const active = await client.tokenIntrospection(config, tokens.access_token);
  assertEqual(active.active, true, 'introspection of the new client\'s token');
  return registered;
}

await check('registration: client_secret_basic client registered, then gets and verifies a token', async () => {
  const r = await registerAndUse({ token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], scope: 'read', client_name: 'node basic' },
    client.ClientSecretBasic());
  assert(r.client_secret && r.client_secret.length >= 64, 'server-generated secret too short');
});

await check('registration: client_secret_post client registered, then gets and verifies a token', () =>
  registerAndUse({ token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], scope: 'read' },
    client.ClientSecretPost()));

await check('registration: client_secret_jwt client registered, then gets and verifies a token', () =>
  registerAndUse({ token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256',
    grant_types: ['client_credentials'], scope: 'read' }, client.ClientSecretJwt()));

for (const alg of ['ES256', 'PS256', 'Ed25519']) {
  await check(`registration: private_key_jwt ${alg} client with a jose-generated JWKS, then gets and verifies a token`, async () => {
    const { publicKey, privateKey: key } = await jose.generateKeyPair(alg, { extractable: true });
    const jwk = await jose.exportJWK(publicKey);
    jwk.kid = await jose.calculateJwkThumbprint(jwk);
    jwk.alg = alg;
    jwk.use = 'sig';
    const r = await registerAndUse({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: alg,
      jwks: { keys: [jwk] }, grant_types: ['client_credentials'], scope: 'read' }, client.PrivateKeyJwt({ key, kid: jwk.kid }));
    assertEqual(r.client_secret, undefined, 'client_secret for a private_key_jwt client');
  });
}

await check('registration without an initial access token: 401 Bearer invalid_token', () =>
  expectChallenge(client.dynamicClientRegistration(issuer, { grant_types: ['client_credentials'] }, client.None(), insecure),
    'bearer', 'invalid_token'));

await check('registration with a wrong initial access token: 401 Bearer invalid_token', () =>
  expectChallenge(client.dynamicClientRegistration(issuer, { grant_types: ['client_credentials'] }, client.None(),
    { ...insecure, initialAccessToken: 'wrong-' + cfg.initialAccessToken }), 'bearer', 'invalid_token'));

await check('registration with both jwks and jwks_uri: invalid_client_metadata', async () => {
  const { publicKey } = await jose.generateKeyPair('ES256');
  const jwk = await jose.exportJWK(publicKey);
  await expectBodyError(client.dynamicClientRegistration(issuer, {
    token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, jwks_uri: 'https://keys.example.test/jwks',
    grant_types: ['client_credentials'],
  }, client.None(), registrationOptions), 'invalid_client_metadata', 400);
});

// --- summary -------------------------------------------------------------------------------------

console.log('PEERS-SUMMARY ' + JSON.stringify({ passed, failed }));
console.log(`peers: ${passed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
