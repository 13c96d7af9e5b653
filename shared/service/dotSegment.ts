/**
 * True for `.` and `..`: a user or group so named cannot be put in a REST path, since URL
 * parsing removes such segments (`groups/../:send` becomes the hub's `:send`, a send to every
 * connection). They are refused wherever a name reaches the service.
 */
export function isDotSegment(name: string): boolean {
  return name === "." || name === "..";
}
