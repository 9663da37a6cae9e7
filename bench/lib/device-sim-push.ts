/**
 * Child process of `npm run bench connectivity`, phase agent: the plain client the agent is compared
 * with. Config (first stdin line): {url, apiKey, baseMs, machines, readings, batchSize}. `start`
 * posts readings 0..readings-1 of `pushReading` (device-sim.ts) to POST {url}/api/v1/ingest in
 * batches of batchSize, one request at a time, each body built when it is sent (reading objects,
 * then JSON.stringify), response bodies read; answers when done with the counts and its own time.
 */
import { Agent, request } from 'undici';
import { pushReading, simChild, type PushReading } from './device-sim.js';

interface Config {
  url: string;
  apiKey: string;
  baseMs: number;
  machines: number;
  readings: number;
  batchSize: number;
}

const { config, reply, serve } = await simChild<Config>();
const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
const headers = { 'x-api-key': config.apiKey, 'content-type': 'application/json' };

serve({
  start: async () => {
    const t0 = performance.now();
    let accepted = 0;
    let batches = 0;
    let failed = 0;
    let firstFailure = '';
    for (let from = 0; from < config.readings; from += config.batchSize) {
      const readings: PushReading[] = [];
      for (let i = from; i < Math.min(config.readings, from + config.batchSize); i++) readings.push(pushReading(i, config.baseMs, config.machines));
      const res = await request(`${config.url}/api/v1/ingest`, { dispatcher, method: 'POST', headers, body: JSON.stringify({ readings }) });
      const text = await res.body.text();
      batches++;
      if (res.statusCode !== 207) {
        failed++;
        firstFailure ||= `${res.statusCode} ${text.slice(0, 300)}`;
        continue;
      }
      const body = JSON.parse(text) as { accepted_count: number };
      accepted += body.accepted_count;
      if (body.accepted_count !== readings.length) {
        failed++;
        firstFailure ||= text.slice(0, 300);
      }
    }
    return { batches, accepted, failed, ...(firstFailure ? { firstFailure } : {}), seconds: Math.round(performance.now() - t0) / 1000 };
  },
});
reply({ ready: true });
