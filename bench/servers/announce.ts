/** Servers tell the bench runner their port on one JSON line. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
