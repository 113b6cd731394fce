/**
 * The one line a person needs when the gateway cannot listen, or null for any other startup failure (those are
 * logged with their details). A busy port is the most common first-run trap; a stack trace hides the fix.
 */
export function listenFailureLine(err: unknown): string | null {
  const e = err as (NodeJS.ErrnoException & { port?: number; address?: string }) | null;
  if (!e || typeof e !== 'object' || e.syscall !== 'listen') return null;
  const where = `PORT ${e.port ?? '?'}${e.address && e.address !== '::' && e.address !== '0.0.0.0' ? ` on ${e.address}` : ''}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `gateway: ${where} is already in use (EADDRINUSE); set PORT to a free port`;
    case 'EACCES':
      return `gateway: ${where} needs privileges this process lacks (EACCES); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `gateway: cannot listen on ${where}: no such local address (EADDRNOTAVAIL); check HOST`;
    default:
      return `gateway: cannot listen on ${where} (${e.code ?? e.message})`;
  }
}
