import type { SettingName } from "./settingNames.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads typed settings from an environment and collects every problem instead of stopping at the first. */
export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  text(name: SettingName): string | undefined {
    return this.raw(name);
  }

  /** A setting whose name is built from another's (`<connection>__accountName`). */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === "" ? undefined : value;
  }

  required(name: SettingName, why: string): string {
    const value = this.text(name);
    if (value === undefined) this.problems.push(`${name} is missing (${why})`);
    return value ?? "";
  }

  boolean(name: SettingName, fallback: boolean): boolean {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    this.problems.push(`${name} must be true or false`);
    return fallback;
  }

  integer(name: SettingName, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  /** A comma-separated list; blanks are dropped, duplicates removed. */
  list(name: SettingName): readonly string[] {
    const value = this.text(name);
    if (value === undefined) return [];
    return [
      ...new Set(
        value
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item !== ""),
      ),
    ];
  }

  problem(message: string): void {
    this.problems.push(message);
  }
}
