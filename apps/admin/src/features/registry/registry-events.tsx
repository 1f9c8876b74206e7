import { Badge, Code, Text, Timeline } from '@mantine/core';
import { IconBell, IconBellOff } from '@tabler/icons-react';
import { EmptyState, formatDateTime } from '../../lib/ui.js';

interface RegistryEvent {
  id: string;
  eventType: string;
  recordKind: string;
  payload: Record<string, unknown> | null;
  createdAt: string;
  matchedAt: string | null;
}

const VITAL = new Set(['Death', 'LiveBirth', 'Marriage', 'Divorce']);

/** A record's events, newest first: what happened, when, and whether subscriptions were matched yet. */
export function EventsTimeline({ events }: { events: readonly RegistryEvent[] }) {
  if (!events.length) return <EmptyState>No events recorded yet.</EmptyState>;
  return (
    <Timeline bulletSize={24} lineWidth={2} role="list" aria-label="Events, newest first">
      {events.map((e) => (
        <Timeline.Item
          key={e.id}
          role="listitem"
          bullet={e.matchedAt ? <IconBell size={14} aria-hidden /> : <IconBellOff size={14} aria-hidden />}
          title={
            <>
              <Badge color={VITAL.has(e.eventType) ? 'grape' : 'blue'} tt="none" mr="xs">
                {e.eventType}
              </Badge>
              <Text span size="sm" c="dimmed">
                {e.recordKind}
              </Text>
            </>
          }
        >
          <Text size="sm">{formatDateTime(e.createdAt)}</Text>
          <Text size="xs" c="dimmed">
            {e.matchedAt ? `Matched against subscriptions ${formatDateTime(e.matchedAt)}` : 'Waiting to be matched against subscriptions'}
          </Text>
          {e.payload && Object.keys(e.payload).length > 0 && (
            <details>
              <summary>
                <Text span size="xs">
                  Details
                </Text>
              </summary>
              <Code block>{JSON.stringify(e.payload, null, 2)}</Code>
            </details>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
