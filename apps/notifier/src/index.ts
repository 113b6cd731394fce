export { loadNotifierConfig, notifierEnvSpec } from './config';
export type { NotifierConfig } from './config';
export { startNotifier } from './run';
export type { Notifier } from './run';
