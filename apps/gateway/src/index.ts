export { gatewayEnvSpec, loadGatewayConfig } from './config';
export type { GatewayConfig } from './config';
export { createApp } from './app';
export { startGateway } from './server';
export { openApiDocument } from './openapi';
