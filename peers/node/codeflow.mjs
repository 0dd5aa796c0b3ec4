// The authorization code flow as openid-client (a certified OpenID Connect relying party) runs it
// against a live Latch, with a real browser in the middle: OIDC Discovery, authorization URL with
// PKCE S256 + state + nonce, code exchange (state, iss per RFC 9207, and the ID token checked by
// openid-client), userinfo, refresh-token rotation, and RP-initiated logout when advertised. Also
// form_post, prompt=none after login, PAR (RFC 9126) and a public client.
//
// Input: LATCH_CODEFLOW_CONFIG names a JSON file written by NodeCodeFlowTest:
//   {"issuer": ..., "redirect_uri": ..., "clients": {"web": {"client_id", "client_secret"}, "spa": {"client_id"}}}
// Protocol with the test (which drives Chromium): for each front-channel step this script prints
//   AUTHORIZE <url>
// and reads one line from stdin: "GET <query>" or "POST <form body>", what reached the redirect URI.
// Output: one line per case, then CODEFLOW-SUMMARY {"passed":[...],"failed":[{"name","error"}]}.
// Exit code 0 only when every case passed.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as client from 'openid-client';
import { assert, check, describe, failed, passed } from './harness.mjs';

const configFile = process.env.LATCH_CODEFLOW_CONFIG;
if (!configFile) {
  console.error('LATCH_CODEFLOW_CONFIG must name the JSON file describing the server and its clients');
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configFile, 'utf8'));
const issuer = new URL(cfg.issuer);
const redirectUri = cfg.redirect_uri;
// The test server listens on plain http on loopback; openid-client refuses that unless told.
const insecure = { execute: [client.allowInsecureRequests] };

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

/** Hands `url` to the browser driver and returns what the browser brought back to the redirect URI. */
async function browse(url, verb = 'AUTHORIZE') {
  console.log(`${verb} ${url.href}`);
  const next = await lines.next();
  if (next.done) throw new Error('the test closed stdin before answering');
  const line = next.value;
  const space = line.indexOf(' ');
  const method = line.slice(0, space);
  const params = line.slice(space + 1);
  if (method === 'POST') {
    return new Request(redirectUri, {
      method: 'POST',
      body: params,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  return new URL(`${redirectUri}?${params}`);
}


async function expectInvalidGrant(promise) {
  try {
    await promise;
  } catch (err) {
    assert(err instanceof client.ResponseBodyError, `expected invalid_grant but got ${describe(err)}`);
    assert(err.error === 'invalid_grant', `expected invalid_grant but got ${err.error}`);
    return;
  }
  throw new Error('expected invalid_grant but the request succeeded');
}

/** One front-channel round trip and code exchange; returns the tokens with their validated ID token claims. */
async function signIn(config, params, { par = false } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const all = {
    redirect_uri: redirectUri,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  };
  const url = par ? await client.buildAuthorizationUrlWithPAR(config, all) : client.buildAuthorizationUrl(config, all);
  const back = await browse(url);
  const tokens = await client.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert(claims && claims.sub, 'the ID token has a subject');
  return { tokens, claims };
}

let web;
let session;

await check('discovery (openid-configuration)', async () => {
  // registered for client_secret_basic (openid-client would default to client_secret_post)
  const secret = cfg.clients.web.client_secret;
  web = await client.discovery(issuer, cfg.clients.web.client_id, secret, client.ClientSecretBasic(secret), insecure);
  const meta = web.serverMetadata();
  assert(meta.issuer === cfg.issuer, `issuer ${meta.issuer}`);
  assert(meta.code_challenge_methods_supported?.includes('S256'), 'S256 advertised');
  assert(meta.authorization_response_iss_parameter_supported === true, 'RFC 9207 advertised');
});

await check('code flow: login, consent, code exchange with PKCE, state, iss and ID token checked', async () => {
  session = await signIn(web, { scope: 'openid profile email offline_access', prompt: 'consent' });
  assert(session.tokens.refresh_token, 'a refresh token with offline_access and prompt=consent');
  assert(session.claims.aud === cfg.clients.web.client_id || session.claims.aud?.includes?.(cfg.clients.web.client_id), 'aud');
});

await check('userinfo', async () => {
  const info = await client.fetchUserInfo(web, session.tokens.access_token, session.claims.sub);
  assert(info.sub === session.claims.sub, 'same subject');
  assert(info.email === cfg.user.email, `email ${info.email}`);
  assert(info.name === cfg.user.name, `name ${info.name}`);
});

await check('refresh twice with rotation; the rotated token then revokes the family', async () => {
  const first = session.tokens.refresh_token;
  const second = await client.refreshTokenGrant(web, first);
  assert(second.refresh_token && second.refresh_token !== first, 'rotated once');
  const idOnRefresh = second.claims();
  if (idOnRefresh) {
    assert(idOnRefresh.sub === session.claims.sub, 'refreshed ID token keeps sub');
    assert(idOnRefresh.nonce === undefined, 'refreshed ID token has no nonce');
  }
  const third = await client.refreshTokenGrant(web, second.refresh_token);
  assert(third.refresh_token && third.refresh_token !== second.refresh_token, 'rotated twice');
  await expectInvalidGrant(client.refreshTokenGrant(web, first));
  await expectInvalidGrant(client.refreshTokenGrant(web, third.refresh_token));
});

await check('prompt=none after login: a code without any page', async () => {
  const silent = await signIn(web, { scope: 'openid profile email', prompt: 'none' });
  assert(silent.claims.sub === session.claims.sub, 'same person');
});

await check('form_post', async () => {
  const posted = await signIn(web, { scope: 'openid profile', response_mode: 'form_post' });
  assert(posted.claims.sub === session.claims.sub, 'same person');
});

await check('pushed authorization request (PAR)', async () => {
  const pushed = await signIn(web, { scope: 'openid profile' }, { par: true });
  assert(pushed.claims.sub === session.claims.sub, 'same person');
});

await check('public client (token_endpoint_auth_method none)', async () => {
  const spa = await client.discovery(issuer, cfg.clients.spa.client_id, undefined, client.None(), insecure);
  const signedIn = await signIn(spa, { scope: 'openid profile offline_access', prompt: 'consent' });
  assert(signedIn.tokens.refresh_token, 'a refresh token for the public client');
  const refreshed = await client.refreshTokenGrant(spa, signedIn.tokens.refresh_token);
  assert(refreshed.access_token, 'refreshed');
});

await check('RP-initiated logout in the browser, then prompt=none needs a login', async () => {
  assert(web.serverMetadata().end_session_endpoint, 'end_session_endpoint advertised');
  const state = client.randomState();
  const url = client.buildEndSessionUrl(web, { id_token_hint: session.tokens.id_token, post_logout_redirect_uri: redirectUri, state });
  const back = await browse(url, 'LOGOUT');
  assert(back instanceof URL && back.searchParams.get('state') === state, 'back at post_logout_redirect_uri with state');
  // the SSO session is over: a silent request must now ask for a login
  const verifier = client.randomPKCECodeVerifier();
  const silent = client.buildAuthorizationUrl(web, {
    redirect_uri: redirectUri, scope: 'openid', prompt: 'none', state: client.randomState(),
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const answer = await browse(silent, 'SILENT');
  assert(answer instanceof URL && answer.searchParams.get('error') === 'login_required', 'login_required after logout');
});

console.log(`CODEFLOW-SUMMARY ${JSON.stringify({ passed, failed })}`);
console.log(`codeflow: ${passed.length} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
