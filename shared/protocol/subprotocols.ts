/** Client subprotocols whose messages the app understands, most capable first. */
export const SUPPORTED_SUBPROTOCOLS = [
  "json.reliable.webpubsub.azure.v1",
  "json.webpubsub.azure.v1",
] as const;

/** The first supported subprotocol the client offered, honouring the client's order. */
export function chooseSubprotocol(offered: readonly string[] | undefined): string | undefined {
  return offered?.find((name) => (SUPPORTED_SUBPROTOCOLS as readonly string[]).includes(name));
}

/** True for a client of one of the JSON subprotocols, which expects acks as JSON messages. */
export function isJsonSubprotocol(subprotocol: string | undefined): boolean {
  return subprotocol?.startsWith("json.") === true;
}
