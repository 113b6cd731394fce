export { stackEnvSpec, loadStackConfig } from './config';
export type { StackConfig } from './config';
