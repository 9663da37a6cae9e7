/**
 * OPC-UA node ids as text (OPC UA Part 6 §5.3.1.10), parsed and validated without node-opcua so that
 * the API's 422 validation and the edge agent's config check stay light.
 *
 * Accepted forms (the spec's table, plus the namespace-less form for namespace 0 and the
 * namespace-URI form of an ExpandedNodeId):
 *
 * | form | example |
 * |---|---|
 * | numeric | `ns=2;i=1001` |
 * | string | `ns=2;s=Temperature.Value` (everything after `s=` is the identifier, `;` and `=` included) |
 * | GUID | `ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a` |
 * | opaque | `ns=2;b=M/RbKBsRVkePCePcx24oRA==` (standard base64, padded) |
 * | namespace 0 | `i=2258` (no `ns=`) |
 * | namespace URI | `nsu=urn:plant:machines;s=Temperature` (the index is looked up on the server) |
 */

export type NodeIdKind = 'numeric' | 'string' | 'guid' | 'opaque';

export interface ParsedNodeId {
  ok: true;
  /** namespace index (0 when `nsu=` is used: the index is resolved on the server) */
  namespace: number;
  /** set for the `nsu=` form */
  namespaceUri?: string;
  kind: NodeIdKind;
  /** number for `i=`, the text after `s=` / `g=` / `b=` otherwise (GUIDs lower-cased) */
  identifier: number | string;
  /** the normalized text: `ns=2;i=1001`, `i=2258` for namespace 0, `nsu=<uri>;s=X` */
  canonical: string;
}

export interface NodeIdError {
  ok: false;
  message: string;
}

export type NodeIdParseResult = ParsedNodeId | NodeIdError;

/** Longest node id text accepted (DEVICE_SOURCE_LIMITS.nodeId). */
export const MAX_NODE_ID_LENGTH = 1024;
const MAX_NAMESPACE_INDEX = 65_535;
const MAX_NUMERIC_IDENTIFIER = 4_294_967_295;

const KIND_BY_LETTER: Record<string, NodeIdKind> = { i: 'numeric', s: 'string', g: 'guid', b: 'opaque' };
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// C0 / C1 controls and DEL: never part of an identifier someone meant to type.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

const EXAMPLE = 'e.g. ns=2;i=1001, ns=2;s=Temperature.Value, ns=2;g=09087e75-8e5e-499b-954f-f2a9603db28a, ns=2;b=M/RbKBsRVkePCePcx24oRA== or i=2258';

function fail(message: string): NodeIdError {
  return { ok: false, message };
}

function quote(text: string): string {
  return text.length > 60 ? `'${text.slice(0, 57)}...'` : `'${text}'`;
}

/** Parses one node id; never throws. */
export function parseNodeId(text: unknown): NodeIdParseResult {
  if (typeof text !== 'string') return fail('Node id must be a string');
  if (text.length === 0) return fail('Node id must not be empty');
  if (text.length > MAX_NODE_ID_LENGTH) return fail(`Node id is longer than ${MAX_NODE_ID_LENGTH} characters`);
  if (text.trim() !== text) return fail(`Node id ${quote(text)} has leading or trailing whitespace`);
  if (CONTROL_RE.test(text)) return fail('Node id contains a control character');

  let namespace = 0;
  let namespaceUri: string | undefined;
  let rest = text;

  if (/^nsu=/i.test(rest)) {
    const semi = rest.indexOf(';');
    if (semi < 0) return fail(`Node id ${quote(text)} has a namespace URI but no identifier (${EXAMPLE})`);
    namespaceUri = rest.slice(4, semi);
    if (namespaceUri.length === 0) return fail(`Node id ${quote(text)} has an empty namespace URI`);
    rest = rest.slice(semi + 1);
  } else if (/^ns=/i.test(rest)) {
    const semi = rest.indexOf(';');
    if (semi < 0) return fail(`Node id ${quote(text)} has a namespace but no identifier (${EXAMPLE})`);
    const nsText = rest.slice(3, semi);
    if (!/^\d{1,5}$/.test(nsText) || Number(nsText) > MAX_NAMESPACE_INDEX) {
      return fail(`Namespace index of node id ${quote(text)} must be an integer from 0 to ${MAX_NAMESPACE_INDEX} (got '${nsText}')`);
    }
    namespace = Number(nsText);
    rest = rest.slice(semi + 1);
  }

  const match = /^([a-zA-Z])=/.exec(rest);
  const letter = match?.[1];
  const kind = letter ? KIND_BY_LETTER[letter.toLowerCase()] : undefined;
  if (!match || !kind || !letter) {
    return fail(`Node id ${quote(text)} is not of the form ns=<index>;<i|s|g|b>=<identifier> (${EXAMPLE})`);
  }
  if (letter !== letter.toLowerCase()) {
    return fail(`Identifier type of node id ${quote(text)} must be lower case ('${letter.toLowerCase()}=', not '${letter}=')`);
  }
  const raw = rest.slice(2);
  const prefix = namespaceUri !== undefined ? `nsu=${namespaceUri};` : namespace === 0 ? '' : `ns=${namespace};`;

  switch (kind) {
    case 'numeric': {
      if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_NUMERIC_IDENTIFIER) {
        return fail(`Numeric identifier of node id ${quote(text)} must be an integer from 0 to ${MAX_NUMERIC_IDENTIFIER} (got '${raw}')`);
      }
      const id = Number(raw);
      return { ok: true, namespace, namespaceUri, kind, identifier: id, canonical: `${prefix}i=${id}` };
    }
    case 'string': {
      if (raw.length === 0) return fail(`String identifier of node id ${quote(text)} must not be empty`);
      return { ok: true, namespace, namespaceUri, kind, identifier: raw, canonical: `${prefix}s=${raw}` };
    }
    case 'guid': {
      if (!GUID_RE.test(raw)) {
        return fail(`GUID identifier of node id ${quote(text)} must be 32 hex digits as 8-4-4-4-12 (e.g. 09087e75-8e5e-499b-954f-f2a9603db28a)`);
      }
      const guid = raw.toLowerCase();
      return { ok: true, namespace, namespaceUri, kind, identifier: guid, canonical: `${prefix}g=${guid}` };
    }
    case 'opaque': {
      if (raw.length === 0) return fail(`Opaque identifier of node id ${quote(text)} must not be empty`);
      if (!BASE64_RE.test(raw)) {
        return fail(`Opaque identifier of node id ${quote(text)} must be standard base64 with padding (e.g. M/RbKBsRVkePCePcx24oRA==)`);
      }
      return { ok: true, namespace, namespaceUri, kind, identifier: raw, canonical: `${prefix}b=${raw}` };
    }
  }
}

/** True when `text` is a valid node id. */
export function isValidNodeId(text: unknown): boolean {
  return parseNodeId(text).ok;
}
