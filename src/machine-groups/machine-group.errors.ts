import { ErrorCode, errorsOf } from '../common/errors.js';

export const MACHINE_GROUP_ERROR_CODES = {
  GROUP_NOT_FOUND: ErrorCode.NOT_FOUND,
  PARENT_GROUP_NOT_FOUND: ErrorCode.NOT_FOUND,
  GROUP_HAS_CHILDREN: ErrorCode.CONFLICT,
  GROUP_CYCLE: ErrorCode.VALIDATION,
  GROUP_PARENT_AMBIGUOUS: ErrorCode.VALIDATION,
  GROUP_MEMBER_NOT_FOUND: ErrorCode.VALIDATION,
  TOO_MANY_GROUP_MEMBERS: ErrorCode.VALIDATION,
  GROUP_ZONE_NOT_SITE: ErrorCode.VALIDATION,
} as const;
export type MachineGroupErrorCode = keyof typeof MACHINE_GROUP_ERROR_CODES;

const { fail, invalid } = errorsOf(MACHINE_GROUP_ERROR_CODES);

export const MachineGroupErrors = {
  notFound: () => fail('GROUP_NOT_FOUND', 'Machine group not found'),
  parentNotFound: () => fail('PARENT_GROUP_NOT_FOUND', 'Parent group not found'),
  hasChildren: (children: number) => fail('GROUP_HAS_CHILDREN', `Machine group has ${children} child group(s); move or delete them first`),
  cycle: () => invalid('GROUP_CYCLE', 'parent_id', 'A group cannot be moved under itself or one of its descendants', 'value_error'),
  parentAmbiguous: () => invalid('GROUP_PARENT_AMBIGUOUS', 'parent_id', 'Give either a parent_id or moveToRoot, not both', 'value_error'),
  membersNotFound: (missing: string[]) =>
    invalid('GROUP_MEMBER_NOT_FOUND', 'machine_ids', `Machine not found: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`, 'value_error'),
  tooManyMembers: (max: number) => invalid('TOO_MANY_GROUP_MEMBERS', 'machine_ids', `At most ${max} machines per group`, 'too_long'),
  zoneNotSite: () => invalid('GROUP_ZONE_NOT_SITE', 'time_zone', 'Only site groups have a time zone (send time_zone: null to clear it)', 'value_error'),
};
