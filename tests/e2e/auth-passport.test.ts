import { randomUUID } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy as PassportStrategy } from 'passport-strategy';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { TokenSigner } from '../../src/auth/jwt.js';
import { ApiKeyStrategy, bearerTokenOf } from '../../src/auth/passport.js';
import { createApiKey, createUserSession, gql, http, registerTenant, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';
import { dashboardFirstFrame, graphqlWsInit } from '../helpers/sockets.js';

const pgSvc = await probeService('postgres');

const ME = '{ me { id } }';

/** A refused credential as each door reports it: REST and GraphQL over HTTP with the detail text, the sockets by close. */
async function refusalOnEveryDoor(t: TestApp, token: string) {
  const rest = await http('GET', `${t.api}/auth/me`, { token });
  const graphql = await gql(t.url, ME, undefined, { token });
  const ws = await graphqlWsInit(t.url, { authorization: `Bearer ${token}` });
  ws.ws.terminate();
  const dashboard = await dashboardFirstFrame(t.url, token);
  return {
    rest: { status: rest.status, body: rest.body },
    graphql: { message: graphql.body.errors?.[0]?.message, code: graphql.body.errors?.[0]?.extensions?.code, data: graphql.body.data?.me },
    graphqlWs: ws.acked ? 'acked' : ws.closeCode,
    dashboard: dashboard.close ?? dashboard.message,
  };
}

function expectedRefusal(detail: string) {
  return {
    rest: { status: 401, body: { detail } },
    graphql: { message: detail, code: 'UNAUTHENTICATED', data: undefined },
    graphqlWs: 4403,
    dashboard: { code: 4001, reason: detail },
  };
}

/** An access token for the same user with the app's key, its lifetime already over. */
function expiredCopy(t: TestApp, token: string): string {
  const { secret, issuer } = t.app.container.config.jwt;
  const claims = jsonwebtoken.decode(token) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  return jsonwebtoken.sign({ ...claims, iss: issuer, jti: randomUUID(), iat: now - 120, exp: now - 60 }, secret!, { algorithm: 'HS256' });
}

describe('bearer header parsing', () => {
  it('takes exactly one token after "Bearer", case-insensitively, trailing spaces allowed', () => {
    expect(bearerTokenOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenOf('bearer   abc  ')).toBe('abc');
    expect(bearerTokenOf(undefined)).toBeNull();
    // passport-jwt's own extractor would take "a" from these
    expect(bearerTokenOf('Bearer a b')).toBeNull();
    expect(bearerTokenOf('x Bearer a')).toBeNull();
    expect(bearerTokenOf('Basic abc')).toBeNull();
    expect(bearerTokenOf('Bearer')).toBeNull();
  });
});

describe('passport-jwt verifier', () => {
  /** Runs `strategy` of `passport` on a bare request carrying `authorization`; resolves with passport's callback arguments. */
  function run(passport: InstanceType<typeof Passport>, strategy: string, authorization: string) {
    return new Promise<{ err: unknown; user: unknown; info: unknown }>((resolve) => {
      const req = { headers: { authorization } };
      passport.authenticate(strategy, { session: false }, (err: unknown, user: unknown, info: unknown) => resolve({ err, user, info }))(req, {}, () => undefined);
    });
  }

  it('leaves another passport-jwt strategy in the process on the library verifier (jsonwebtoken, its own secret)', async () => {
    // src/auth/passport.ts (imported above) has installed the shared verifier; this strategy's key is a plain secret
    const secret = 'someone-elses-secret-'.padEnd(40, 's');
    const other = new Passport();
    other.use('other-jwt', new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: secret, algorithms: ['HS256'] }, (payload: { sub: string }, done) => done(null, { id: payload.sub })));
    const signature = vi.spyOn(jsonwebtoken, 'verify');
    const good = await run(other, 'other-jwt', `Bearer ${jsonwebtoken.sign({ sub: 'u1' }, secret, { algorithm: 'HS256', expiresIn: 60 })}`);
    expect(good).toEqual({ err: null, user: { id: 'u1' }, info: undefined });
    const bad = await run(other, 'other-jwt', `Bearer ${jsonwebtoken.sign({ sub: 'u1' }, 'x'.repeat(40), { algorithm: 'HS256' })}`);
    expect(bad.user).toBe(false);
    expect((bad.info as Error).message).toBe('invalid signature');
    expect(signature).toHaveBeenCalledTimes(2);
    signature.mockRestore();
  });
});

describe.skipIf(pgSvc.skip)(`passport on the HTTP doors${pgSvc.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('authenticates REST and GraphQL requests through the passport-jwt and API-key strategies', async () => {
    const admin = await registerTenant(t.api, 'passport');
    const { key } = await createApiKey(t.api, admin, ['ingest', 'agent', 'read:machines', 'read:sensors']);
    const login = await http('POST', `${t.api}/auth/login`, { body: { email: admin.email, password: admin.password } });
    const token: string = login.body.access_token;

    const jwtStrategy = vi.spyOn(JwtStrategy.prototype, 'authenticate');
    const apiKeyStrategy = vi.spyOn(ApiKeyStrategy.prototype, 'authenticate');
    const signature = vi.spyOn(jsonwebtoken, 'verify');
    const revocation = vi.spyOn(Authenticator.prototype, 'principalOf');

    const rest = await http('GET', `${t.api}/auth/me`, { token });
    expect(rest.status).toBe(200);
    expect(rest.body.id).toBe(admin.userId);
    expect(jwtStrategy).toHaveBeenCalledTimes(1);
    expect(signature).toHaveBeenCalledTimes(1);

    const graphql = await gql(t.url, ME, undefined, { token });
    expect(graphql.body).toEqual({ data: { me: { id: admin.userId } } });
    expect(jwtStrategy).toHaveBeenCalledTimes(2);
    // the second use of the token is answered by the verified-token cache; revocation is asked every time
    expect(signature).toHaveBeenCalledTimes(1);
    expect(revocation).toHaveBeenCalledTimes(2);
    expect(apiKeyStrategy).not.toHaveBeenCalled();

    const machines = await http('GET', `${t.api}/machines`, { apiKey: key });
    expect(machines.status).toBe(200);
    expect(apiKeyStrategy).toHaveBeenCalledTimes(1);
    expect(jwtStrategy).toHaveBeenCalledTimes(2);
    expect(apiKeyStrategy.mock.contexts[0]).toBeInstanceOf(PassportStrategy);

    // the Authorization header wins over X-API-Key, as before: a bad bearer token is not rescued by a good key
    const both = await http('GET', `${t.api}/machines`, { apiKey: key, headers: { authorization: 'Bearer not-a-token' } });
    expect(both.status).toBe(401);
    expect(both.body).toEqual({ detail: 'Could not validate credentials' });
    expect(jwtStrategy).toHaveBeenCalledTimes(3);
    expect(apiKeyStrategy).toHaveBeenCalledTimes(1);

    // no credential: passport is not asked at all
    expect((await http('GET', `${t.api}/auth/me`)).body).toEqual({ detail: 'Not authenticated' });
    expect(jwtStrategy).toHaveBeenCalledTimes(3);
    expect(apiKeyStrategy).toHaveBeenCalledTimes(1);
  });

  it('a refused credential fails only operations that need a principal: login still works with a stale token', async () => {
    const admin = await registerTenant(t.api, 'stale');
    const jwtStrategy = vi.spyOn(JwtStrategy.prototype, 'authenticate');
    const login = await http('POST', `${t.api}/auth/login`, { token: 'garbage', body: { email: admin.email, password: admin.password } });
    expect(login.status).toBe(200);
    expect(jwtStrategy).toHaveBeenCalledTimes(1);
    const malformed = await http('GET', `${t.api}/auth/me`, { headers: { authorization: `Bearer ${admin.token} extra` } });
    expect(malformed.body).toEqual({ detail: 'Could not validate credentials' });
    expect(malformed.status).toBe(401);
  });

  it('gives a forged, expired, wrong-kind, revoked or outdated token the same refusal on all four doors', async () => {
    const admin = await registerTenant(t.api, 'refusals');
    const { issuer } = t.app.container.config.jwt;
    const forger = new TokenSigner({ secret: 'not-the-app-secret-'.padEnd(48, 'z'), issuer, accessTtlSec: 900, refreshTtlSec: 900, mfaPendingTtlSec: 900 });
    const forged = (await forger.sign('access', { sub: admin.userId, tid: admin.tenantId, role: 'admin' })).token;

    const loggedOut = await createUserSession(t.api, admin, 'operator');
    expect((await http('POST', `${t.api}/auth/logout`, { token: loggedOut.token })).status).toBe(200);
    const demoted = await createUserSession(t.api, admin, 'operator');
    expect((await http('PATCH', `${t.api}/users/${demoted.userId}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);

    const cases: [string, string, string][] = [
      ['forged signature', forged, 'Could not validate credentials'],
      ['expired', expiredCopy(t, admin.token), 'Token has expired'],
      ['refresh token as access token', admin.refreshToken, 'Could not validate credentials'],
      ['garbage', 'not-a-token', 'Could not validate credentials'],
      ['logged out (revoked)', loggedOut.token, 'Token has been revoked'],
      ['role changed (older user version)', demoted.token, 'Token has been revoked'],
    ];
    const jwtStrategy = vi.spyOn(JwtStrategy.prototype, 'authenticate');
    for (const [name, token, detail] of cases) {
      expect(await refusalOnEveryDoor(t, token), name).toEqual(expectedRefusal(detail));
    }
    // both HTTP doors of every case went through passport-jwt
    expect(jwtStrategy).toHaveBeenCalledTimes(cases.length * 2);

    // and the credentials the cases were made from are good on every door
    expect(await refusalOnEveryDoor(t, admin.token)).toMatchObject({
      rest: { status: 200 },
      graphql: { message: undefined, data: { id: admin.userId } },
      graphqlWs: 'acked',
      dashboard: { type: 'heartbeat' },
    });
  });

  it('refuses a bad API key with the same 401 on REST and GraphQL, and at graphql-ws connection_init', async () => {
    const apiKeyStrategy = vi.spyOn(ApiKeyStrategy.prototype, 'authenticate');
    for (const key of ['hk_invalid', '']) {
      const rest = await http('GET', `${t.api}/machines`, { headers: { 'x-api-key': key } });
      expect(rest.status, JSON.stringify(key)).toBe(401);
      expect(rest.body).toEqual({ detail: 'Invalid API key' });
      const graphql = await gql(t.url, '{ machines { total } }', undefined, { headers: { 'x-api-key': key } });
      expect(graphql.body.errors?.[0]).toMatchObject({ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(apiKeyStrategy).toHaveBeenCalledTimes(4);
    const ws = await graphqlWsInit(t.url, { 'x-api-key': 'hk_invalid' });
    expect(ws.closeCode).toBe(4403);
  });
});
