import { Alert } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { userErrorText, type UserErrors } from '../../lib/graphql.js';

/**
 * A change to a sender: sends the mutation, refreshes the sender and the list when it succeeded,
 * and gives the problem to show next to the form (the server's error or its userErrors).
 */
export function useSenderChange<V, P extends { userErrors: UserErrors }>(senderId: string, mutationFn: (variables: V) => Promise<P>, onDone?: (payload: P) => void) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn,
    onSuccess: async (payload) => {
      if (payload.userErrors.length) return;
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['sender', senderId] }), queryClient.invalidateQueries({ queryKey: ['senders'] })]);
      onDone?.(payload);
    },
  });
  const problem = mutation.error?.message ?? (mutation.data?.userErrors.length ? userErrorText(mutation.data.userErrors) : undefined);
  return { ...mutation, problem };
}

/** The input problems of the form it sits in. */
export function FormProblem({ problem, title = 'Not saved' }: { problem: string | undefined; title?: string }) {
  if (!problem) return null;
  return (
    <Alert color="red" title={title} role="alert" style={{ whiteSpace: 'pre-line' }}>
      {problem}
    </Alert>
  );
}

/** One origin per line → the list the server stores. */
export const linesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** Mantine's coloured alert titles on their light background fall below WCAG AA contrast: use the text colour. */
export const READABLE_ALERT_TITLE = { label: { color: 'var(--mantine-color-text)' } };
