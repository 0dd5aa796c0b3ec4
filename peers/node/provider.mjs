// An independent authorization server for the client library's tests: npm oidc-provider (the
// certified Node OP) on a loopback port, with client-credentials clients handed over by the JUnit
// test (LATCH_PROVIDER_CONFIG: {"clients": [...oidc-provider client metadata...]}).
// Prints "PROVIDER-READY {issuer}" once it listens; stops when its standard input closes.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.env.LATCH_PROVIDER_CONFIG, 'utf8'));

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
        'ES256', 'ES384', 'ES512', 'Ed25519', 'EdDSA'],
    },
    scopes: ['openid', 'offline_access', 'read', 'write'],
    clientBasedCORS: () => false,
  });
  provider.on('server_error', (ctx, err) => console.log(`server_error ${err?.stack ?? err}`));
  provider.on('grant.error', (ctx, err) => console.log(`grant.error ${err?.name}: ${err?.message} ${err?.error_detail ?? ''}`));
  server.on('request', provider.callback());
  console.log(`PROVIDER-READY ${issuer}`);
});

process.stdin.resume();
process.stdin.on('end', () => {
  server.close();
  process.exit(0);
});
