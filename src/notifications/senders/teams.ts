import { teamsMessage } from '../notification.payloads.js';
import { postJson, type SendOutcome, type SendRequest } from './sender.js';

/** Microsoft Teams webhook: a message carrying one Adaptive Card (notification.payloads.ts). */
export async function sendTeams(req: SendRequest, channel: { url?: string }): Promise<SendOutcome> {
  if (!channel.url) return { ok: false, statusCode: null, error: 'channel has no webhook URL', permanent: true };
  return postJson(req, channel.url, teamsMessage(req.body, req.publicUrl));
}
