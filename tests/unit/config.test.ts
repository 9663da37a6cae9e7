import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('loadConfig', () => {
  it('starts on the embedded default with no environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('./data');
    expect(c.database.url).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.influx).toBeUndefined();
    expect(c.rateLimit.perPlan.free).toBe(300);
    expect(c.rateLimit.windowSec).toBe(60);
  });

  it('uses the production services when their URLs are set', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://u@db:5432/hf',
      REDIS_URL: 'redis://cache:6379',
      INFLUX_URL: 'http://influx:8086',
      INFLUX_DB: 'plant',
      PORT: '9000',
    });
    expect(c.database.url).toBe('postgresql://u@db:5432/hf');
    expect(c.redisUrl).toBe('redis://cache:6379');
    expect(c.influx).toMatchObject({ url: 'http://influx:8086', db: 'plant' });
    expect(c.port).toBe(9000);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.url).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['RATE_LIMIT_FREE', '0'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
  });
});
