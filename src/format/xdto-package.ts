import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';

/**
 * A 1C XDTO package (the platform's counterpart of an XSD) read into plain readonly data: the
 * model that conformance checks and the XML wire work from. Only what the package files declare is
 * kept; defaults are filled in so that readers never re-apply XDTO's rules.
 */
export const XS_NAMESPACE = 'http://www.w3.org/2001/XMLSchema';
export const XDTO_NAMESPACE = 'http://v8.1c.ru/8.1/xdto';

export type QName = { readonly namespace: string; readonly name: string };

export type XdtoVariety = 'Atomic' | 'List' | 'Union';

export type XdtoValueType = {
  readonly kind: 'valueType';
  /** Absent for an inline `typeDef`. */
  readonly name?: string;
  readonly base?: QName;
  readonly variety: XdtoVariety;
  readonly itemType?: QName;
  readonly memberTypes: readonly QName[];
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly totalDigits?: number;
  readonly fractionDigits?: number;
  readonly enumeration: readonly string[];
  readonly patterns: readonly string[];
};

export type XdtoObjectType = {
  readonly kind: 'objectType';
  /** Absent for an inline `typeDef`. */
  readonly name?: string;
  readonly base?: QName;
  readonly open: boolean;
  readonly abstract: boolean;
  readonly mixed: boolean;
  /** Whether properties must come in declaration order (XDTO default: true). */
  readonly ordered: boolean;
  readonly sequenced: boolean;
  readonly properties: readonly XdtoProperty[];
};

export type XdtoType = XdtoValueType | XdtoObjectType;

export type XdtoTypeRef = { readonly kind: 'ref'; readonly ref: QName };

export type XdtoPropertyForm = 'Element' | 'Attribute' | 'Text';

export type XdtoProperty = {
  readonly name: string;
  /** A named type, or the property's own inline `typeDef`. */
  readonly type: XdtoTypeRef | XdtoType;
  readonly lowerBound: number;
  /** -1 means unbounded. */
  readonly upperBound: number;
  readonly nillable: boolean;
  readonly form: XdtoPropertyForm;
};

export type XdtoPackage = {
  readonly targetNamespace: string;
  readonly imports: readonly string[];
  readonly valueTypes: ReadonlyMap<string, XdtoValueType>;
  readonly objectTypes: ReadonlyMap<string, XdtoObjectType>;
  /** Global properties (possible document roots); none in the EnterpriseData packages. */
  readonly properties: readonly XdtoProperty[];
};

export class XdtoPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XdtoPackageError';
  }
}

export const ANY_TYPE: QName = { namespace: XS_NAMESPACE, name: 'anyType' };

export function qnameText(qname: QName): string {
  return qname.namespace === XS_NAMESPACE ? `xs:${qname.name}` : `{${qname.namespace}}${qname.name}`;
}

export function sameQName(a: QName, b: QName): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

const REPEATED_ELEMENTS = new Set([
  'import',
  'valueType',
  'objectType',
  'property',
  'enumeration',
  'pattern',
]);
const ATTRIBUTES = '$';
const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: ATTRIBUTES,
  textNodeName: TEXT,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (tagName) => REPEATED_ELEMENTS.has(tagName),
});

type Node = Readonly<Record<string, unknown>>;
type Attributes = Readonly<Record<string, string>>;
type Scope = ReadonlyMap<string, string>;

export function parseXdtoPackage(xml: string): XdtoPackage {
  const document: unknown = parser.parse(xml.startsWith('\uFEFF') ? xml.slice(1) : xml);
  const root = isNode(document) ? document.package : undefined;
  if (!isNode(root)) throw new XdtoPackageError('not an XDTO package: no <package> root element');
  const attributes = attributesOf(root);
  if (attributes.xmlns !== XDTO_NAMESPACE) {
    throw new XdtoPackageError(`<package> is not in the XDTO namespace ${XDTO_NAMESPACE}`);
  }
  const targetNamespace = attributes.targetNamespace;
  if (!targetNamespace) throw new XdtoPackageError('<package> has no targetNamespace');
  const scope = declare(new Map(), attributes);

  const valueTypes = new Map<string, XdtoValueType>();
  for (const node of childrenOf(root, 'valueType')) {
    const type = readValueType(node, scope);
    addUnique(valueTypes, requiredName(type.name, 'valueType'), type);
  }
  const objectTypes = new Map<string, XdtoObjectType>();
  for (const node of childrenOf(root, 'objectType')) {
    const type = readObjectType(node, scope);
    addUnique(objectTypes, requiredName(type.name, 'objectType'), type);
  }
  return {
    targetNamespace,
    imports: childrenOf(root, 'import').map((node) => {
      const namespace = attributesOf(node).namespace;
      if (!namespace) throw new XdtoPackageError('<import> has no namespace');
      return namespace;
    }),
    valueTypes,
    objectTypes,
    properties: childrenOf(root, 'property').map((node) => readProperty(node, scope)),
  };
}

export async function loadXdtoPackage(file: string): Promise<XdtoPackage> {
  const xml = await readFile(file, 'utf8');
  try {
    return parseXdtoPackage(xml);
  } catch (error) {
    if (error instanceof XdtoPackageError) throw new XdtoPackageError(`${file}: ${error.message}`);
    throw error;
  }
}

function readValueType(node: Node, outer: Scope, parent?: string): XdtoValueType {
  const attributes = attributesOf(node);
  const scope = declare(outer, attributes);
  const where = place('valueType', attributes.name, parent);
  const variety = attributes.variety ?? 'Atomic';
  if (variety !== 'Atomic' && variety !== 'List' && variety !== 'Union') {
    throw new XdtoPackageError(`${where}: unknown variety "${variety}"`);
  }
  const memberTypes = attributes.memberTypes?.split(/\s+/).filter((text) => text !== '') ?? [];
  return {
    kind: 'valueType',
    ...optional('name', attributes.name),
    ...optional('base', qnameAttribute(attributes.base, scope, where)),
    variety,
    ...optional('itemType', qnameAttribute(attributes.itemType, scope, where)),
    memberTypes: memberTypes.map((text) => resolveQName(text, scope, where)),
    ...optional('length', count(attributes.length, 'length', where)),
    ...optional('minLength', count(attributes.minLength, 'minLength', where)),
    ...optional('maxLength', count(attributes.maxLength, 'maxLength', where)),
    ...optional('totalDigits', count(attributes.totalDigits, 'totalDigits', where)),
    ...optional('fractionDigits', count(attributes.fractionDigits, 'fractionDigits', where)),
    enumeration: childrenOf(node, 'enumeration').map(textOf),
    patterns: childrenOf(node, 'pattern').map(textOf),
  };
}

function readObjectType(node: Node, outer: Scope, parent?: string): XdtoObjectType {
  const attributes = attributesOf(node);
  const scope = declare(outer, attributes);
  const where = place('objectType', attributes.name, parent);
  return {
    kind: 'objectType',
    ...optional('name', attributes.name),
    ...optional('base', qnameAttribute(attributes.base, scope, where)),
    open: flag(attributes.open, false, 'open', where),
    abstract: flag(attributes.abstract, false, 'abstract', where),
    mixed: flag(attributes.mixed, false, 'mixed', where),
    ordered: flag(attributes.ordered, true, 'ordered', where),
    sequenced: flag(attributes.sequenced, false, 'sequenced', where),
    properties: childrenOf(node, 'property').map((child) => readProperty(child, scope)),
  };
}

function readProperty(node: Node, outer: Scope): XdtoProperty {
  const attributes = attributesOf(node);
  const scope = declare(outer, attributes);
  const name = requiredName(attributes.name, 'property');
  const where = place('property', name, undefined);
  const lowerBound = count(attributes.lowerBound, 'lowerBound', where) ?? 1;
  const upperBound =
    attributes.upperBound === '-1' ? -1 : (count(attributes.upperBound, 'upperBound', where) ?? 1);
  if (upperBound !== -1 && upperBound < lowerBound) {
    throw new XdtoPackageError(`${where}: upperBound ${upperBound} is below lowerBound ${lowerBound}`);
  }
  const form = attributes.form ?? 'Element';
  if (form !== 'Element' && form !== 'Attribute' && form !== 'Text') {
    throw new XdtoPackageError(`${where}: unknown form "${form}"`);
  }
  return {
    name,
    type: readPropertyType(node, attributes, scope, where),
    lowerBound,
    upperBound,
    nillable: flag(attributes.nillable, false, 'nillable', where),
    form,
  };
}

function readPropertyType(
  node: Node,
  attributes: Attributes,
  scope: Scope,
  where: string,
): XdtoTypeRef | XdtoType {
  const typeDef = node.typeDef;
  if (attributes.type !== undefined && typeDef !== undefined) {
    throw new XdtoPackageError(`${where}: has both a type and a typeDef`);
  }
  if (attributes.type !== undefined) return { kind: 'ref', ref: resolveQName(attributes.type, scope, where) };
  if (typeDef === undefined) return { kind: 'ref', ref: ANY_TYPE };
  if (!isNode(typeDef)) throw new XdtoPackageError(`${where}: malformed typeDef`);
  const kind = attributesOf(typeDef)['xsi:type'];
  if (kind === 'ValueType') return readValueType(typeDef, scope, where);
  if (kind === 'ObjectType') return readObjectType(typeDef, scope, where);
  throw new XdtoPackageError(`${where}: typeDef has unknown xsi:type "${kind ?? ''}"`);
}

/** Accepts prefix:name (prefix declared in scope) and the Clark form {namespace}name of memberTypes. */
function resolveQName(text: string, scope: Scope, where: string): QName {
  const clark = /^\{([^}]*)\}(.+)$/.exec(text);
  if (clark) return { namespace: clark[1] ?? '', name: clark[2] ?? '' };
  const colon = text.indexOf(':');
  const prefix = colon === -1 ? '' : text.slice(0, colon);
  const namespace = scope.get(prefix);
  if (namespace === undefined) {
    throw new XdtoPackageError(`${where}: prefix "${prefix}" of "${text}" is not declared`);
  }
  return { namespace, name: text.slice(colon + 1) };
}

function declare(outer: Scope, attributes: Attributes): Scope {
  let scope: Map<string, string> | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    const prefix = key === 'xmlns' ? '' : key.startsWith('xmlns:') ? key.slice(6) : undefined;
    if (prefix === undefined) continue;
    scope ??= new Map(outer);
    scope.set(prefix, value);
  }
  return scope ?? outer;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributesOf(node: Node): Attributes {
  const attributes = node[ATTRIBUTES];
  return isNode(attributes) ? (attributes as Attributes) : {};
}

/** Elements in REPEATED_ELEMENTS always come as arrays; an empty element comes as "". */
function childrenOf(node: Node, name: string): Node[] {
  const children = node[name];
  if (!Array.isArray(children)) return [];
  return children.map((child: unknown) => (isNode(child) ? child : { [TEXT]: String(child) }));
}

function textOf(node: Node): string {
  const text = node[TEXT];
  return typeof text === 'string' ? text : '';
}

function count(text: string | undefined, attribute: string, where: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new XdtoPackageError(`${where}: ${attribute}="${text}" is not a whole number`);
  return Number(text);
}

function flag(text: string | undefined, fallback: boolean, attribute: string, where: string): boolean {
  if (text === undefined) return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new XdtoPackageError(`${where}: ${attribute}="${text}" is not a boolean`);
}

/** Leaves an absent attribute absent rather than present-and-undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function requiredName(name: string | undefined, element: string): string {
  if (!name) throw new XdtoPackageError(`<${element}> has no name`);
  return name;
}

function place(element: string, name: string | undefined, parent: string | undefined): string {
  if (name !== undefined) return `<${element} name="${name}">`;
  return parent === undefined ? `inline <${element}>` : `typeDef of ${parent}`;
}

function qnameAttribute(text: string | undefined, scope: Scope, where: string): QName | undefined {
  return text === undefined ? undefined : resolveQName(text, scope, where);
}

function addUnique<T>(types: Map<string, T>, name: string, type: T): void {
  if (types.has(name)) throw new XdtoPackageError(`type "${name}" is declared twice`);
  types.set(name, type);
}
