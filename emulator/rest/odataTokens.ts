export type Token =
  | { kind: "string"; value: string }
  | { kind: "word"; value: string }
  | { kind: "punct"; value: "(" | ")" | "," };

/** Splits an OData filter into string literals (`'it''s'`), words and punctuation. */
export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const char = filter.charAt(i);
    if (/\s/.test(char)) {
      i++;
    } else if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: "punct", value: char });
      i++;
    } else if (char === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= filter.length) throw new Error("unterminated string literal");
        const next = filter.charAt(i);
        if (next === "'" && filter.charAt(i + 1) === "'") {
          value += "'";
          i += 2;
        } else if (next === "'") {
          i++;
          break;
        } else {
          value += next;
          i++;
        }
      }
      tokens.push({ kind: "string", value });
    } else {
      const match = /^[A-Za-z0-9_.\-/]+/.exec(filter.slice(i));
      if (!match) throw new Error(`unexpected character '${char}' at ${i}`);
      tokens.push({ kind: "word", value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}
