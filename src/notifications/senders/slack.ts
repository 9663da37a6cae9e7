import { slackMessage } from '../notification.payloads.js';
import { postJson, type SendOutcome, type SendRequest } from './sender.js';

/** Slack incoming webhook: `text` plus Block Kit blocks (notification.payloads.ts). */
export async function sendSlack(req: SendRequest, channel: { url?: string }): Promise<SendOutcome> {
  if (!channel.url) return { ok: false, statusCode: null, error: 'channel has no webhook URL', permanent: true };
  return postJson(req, channel.url, slackMessage(req.body, req.publicUrl));
}
