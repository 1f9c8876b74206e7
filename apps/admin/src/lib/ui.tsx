/** Small pieces every screen uses: page header, loading / error / empty states, confirmations, dates. */
import { Alert, Button, Center, Group, Loader, Stack, Text, Title, type ButtonProps } from '@mantine/core';
import { modals } from '@mantine/modals';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" mb="md">
      <Stack gap={2}>
        <Title order={2}>{title}</Title>
        {description && (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        )}
      </Stack>
      {actions && <Group>{actions}</Group>}
    </Group>
  );
}

/** Loading, then the server's error message, then `children(data)`. */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <Alert color="red" title="Could not load this" role="alert">
        {query.error.message}
      </Alert>
    );
  }
  return <>{children(query.data)}</>;
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" ta="center" py="xl">
      {children}
    </Text>
  );
}

/** A button that asks before doing something that cannot be undone. */
export function ConfirmButton({ title, message, confirmLabel, onConfirm, ...button }: ButtonProps & { title: string; message: ReactNode; confirmLabel: string; onConfirm: () => void; children: ReactNode }) {
  const open = () =>
    modals.openConfirmModal({
      title,
      children: <Text size="sm">{message}</Text>,
      labels: { confirm: confirmLabel, cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm,
    });
  return <Button color="red" variant="light" {...button} onClick={open} />;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

/** Dates in UTC, as the server logs them. */
export function formatDateTime(value: string | null | undefined): string {
  return value ? `${dateTime.format(new Date(value))} UTC` : '–';
}
