import { tokenize, type Token } from "./odataTokens.js";

/** What a filter can see of a connection. */
export interface FilterSubject {
  connectionId: string;
  userId: string | undefined;
  groups: ReadonlySet<string>;
  protocol: string | undefined;
}

export type Predicate = (subject: FilterSubject) => boolean;
type Value = (subject: FilterSubject) => string | null | ReadonlySet<string> | string[];

const FIELDS = ["connectionid", "userid", "groups", "protocol"];

/**
 * Compiles an OData filter over connections: `eq`/`ne` between fields (`connectionId`, `userId`,
 * `protocol`), string literals and `null`; `'g' in groups`; `userId in ('a','b')`; `and`, `or`,
 * `not` and parentheses. Throws an Error with a reason on bad syntax.
 */
export function compileFilter(filter: string): Predicate {
  const tokens = tokenize(filter);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isWord = (word: string): boolean => {
    const token = peek();
    return token?.kind === "word" && token.value.toLowerCase() === word;
  };
  const expectPunct = (value: string): void => {
    const token = tokens[position++];
    if (token?.kind !== "punct" || token.value !== value) throw new Error(`expected '${value}'`);
  };

  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (isWord("or")) {
      position++;
      const [a, b] = [left, parseAnd()];
      left = (s) => a(s) || b(s);
    }
    return left;
  };
  const parseAnd = (): Predicate => {
    let left = parseUnary();
    while (isWord("and")) {
      position++;
      const [a, b] = [left, parseUnary()];
      left = (s) => a(s) && b(s);
    }
    return left;
  };
  const parseUnary = (): Predicate => {
    if (isWord("not")) {
      position++;
      const inner = parseUnary();
      return (s) => !inner(s);
    }
    const token = peek();
    if (token?.kind === "punct" && token.value === "(") {
      position++;
      const inner = parseOr();
      expectPunct(")");
      return inner;
    }
    return parseComparison();
  };
  const parseOperand = (): Value => {
    const token = tokens[position++];
    if (token?.kind === "string") return () => token.value;
    if (token?.kind === "punct" && token.value === "(") {
      const items: string[] = [];
      for (;;) {
        const item = tokens[position++];
        if (item?.kind !== "string") throw new Error("expected a string in the list");
        items.push(item.value);
        const separator = tokens[position++];
        if (separator?.kind === "punct" && separator.value === ")") return () => items;
        if (separator?.kind !== "punct" || separator.value !== ",") throw new Error("expected ','");
      }
    }
    if (token?.kind !== "word") throw new Error("expected an operand");
    const name = token.value.toLowerCase();
    if (name === "null") return () => null;
    if (!FIELDS.includes(name)) throw new Error(`unknown field '${token.value}'`);
    return (s) => fieldOf(s, name);
  };
  const parseComparison = (): Predicate => {
    const left = parseOperand();
    const operator = tokens[position++];
    if (operator?.kind !== "word") throw new Error("expected an operator");
    const op = operator.value.toLowerCase();
    const right = parseOperand();
    if (op === "eq") return (s) => equal(left(s), right(s));
    if (op === "ne") return (s) => !equal(left(s), right(s));
    if (op === "in") return (s) => contains(right(s), left(s));
    throw new Error(`unsupported operator '${operator.value}'`);
  };

  const predicate = parseOr();
  if (position < tokens.length) throw new Error("unexpected text after the expression");
  return predicate;
}

function fieldOf(subject: FilterSubject, name: string): string | null | ReadonlySet<string> {
  if (name === "connectionid") return subject.connectionId;
  if (name === "userid") return subject.userId ?? null;
  if (name === "protocol") return subject.protocol ?? null;
  return subject.groups;
}

function equal(a: ReturnType<Value>, b: ReturnType<Value>): boolean {
  if (typeof a === "object" && a !== null) return false;
  if (typeof b === "object" && b !== null) return false;
  return a === b;
}

function contains(collection: ReturnType<Value>, item: ReturnType<Value>): boolean {
  if (typeof item !== "string") return false;
  if (collection instanceof Set) return collection.has(item);
  return Array.isArray(collection) && collection.includes(item);
}
