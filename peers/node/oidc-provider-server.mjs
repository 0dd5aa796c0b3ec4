// An independent authorization server for the Java tests: npm oidc-provider (the certified Node
// OP), on 127.0.0.1 with an ephemeral port. Started by the Java fixture OidcProviderPeer
// (latch-client test sources); it lives until its standard input closes.
//
// Usage: node oidc-provider-server.mjs CONFIG.json
// CONFIG.json (written by the fixture):
//   {
//     "secret": "…",                                  client_secret of peer-basic, peer-post and peer-code
//     "jwks": {"RS384": {"keys": [...]}, ...},         public JWKS per private_key_jwt client (peer-pkjwt-<ALG>)
//     "clients": [ {oidc-provider client metadata} ]   optional extra clients, verbatim
//   }
// Clients:
//   peer-basic            client_secret_basic, client_credentials, scope "read write"
//   peer-post             client_secret_post, client_credentials
//   peer-pkjwt-<ALG>      private_key_jwt signed with ALG, client_credentials
//   peer-code             native app, client_secret_basic, authorization_code + refresh_token,
//                         redirect http://127.0.0.1/callback (any loopback port, RFC 8252 §7.3), PKCE S256
//   peer-public           the same as a public client (token_endpoint_auth_method none)
// Resource indicators (RFC 8707): https://api.peer.test/ is the one resource server; its access tokens
// are JWTs (RFC 9068) signed RS256. client_credentials without a resource gets it by default, so every
// access token a client-credentials test sees is a JWT it can check against the JWKS.
// Sign-in uses oidc-provider's devInteractions: the login form takes any login (the account id) and
// any password, then a consent form; both are plain HTML forms with a hidden "prompt" field.
//
// Output: one JSON line {"issuer": "http://127.0.0.1:PORT", ...} once listening, then oidc-provider's
// own warnings on stderr.

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

const configFile = process.argv[2];
if (!configFile) {
  console.error('usage: node oidc-provider-server.mjs CONFIG.json');
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configFile, 'utf8'));
const API = 'https://api.peer.test/';
const PKJWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'Ed25519', 'EdDSA'];

async function signingKey(alg, kid) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), alg, use: 'sig', kid };
}

const clientCredentials = (id, extra) => ({
  client_id: id,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'read write',
  ...extra,
});

const clients = [
  clientCredentials('peer-basic', { client_secret: cfg.secret, token_endpoint_auth_method: 'client_secret_basic' }),
  clientCredentials('peer-post', { client_secret: cfg.secret, token_endpoint_auth_method: 'client_secret_post' }),
  ...Object.entries(cfg.jwks ?? {}).map(([alg, jwks]) => clientCredentials(`peer-pkjwt-${alg}`, {
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: alg,
    jwks,
  })),
  {
    client_id: 'peer-code',
    client_secret: cfg.secret,
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    scope: 'openid offline_access read',
  },
  {
    client_id: 'peer-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    scope: 'openid offline_access read',
  },
  ...(cfg.clients ?? []),
];

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [await signingKey('RS256', 'peer-rs256'), await signingKey('ES256', 'peer-es256')] },
  scopes: ['openid', 'offline_access', 'read', 'write'],
  claims: { openid: ['sub'], profile: ['name'] },
  // any login is an account whose only claim is its subject
  findAccount: (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: sub }) }),
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client, oneOf) => {
        if (oneOf) return oneOf;
        return ctx.oidc.params?.grant_type === 'client_credentials' ? API : undefined;
      },
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== API) throw new errors.InvalidTarget();
        return { scope: 'read write', audience: API, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  enabledJWA: { clientAuthSigningAlgValues: PKJWT_ALGS.concat(['HS256', 'HS384', 'HS512']) },
  // offline_access needs consent; a refresh token for every code grant that asked for it
  issueRefreshToken: (ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  pkce: { required: () => true },
  ttl: { AccessToken: 300, ClientCredentials: 300, IdToken: 300, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  cookies: { keys: [jose.base64url.encode(crypto.getRandomValues(new Uint8Array(32)))] },
});
provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error', err));
server.on('request', provider.callback());

console.log(JSON.stringify({ issuer, resource: API, clients: clients.map((c) => c.client_id) }));

// the Java fixture holds our standard input open; when it closes (test JVM ends or fixture closes) we go
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
