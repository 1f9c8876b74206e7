import type { TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';

/** Every background job the worker runs, by name. */
export function taskList(_ctx: AppContext): TaskList {
  return {};
}
