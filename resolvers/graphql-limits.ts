import {
  BREAK,
  GraphQLError,
  Kind,
  parse,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { GraphqlLimits } from '../src/config/config.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../src/common/pagination.js';
import { DEFAULT_POINT_LIMIT, MAX_POINT_LIMIT } from '../src/readings/reading.service.js';

/** `extensions.code` of each refusal; every one is answered with HTTP 400 over HTTP. */
export const LimitCode = {
  tokens: 'TOO_MANY_TOKENS',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
  fragments: 'TOO_MANY_FRAGMENTS',
  depth: 'QUERY_TOO_DEEP',
  repeated: 'TOO_MANY_REPEATED_FIELDS',
  cost: 'QUERY_TOO_COMPLEX',
  subscriptions: 'TOO_MANY_SUBSCRIPTIONS',
  /** a graphql-ws answer too long to serialize in one go */
  answerSize: 'ANSWER_TOO_LARGE',
} as const;

/** Cost of lists the schema does not bound (a tenant's whole fleet, a group's members, the group tree): as much as the largest page. */
const UNBOUNDED_LIST = MAX_PAGE_SIZE;
/** Readings cost one unit per this many points of the `limit`. */
const POINTS_PER_UNIT = 100;
/** Selections visited with fragments expanded, per allowed token: bounds the pre-validation walk and the cost analysis. */
const EXPANSION_PER_TOKEN = 4;

/** A GraphQL error refusing a document; `http` makes Apollo answer 400 (it is removed before the error is sent). */
export function limitError(code: string, message: string, limit: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, limit, http: { status: 400 } } });
}

// graphql-js 16 spells it "more that"; "than" is accepted too should a later release fix the typo.
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] \d+ tokens\./;

/** graphql-js aborts parsing at `maxTokens` with a syntax error; that one error gets its own code. */
function asTokenLimitError(err: unknown, limits: GraphqlLimits): GraphQLError | undefined {
  return err instanceof GraphQLError && TOKEN_LIMIT_MESSAGE.test(err.message)
    ? limitError(LimitCode.tokens, `The document has more than ${limits.maxTokens} tokens`, limits.maxTokens)
    : undefined;
}

/** Parses with the token limit; a document over it is refused after reading at most maxTokens tokens. */
function parseBounded(source: string, limits: GraphqlLimits): DocumentNode {
  try {
    return parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    throw asTokenLimitError(err, limits) ?? err;
  }
}

/**
 * Everything that runs before graphql-js' validation: the bounded parse and checkDocument. A refusal
 * has one of the LimitCode codes; a document that is merely not GraphQL comes back as syntaxError.
 */
export function precheck(source: string, limits: GraphqlLimits): { document: DocumentNode } | { refusal: GraphQLError } | { syntaxError: GraphQLError } {
  let document: DocumentNode;
  try {
    document = parseBounded(source, limits);
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return err.extensions.code ? { refusal: err } : { syntaxError: err };
  }
  const refusal = checkDocument(document, limits);
  return refusal ? { refusal } : { document };
}

/** One response path in the pre-validation walk: how many selections name it, and the paths below it. */
interface PathNode {
  key: string;
  parent?: PathNode;
  count: number;
  children: Map<string, PathNode>;
}

class Refused extends Error {
  constructor(readonly error: GraphQLError) {
    super(error.message);
  }
}

function pathOf(node: PathNode): string {
  const keys: string[] = [];
  for (let n: PathNode | undefined = node; n?.parent; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
}

/**
 * The cheap checks that run between parsing and graphql-js' validation, linear in the document with
 * fragments expanded (the expansion itself bounded): directives, fragments, aliases, depth and
 * repeated fields. graphql-js' OverlappingFieldsCanBeMerged compares every pair of selections that
 * share a response path, and every pair of fragments spread together: the number of selections per
 * path and the number of fragments are what keep validation fast. Fragments are counted where they are
 * spread, since their fields merge there; unused ones are walked too, as graphql-js validates them.
 */
export function checkDocument(doc: DocumentNode, limits: GraphqlLimits): GraphQLError | undefined {
  let directives = 0;
  let tooManyDirectives = false;
  visit(doc, {
    Directive() {
      if (++directives > limits.maxDirectives) {
        tooManyDirectives = true;
        return BREAK;
      }
      return undefined;
    },
  });
  if (tooManyDirectives) {
    return limitError(LimitCode.directives, `The document has more than ${limits.maxDirectives} directives`, limits.maxDirectives);
  }

  const fragments = new Map<string, FragmentDefinitionNode>();
  let fragmentCount = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (++fragmentCount > limits.maxFragments) {
      return limitError(LimitCode.fragments, `The document defines more than ${limits.maxFragments} fragments`, limits.maxFragments);
    }
    fragments.set(d.name.value, d);
  }
  const maxExpansion = limits.maxTokens * EXPANSION_PER_TOKEN;
  let visited = 0;
  let aliases = 0;

  function walk(set: SelectionSetNode, at: PathNode, depth: number, active: Set<string>, countAliases: boolean): void {
    for (const sel of set.selections) {
      if (++visited > maxExpansion) {
        throw new Refused(limitError(LimitCode.cost, `The document expands to more than ${maxExpansion} selections`, maxExpansion));
      }
      if (sel.kind === Kind.FIELD) {
        if (sel.alias && countAliases && ++aliases > limits.maxAliases) {
          throw new Refused(limitError(LimitCode.aliases, `The operation uses more than ${limits.maxAliases} aliases`, limits.maxAliases));
        }
        if (depth > limits.maxDepth) {
          throw new Refused(limitError(LimitCode.depth, `The query is nested deeper than ${limits.maxDepth} levels`, limits.maxDepth));
        }
        const key = sel.alias?.value ?? sel.name.value;
        let child = at.children.get(key);
        if (!child) {
          child = { key, parent: at, count: 0, children: new Map() };
          at.children.set(key, child);
        }
        if (++child.count > limits.maxRepeatedFields) {
          throw new Refused(
            limitError(LimitCode.repeated, `"${pathOf(child)}" is selected more than ${limits.maxRepeatedFields} times`, limits.maxRepeatedFields),
          );
        }
        if (sel.selectionSet) walk(sel.selectionSet, child, depth + 1, active, countAliases);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, at, depth, active, countAliases);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        // Unknown fragments and cycles are validation errors; the walk just does not follow them.
        if (!fragment || active.has(name)) continue;
        active.add(name);
        walk(fragment.selectionSet, at, depth, active, countAliases);
        active.delete(name);
      }
    }
  }

  try {
    for (const d of doc.definitions) {
      const root: PathNode = { key: '', count: 0, children: new Map() };
      if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, root, 1, new Set(), true);
      else if (d.kind === Kind.FRAGMENT_DEFINITION) walk(d.selectionSet, root, 1, new Set([d.name.value]), false);
    }
  } catch (err) {
    if (err instanceof Refused) return err.error;
    throw err;
  }
  return undefined;
}

function clamp(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback;
  return Math.min(Math.max(n, 1), max);
}

/**
 * How many times a field's selection is produced. Out-of-range arguments are clamped to what the
 * services accept, so they still get the services' own validation error instead of a cost refusal.
 */
function multiplier({ type, field, args }: ComplexityEstimatorArgs): number {
  if ('pageSize' in args) return clamp(args.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const at = `${type.name}.${field.name}`;
  if (at === 'Machine.readings' || at === 'Query.machineReadings') {
    return Math.ceil(clamp(args.limit, DEFAULT_POINT_LIMIT, MAX_POINT_LIMIT) / POINTS_PER_UNIT);
  }
  if (at === 'Query.fleetStatus' || at === 'Query.machineGroupTree' || at === 'MachineGroup.machines') return UNBOUNDED_LIST;
  // Other lists are bounded by a multiplier above them (a page's items, a series' points within the
  // readings limit, the nodes of the group tree) or are small (a machine's groups and latest readings).
  return 1;
}

/** Every field costs 1; a field whose answer is repeated costs its selection that many times. */
export function fieldCost(a: ComplexityEstimatorArgs): number {
  return 1 + multiplier(a) * a.childComplexity;
}

/** Thrown by operationCost when the fragments expand beyond the walk's budget. */
class TooManyNodes extends Error {}

/**
 * The cost of one operation with its variables (fields cost 1, repeated selections multiplied, skipped
 * ones free); undefined when its variables do not fit its definitions.
 */
export function operationCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  maxNodes: number,
): number | undefined {
  const only: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  try {
    return getComplexity({ schema, query: only, variables: variables ?? {}, estimators: [fieldCost], maxQueryNodes: maxNodes });
  } catch (err) {
    if (err instanceof GraphQLError && err.message.startsWith('Query exceeds the maximum allowed number of nodes')) throw new TooManyNodes();
    return undefined;
  }
}

/**
 * Refuses the operation that is about to run when it costs more than the limit. Documents that reach
 * this point passed checkDocument, so the expansion is bounded; variable errors are left to
 * execution, which reports them in its own words.
 */
export function checkCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  limits: GraphqlLimits,
): GraphQLError | undefined {
  const maxNodes = limits.maxTokens * EXPANSION_PER_TOKEN;
  let cost: number | undefined;
  try {
    cost = operationCost(schema, doc, operation, variables, maxNodes);
  } catch (err) {
    if (!(err instanceof TooManyNodes)) throw err;
    return limitError(LimitCode.cost, `The document expands to more than ${maxNodes} selections`, maxNodes);
  }
  if (cost !== undefined && cost > limits.maxCost) {
    return limitError(LimitCode.cost, `The query costs ${cost}, more than the limit of ${limits.maxCost}`, limits.maxCost);
  }
  return undefined;
}

/** Matches graphql-js' suggestion sentences ("Did you mean "x"?", "Did you mean the enum value "y"?"). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Field, type and value names are not offered to callers without credentials (they map the schema). */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

