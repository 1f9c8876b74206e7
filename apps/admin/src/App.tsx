import { useQuery } from '@tanstack/react-query';

interface Readiness {
  status: string;
  database: string;
  migrations?: string;
}

/** Placeholder console: shows whether the server is ready; the management screens come later. */
export function App() {
  const readiness = useQuery({
    queryKey: ['readyz'],
    queryFn: async (): Promise<Readiness> => (await fetch('/readyz')).json(),
    refetchInterval: 5000,
  });
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto', padding: '0 1rem' }}>
      <h1>DCI Server console</h1>
      <p>
        Server status:{' '}
        <strong data-testid="server-status">{readiness.isPending ? 'checking…' : readiness.isError ? 'unreachable' : readiness.data.status}</strong>
      </p>
      <ul>
        <li>
          <a href="/.well-known/jwks.json">Server public keys (JWKS)</a>
        </li>
        <li>
          <a href="/docs">API documentation</a>
        </li>
      </ul>
    </main>
  );
}
