import { ErrorCode, errorsOf } from '../common/errors.js';

export const AGENT_ERROR_CODES = {
  INVALID_HEARTBEAT: ErrorCode.VALIDATION,
  AGENT_KEY_REVOKED: ErrorCode.UNAUTHENTICATED,
} as const;
export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;

const { fail, invalid } = errorsOf(AGENT_ERROR_CODES);

export const AgentErrors = {
  invalid: (loc: (string | number)[], msg: string, type = 'value_error') => invalid('INVALID_HEARTBEAT', loc, msg, type),
  keyRevoked: () => fail('AGENT_KEY_REVOKED', 'API key revoked'),
};
