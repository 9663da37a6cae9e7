import { describe, expect, it } from 'vitest';
import { isValidNodeId, parseNodeId } from '../../src/connectivity/opcua-node-id.js';

function ok(text: string) {
  const r = parseNodeId(text);
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.message}`);
  return r;
}

function message(text: unknown): string {
  const r = parseNodeId(text);
  if (r.ok) throw new Error(`expected ${String(text)} to be refused`);
  return r.message;
}

describe('parseNodeId: every form of the spec', () => {
  it('numeric', () => {
    expect(ok('ns=2;i=1001')).toEqual({ ok: true, namespace: 2, namespaceUri: undefined, kind: 'numeric', identifier: 1001, canonical: 'ns=2;i=1001' });
    expect(ok('ns=0;i=4294967295').identifier).toBe(4_294_967_295);
  });

  it('string, with ; and = inside the identifier', () => {
    expect(ok('ns=2;s=Temperature.Value')).toMatchObject({ namespace: 2, kind: 'string', identifier: 'Temperature.Value' });
    expect(ok('ns=3;s=Line 1;Cell=4')).toMatchObject({ namespace: 3, kind: 'string', identifier: 'Line 1;Cell=4' });
    expect(ok('ns=2;s=Température/Ω').identifier).toBe('Température/Ω');
  });

  it('GUID (normalized to lower case)', () => {
    expect(ok('ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a')).toMatchObject({
      kind: 'guid',
      identifier: '09087e75-8e5e-499b-954f-f2a9603db28a',
    });
    expect(ok('ns=2;g=09087E75-8E5E-499B-954F-F2A9603DB28A').canonical).toBe('ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a');
  });

  it('opaque (base64)', () => {
    expect(ok('ns=2;b=M/RbKBsRVkePCePcx24oRA==')).toMatchObject({ kind: 'opaque', identifier: 'M/RbKBsRVkePCePcx24oRA==' });
    expect(ok('ns=1;b=AQID').identifier).toBe('AQID');
  });

  it('namespace 0 without ns=', () => {
    expect(ok('i=2258')).toMatchObject({ namespace: 0, kind: 'numeric', identifier: 2258, canonical: 'i=2258' });
    expect(ok('ns=0;i=85').canonical).toBe('i=85');
    expect(ok('s=Foo').canonical).toBe('s=Foo');
  });

  it('namespace URI (ExpandedNodeId form)', () => {
    expect(ok('nsu=urn:plant:machines;s=Temp')).toMatchObject({
      namespace: 0,
      namespaceUri: 'urn:plant:machines',
      kind: 'string',
      identifier: 'Temp',
      canonical: 'nsu=urn:plant:machines;s=Temp',
    });
  });

  it('isValidNodeId', () => {
    expect(isValidNodeId('ns=2;i=1')).toBe(true);
    expect(isValidNodeId('nope')).toBe(false);
    expect(isValidNodeId(42)).toBe(false);
  });
});

describe('parseNodeId: refusals name the problem', () => {
  it.each([
    ['', /must not be empty/],
    [' ns=2;i=1', /leading or trailing whitespace/],
    ['ns=2;i=1 ', /leading or trailing whitespace/],
    ['ns=2;s=a\u0000b', /control character/],
    ['Temperature', /not of the form ns=<index>;<i\|s\|g\|b>=<identifier>/],
    ['ns=2', /namespace but no identifier/],
    ['ns=2;x=1', /not of the form/],
    ['ns=2;I=1', /must be lower case \('i=', not 'I='\)/],
    ['ns=abc;i=1', /Namespace index .* must be an integer from 0 to 65535 \(got 'abc'\)/],
    ['ns=65536;i=1', /Namespace index .* 0 to 65535/],
    ['ns=-1;i=1', /Namespace index/],
    ['ns=;i=1', /Namespace index/],
    ['ns=2;i=', /Numeric identifier .* \(got ''\)/],
    ['ns=2;i=12a', /Numeric identifier .* \(got '12a'\)/],
    ['ns=2;i=-5', /Numeric identifier/],
    ['ns=2;i=4294967296', /Numeric identifier .* 0 to 4294967295/],
    ['ns=2;i=1.5', /Numeric identifier/],
    ['ns=2;s=', /String identifier .* must not be empty/],
    ['ns=2;g=09087e75-8e5e-499b-954f', /GUID identifier .* 8-4-4-4-12/],
    ['ns=2;g=zz087e75-8e5e-499b-954f-f2a9603db28a', /GUID identifier/],
    ['ns=2;b=', /Opaque identifier .* must not be empty/],
    ['ns=2;b=M/RbKBsRVkePCePcx24oRA', /Opaque identifier .* standard base64 with padding/],
    ['ns=2;b=M_RbKBsRVkePCePcx24oRA==', /standard base64/],
    ['nsu=;s=x', /empty namespace URI/],
    ['nsu=urn:x', /namespace URI but no identifier/],
  ])('%j', (text, expected) => {
    expect(message(text)).toMatch(expected);
  });

  it('non-strings and overlong text', () => {
    expect(message(undefined)).toBe('Node id must be a string');
    expect(message(`ns=2;s=${'x'.repeat(1100)}`)).toMatch(/longer than 1024 characters/);
  });

  it('quotes long input shortened', () => {
    const m = message(`bogus${'y'.repeat(200)}`);
    expect(m).toContain("...'");
    expect(m.length).toBeLessThan(400);
  });
});
