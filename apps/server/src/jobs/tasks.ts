import type { TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { deliverNotification } from '../notifications/delivery.js';
import { sendDigests } from '../notifications/digests.js';
import { matchRegistryEvents } from '../notifications/matcher.js';
import { sweepNotifications } from '../notifications/sweeper.js';
import { maintainTransactionPartitions } from '../transactions/partitions.js';
import { asyncAnswerTasks } from './async-answers.js';

/** Every background job the worker runs, by name. */
export function taskList(ctx: AppContext): TaskList {
  return {
    ...asyncAnswerTasks(ctx),
    'match-registry-events': matchRegistryEvents(ctx),
    'deliver-notification': deliverNotification(ctx),
    'sweep-notifications': sweepNotifications(ctx),
    'send-digests': sendDigests(ctx),
    'maintain-audit-partitions': maintainTransactionPartitions(ctx),
  };
}

/** Recurring jobs (graphile-worker crontab syntax). */
export const CRONTAB = ['* * * * * sweep-notifications', '* * * * * send-digests', '17 * * * * maintain-audit-partitions'].join('\n');
