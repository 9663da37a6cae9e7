/**
 * The GraphQL document limits without a server: each check's code, the cost model on the committed
 * schema, the existing operations and an IDE's introspection query passing, and documents at the edge
 * of every limit staying cheap for graphql-js' validation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { buildSchema, getIntrospectionQuery, getOperationAST, parse, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkCost, checkDocument, operationCost, precheck, withoutSuggestions } from '../../resolvers/graphql-limits.js';
import { ConfigError, loadConfig, type GraphqlLimits } from '../../src/config/config.js';

const schema = buildSchema(readFileSync('schema/schema.graphql', 'utf8'));
const limits: GraphqlLimits = loadConfig({}).graphql;
const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

function refusalCode(source: string, l: GraphqlLimits = limits): string | undefined {
  const r = precheck(source, l);
  return 'refusal' in r ? (r.refusal.extensions.code as string) : undefined;
}

function cost(source: string, variables: Record<string, unknown> = {}): number | undefined {
  const doc = parse(source);
  expect(validate(schema, doc)).toEqual([]);
  return operationCost(schema, doc, getOperationAST(doc)!, variables, 100_000);
}

describe('GraphQL limits configuration', () => {
  it('has defaults, turns introspection off under NODE_ENV=production, and validates overrides', () => {
    expect(limits).toEqual({
      introspection: true,
      maxTokens: 5000,
      maxAliases: 50,
      maxDepth: 15,
      maxDirectives: 50,
      maxFragments: 50,
      maxRepeatedFields: 10,
      maxCost: 10000,
      wsMaxSubscriptions: 20,
    });
    expect(loadConfig({ NODE_ENV: 'production' }).graphql.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: '0' }).graphql.introspection).toBe(false);
    expect(loadConfig({ GRAPHQL_MAX_COST: '20000', GRAPHQL_WS_MAX_SUBSCRIPTIONS: '5' }).graphql).toMatchObject({ maxCost: 20000, wsMaxSubscriptions: 5 });
    expect(() => loadConfig({ GRAPHQL_MAX_TOKENS: '10' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: 'deep' })).toThrow(/GRAPHQL_MAX_DEPTH/);
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION/);
  });
});

describe('checks before validation', () => {
  it('refuses each kind of excess with its own code and names the limit', () => {
    expect(refusalCode(`{ me { ${times(6000, () => 'id')} } }`)).toBe('TOO_MANY_TOKENS');
    expect(refusalCode(`{ ${times(51, (i) => `a${i}: me { id }`)} }`)).toBe('TOO_MANY_ALIASES');
    expect(refusalCode(`{ ${times(50, (i) => `a${i}: me { id }`)} }`)).toBeUndefined();
    expect(refusalCode(`{ me ${times(51, () => '@include(if: true)')} { id } }`)).toBe('TOO_MANY_DIRECTIVES');
    expect(refusalCode(`{ me { ...F0 } } ${times(51, (i) => `fragment F${i} on CurrentUser { id }`)}`)).toBe('TOO_MANY_FRAGMENTS');
    expect(refusalCode(`{ machineGroupTree { ${'children { '.repeat(14)}id${' }'.repeat(14)} } }`)).toBe('QUERY_TOO_DEEP');
    expect(refusalCode(`{ machineGroupTree { ${'children { '.repeat(13)}id${' }'.repeat(13)} } }`)).toBeUndefined();
    expect(refusalCode(`{ me { ${times(11, () => 'id')} } }`)).toBe('TOO_MANY_REPEATED_FIELDS');
    expect(refusalCode(`{ me { ${times(10, () => 'id')} } }`)).toBeUndefined();

    const r = precheck(`{ me { ${times(11, () => 'email')} } }`, limits);
    expect('refusal' in r && r.refusal.message).toBe('"me.email" is selected more than 10 times');
    expect('refusal' in r && r.refusal.extensions).toMatchObject({ code: 'TOO_MANY_REPEATED_FIELDS', limit: 10, http: { status: 400 } });
    const syntax = precheck('{ me { id }', limits);
    expect('syntaxError' in syntax && syntax.syntaxError.message).toMatch(/^Syntax Error/);
  });

  it('counts selections where fragments are spread, and across parents sharing a response path', () => {
    // four spreads of a fragment selecting id three times: me.id is selected twelve times
    expect(refusalCode('{ me { ...A ...A ...A ...A } } fragment A on CurrentUser { id id id }')).toBe('TOO_MANY_REPEATED_FIELDS');
    // 11 `machines` each with one `items`: machines.items is selected 11 times, though never twice in one set
    expect(refusalCode(`{ ${times(11, () => 'machines { items { id } }')} }`)).toBe('TOO_MANY_REPEATED_FIELDS');
    // aliases inside a fragment count each time it is spread
    expect(refusalCode(`{ ${times(6, (i) => `m${i}: me { ...A }`)} } fragment A on CurrentUser { ${times(9, (i) => `x${i}: id`)} }`)).toBe('TOO_MANY_ALIASES');
    // depth goes through fragments
    expect(refusalCode(`{ machineGroupTree { ...T } } fragment T on MachineGroupTreeNode { ${'children { '.repeat(14)}id${' }'.repeat(14)} }`)).toBe('QUERY_TOO_DEEP');
    // an unused fragment is validated by graphql-js too, so it is checked too
    expect(refusalCode(`{ me { id } } fragment U on CurrentUser { ${times(100, () => 'id')} }`)).toBe('TOO_MANY_REPEATED_FIELDS');
  });

  it('stops on fragment cycles and on fragments that expand exponentially', () => {
    expect(refusalCode('{ me { ...A } } fragment A on CurrentUser { id ...B } fragment B on CurrentUser { email ...A }')).toBeUndefined();
    const doubling = `{ me { ...F0 } } ${times(40, (i) => (i < 39 ? `fragment F${i} on CurrentUser { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on CurrentUser { id }`))}`;
    const t0 = performance.now();
    expect(refusalCode(doubling)).toBe('TOO_MANY_REPEATED_FIELDS');
    // alternate branches reach distinct paths (by nesting): the expansion budget stops them
    const wide = `{ machineGroupTree { ...T0 } } ${times(13, (i) => (i < 12 ? `fragment T${i} on MachineGroupTreeNode { children { ...T${i + 1} } ...T${i + 1} }` : `fragment T${i} on MachineGroupTreeNode { id name }`))}`;
    expect(refusalCode(wide, { ...limits, maxRepeatedFields: 1_000_000, maxTokens: 500 })).toBe('QUERY_TOO_COMPLEX');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('lets every operation of tests/graphql and the introspection query of an IDE through', () => {
    const docs: [string, DocumentNode][] = readdirSync('tests/graphql')
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => [f, parse(readFileSync(`tests/graphql/${f}`, 'utf8'))]);
    expect(docs.length).toBeGreaterThan(0);
    const ide = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    docs.push(['introspection', parse(ide)]);
    for (const [name, doc] of docs) {
      expect(checkDocument(doc, limits)?.message, name).toBeUndefined();
      expect(validate(schema, doc), name).toEqual([]);
    }
  });

  it('keeps graphql-js validation cheap for documents at the edge of every limit', () => {
    const machineFields = ['id', 'name', 'status', 'location', 'createdAt', 'updatedAt', 'isActive', 'lastReadingAt', 'machineIdentifier', 'protocol', 'tenantId', '__typename'];
    const edge = [
      // 50 fragments spread together (pairs of fragments are compared), fields repeated up to the limit
      `{ machine(id: "x") { ${times(50, (i) => `...F${i}`)} } } ${times(50, (i) => `fragment F${i} on Machine { ${machineFields[i % machineFields.length]} }`)}`,
      // every field of two nested types selected 10 times
      `{ machines { items { ${times(10, () => machineFields.join(' '))} groups { ${times(10, () => 'id name description groupType parentId')} } } } }`,
      // 10 parents at each level of a path, with every level below merged across them
      `{ ${times(10, () => 'machines { items { groups { machines { id name status } } } }')} }`,
    ];
    for (const source of edge) {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const t0 = performance.now();
        const r = precheck(source, limits);
        expect('document' in r, source.slice(0, 80)).toBe(true);
        if ('document' in r) validate(schema, r.document);
        best = Math.min(best, performance.now() - t0);
      }
      expect(best, source.slice(0, 80)).toBeLessThan(100);
    }
  });
});

describe('cost before execution', () => {
  it('grows with page sizes, the readings limit and the fleet', () => {
    expect(cost('{ me { id email } }')).toBe(3);
    // pages: pageSize × the selection (default 20), clamped to the service's 1..100
    expect(cost('{ machines { total items { id name } } }')).toBe(1 + 20 * (1 + 1 + 2));
    expect(cost('query($n: Int) { machines(pageSize: $n) { items { id } } }', { n: 100 })).toBe(1 + 100 * 2);
    expect(cost('{ machines(pageSize: 100000) { items { id } } }')).toBe(1 + 100 * 2);
    // readings: one unit per 100 points of the limit (default 10,000)
    expect(cost('{ machineReadings(machineId: "m") { series { points { value } } } }')).toBe(1 + 100 * 3);
    expect(cost('{ machineReadings(machineId: "m", limit: 500) { series { points { value } } } }')).toBe(1 + 5 * 3);
    // the fleet and a group's members count as a full page
    expect(cost('{ fleetStatus { totalMachines machines { id name } } }')).toBe(1 + 100 * (1 + 3));
    // skipped selections cost nothing
    expect(cost('query($s: Boolean!) { me { id } fleetStatus @skip(if: $s) { machines { id } } }', { s: true })).toBe(2);
  });

  it('refuses an operation above the limit with QUERY_TOO_COMPLEX, and leaves variable errors to execution', () => {
    const doc = parse(`{ ${times(25, (i) => `f${i}: fleetStatus { machines { id name status } }`)} }`);
    const refusal = checkCost(schema, doc, getOperationAST(doc)!, {}, limits);
    expect(refusal?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 10000 });
    expect(refusal?.message).toBe('The query costs 10025, more than the limit of 10000');
    const bad = parse('query($n: Int!) { machines(pageSize: $n) { total } }');
    expect(checkCost(schema, bad, getOperationAST(bad)!, { n: 'many' }, limits)).toBeUndefined();
    expect(operationCost(schema, bad, getOperationAST(bad)!, { n: 'many' }, 100_000)).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('removes every form of "Did you mean" and nothing else', () => {
    expect(withoutSuggestions('Cannot query field "mee" on type "Query". Did you mean "me"?')).toBe('Cannot query field "mee" on type "Query".');
    expect(withoutSuggestions('Unknown argument "pagesize" on field "Query.machines". Did you mean "pageSize" or "page"?')).toBe(
      'Unknown argument "pagesize" on field "Query.machines".',
    );
    expect(withoutSuggestions('Value "healthyy" does not exist in "MachineStatus" enum. Did you mean the enum value "healthy"?')).toBe(
      'Value "healthyy" does not exist in "MachineStatus" enum.',
    );
    expect(withoutSuggestions('Machine not found')).toBe('Machine not found');
  });
});
