import { DciError } from '@dci-server/dci';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DciEndpoint, HandlerResult } from '../dci/call.js';
import { parseRecord } from '../registry/record-input.js';
import { IdentifierConflictError, recordEvent, upsertGroup, upsertPerson } from '../registry/registry-writes.js';
import { normalizeEventType } from '../subscriptions/event-types.js';

interface NotifyEvent {
  reference_id: string;
  data: { reg_event_type?: string; reg_records: unknown };
}

/** Vital events that are facts of their own; REGISTER / UPDATE / Death follow from the record change itself. */
const DECLARED_EVENTS = new Set(['LiveBirth', 'Marriage', 'Divorce', 'NewHouseHoldMember']);

/**
 * `/registry/notify`: a sender allowed `notify` (e.g. a civil registry reporting a death) pushes
 * records; they are applied to the registry in one transaction, writing outbox events, which in
 * turn notify our own subscribers. All or nothing: a bad event refuses the whole message, and the
 * changes commit only with the call's audit record.
 */
export const inboundNotify: DciEndpoint = {
  path: '/registry/notify',
  // The CRVS spec's notify: same envelope as the social one, but any event type (Death, LiveBirth, …).
  schemaPath: 'crvs:/registry/notify',
  operation: 'notify',
  action: 'notify',
  responseAction: 'on-notify',
  itemsField: 'notify_event',
  writes: true,
  async handle(call): Promise<HandlerResult> {
    const events = (call.message as { notify_event: NotifyEvent[] }).notify_event;
    return { kind: 'write', apply: (em) => applyEvents(em, events) };
  },
};

async function applyEvents(em: EntityManager, events: NotifyEvent[]): Promise<void> {
  for (const event of events) {
    const eventType = event.data.reg_event_type ? normalizeEventType(event.data.reg_event_type) : undefined;
    const records = Array.isArray(event.data.reg_records) ? event.data.reg_records : [event.data.reg_records];
    for (const raw of records) {
      const refuse = (error: Error) => new DciError('err.request.bad', `notify_event ${event.reference_id}: ${error.message}`);
      let record;
      try {
        record = parseRecord(raw);
      } catch (error) {
        throw refuse(error as Error);
      }
      const { entity } = await (record.kind === 'Group' ? upsertGroup(em, record.group) : upsertPerson(em, record.person)).catch((error: unknown) => {
        // Identifiers of two different persons: the sender's record is wrong, never merged.
        throw error instanceof IdentifierConflictError ? refuse(error) : error;
      });
      if (eventType && DECLARED_EVENTS.has(eventType)) recordEvent(em, eventType, record.kind, entity.id);
    }
  }
}
