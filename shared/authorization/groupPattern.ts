/**
 * Group-name patterns, matched without backtracking: a set of pattern positions is advanced one
 * character at a time, so a check costs at most (name length × pattern length) steps.
 */

type Token =
  | { readonly kind: "literal"; readonly text: string }
  /** `?` of the service's wildcard roles: one character other than `.`. */
  | { readonly kind: "one" }
  /** Any run of characters; `dots: false` for the service's `*`, which stops at `.`. */
  | { readonly kind: "run"; readonly dots: boolean };

/** A compiled pattern. `{userId}` parts are filled in per check, always as literal text. */
export class GroupPattern {
  private constructor(
    readonly source: string,
    private readonly tokens: readonly (Token | { readonly kind: "userId" })[],
  ) {}

  /**
   * A pattern of the `SWITCHBOARD_*_GROUPS` settings: `*` matches any run of characters,
   * `{userId}` stands for the connection's user id, everything else matches itself exactly.
   */
  static fromSetting(source: string): GroupPattern {
    const tokens: (Token | { kind: "userId" })[] = [];
    for (const part of source.split(/(\*|\{userId\})/)) {
      if (part === "*") tokens.push({ kind: "run", dots: true });
      else if (part === "{userId}") tokens.push({ kind: "userId" });
      else if (part !== "") tokens.push({ kind: "literal", text: part });
    }
    return new GroupPattern(source, tokens);
  }

  /**
   * The pattern of a service wildcard role (`webpubsub.joinLeaveGroups.<pattern>`): `?` is one
   * character other than `.`, `*` a run without `.`, `**` any run, `\` escapes `\`, `*` or `?`.
   * Undefined for a pattern the service refuses (more than five `*` characters, counting each of
   * a `**`) or does not define (a `\` before anything else, or at the end): it grants nothing.
   */
  static fromServiceWildcard(source: string): GroupPattern | undefined {
    const tokens: Token[] = [];
    const chars = Array.from(source);
    let stars = 0;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] ?? "";
      if (ch === "\\") {
        const next = chars[i + 1];
        if (next !== "\\" && next !== "*" && next !== "?") return undefined;
        tokens.push({ kind: "literal", text: next });
        i++;
      } else if (ch === "*") {
        const double = chars[i + 1] === "*";
        stars += double ? 2 : 1;
        if (double) i++;
        tokens.push({ kind: "run", dots: double });
      } else if (ch === "?") {
        tokens.push({ kind: "one" });
      } else {
        tokens.push({ kind: "literal", text: ch });
      }
    }
    return stars > 5 ? undefined : new GroupPattern(source, tokens);
  }

  /** True when the whole of `group` matches (case-sensitive). */
  matches(group: string, userId: string): boolean {
    const tokens = this.expand(userId);
    let active = closure(tokens, new Set([0]));
    for (const ch of group) {
      const next = new Set<number>();
      for (const at of active) {
        const token = tokens[at];
        if (token === undefined) continue;
        if (token.kind === "literal") {
          if (token.text === ch) next.add(at + 1);
        } else if (token.kind === "one") {
          if (ch !== ".") next.add(at + 1);
        } else if (token.dots || ch !== ".") {
          next.add(at);
        }
      }
      if (next.size === 0) return false;
      active = closure(tokens, next);
    }
    return active.has(tokens.length);
  }

  /** One literal token per character (code point), with the user id put in as plain text. */
  private expand(userId: string): Token[] {
    const tokens: Token[] = [];
    const literal = (text: string) => {
      for (const ch of text) tokens.push({ kind: "literal", text: ch });
    };
    for (const token of this.tokens) {
      if (token.kind === "userId") literal(userId);
      else if (token.kind === "literal") literal(token.text);
      else tokens.push(token);
    }
    return tokens;
  }
}

/** Adds the positions reachable without reading a character (past runs, which may be empty). */
function closure(tokens: readonly Token[], positions: Set<number>): Set<number> {
  for (const at of positions) {
    if (tokens[at]?.kind === "run") positions.add(at + 1);
  }
  return positions;
}

/** The first of `patterns` that matches `group` for this user, if any. */
export function anyMatches(
  patterns: readonly GroupPattern[],
  group: string,
  userId: string,
): GroupPattern | undefined {
  return patterns.find((pattern) => pattern.matches(group, userId));
}
