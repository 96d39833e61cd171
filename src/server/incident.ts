// Internal failures: details go to the server log under a short incident id; clients get a fixed text naming only that id.
// Why: exception messages carry internals (runtime limits, storage paths, key names, stack
// fragments) that are no business of a client, yet the client needs a handle for the operator
// to find the log line. 8 hex digits (32 random bits) keep ids apart among the incidents of a day.

/** Where incidents are logged (console.error in the runtime; tests replace it to look). */
export let incidentLog: (line: string, e: unknown) => void = (line, e) => console.error(line, e);

export function setIncidentLog(log: (line: string, e: unknown) => void): void {
  incidentLog = log;
}

/** Log `e` with what was being done, and return the incident id to give the client. */
export function incident(context: string, e: unknown): string {
  const b = (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(new Uint8Array(4));
  let id = '';
  for (const x of b) id += x.toString(16).padStart(2, '0');
  incidentLog(`incident ${id}: ${context}`, e);
  return id;
}

/** The one text a client sees for an internal failure. */
export function internalError(id: string): string {
  return `ERR internal error (incident ${id})`;
}
