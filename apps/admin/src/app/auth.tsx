import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { graphql, request, type ResultOf } from '../lib/graphql.js';

export const MeQuery = graphql(`
  query Me {
    me {
      email
      role
    }
  }
`);

export type Me = NonNullable<ResultOf<typeof MeQuery>['me']>;

const MeContext = createContext<Me | undefined>(undefined);

/** The signed-in staff member (inside RequireAuth). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside RequireAuth');
  return me;
}

/** Whether the signed-in role may change things (auditors only read). */
export function useCanChange(): boolean {
  return useMe().role !== 'auditor';
}

/** Only signed-in staff see the console; others go to the login page, then back to where they were. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useQuery({ queryKey: ['me'], queryFn: () => request(MeQuery) });
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  if (!me.data?.me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <MeContext.Provider value={me.data.me}>{children}</MeContext.Provider>;
}
