/**
 * Matches a group name against a wildcard role pattern: `?` one character except `.`, `*` any
 * run without `.`, `**` any run, `\` escapes `\`, `*` and `?`. Case-sensitive.
 */
export function matchGroupPattern(pattern: string, group: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === "\\" && i + 1 < pattern.length) {
      source += escapeRegExp(pattern.charAt(++i));
    } else if (char === "*" && pattern.charAt(i + 1) === "*") {
      source += "[\\s\\S]*";
      i++;
    } else if (char === "*") {
      source += "[^.]*";
    } else if (char === "?") {
      source += "[^.]";
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, "u").test(group);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
