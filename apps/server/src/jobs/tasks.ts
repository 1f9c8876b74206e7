import type { TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { asyncAnswerTasks } from './async-answers.js';

/** Every background job the worker runs, by name. */
export function taskList(ctx: AppContext): TaskList {
  return { ...asyncAnswerTasks(ctx) };
}
