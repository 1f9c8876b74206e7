import { Badge } from '@mantine/core';

// Dark shades (and yellow with dark text) keep WCAG AA contrast.
const DCI_STATUS = { succ: { label: 'succ', color: 'teal.9' }, rjct: { label: 'rjct', color: 'red.9' }, pdng: { label: 'pdng', color: 'yellow.4' } } as const;

export const DCI_STATUS_OPTIONS = [
  { value: 'succ', label: 'succ (succeeded)' },
  { value: 'rjct', label: 'rjct (rejected)' },
  { value: 'pdng', label: 'pdng (pending)' },
];

export const OPERATION_OPTIONS = ['search', 'verify', 'subscribe', 'unsubscribe', 'txn_status', 'notify'];

export function DciStatusBadge({ status }: { status: string }) {
  const known = DCI_STATUS[status as keyof typeof DCI_STATUS];
  return (
    <Badge variant="filled" color={known?.color ?? 'gray.7'} autoContrast>
      {known?.label ?? status}
    </Badge>
  );
}

/** 2xx green, 4xx red outline, 5xx solid red. */
export function HttpStatusBadge({ status }: { status: number }) {
  return (
    <Badge variant={status >= 500 ? 'filled' : 'outline'} color={status >= 400 ? 'red.9' : 'teal.9'}>
      {status}
    </Badge>
  );
}
