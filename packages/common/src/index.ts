export { AppError, ERROR_STATUS, isAppError, statusForCode, toAppError } from './errors';
export type { ErrorBody, ErrorCode } from './errors';
export { createLogger } from './logger';
export type { Logger } from './logger';
export { env, parseEnv, describeEnv } from './env';
export type { EnvConfig, EnvVarSpec } from './env';
export { DEFAULT_ASSETS_DIR, assetPath, repoRoot, resolveAssetsDir } from './assets';
export { docSectionMatches, writeDocSection } from './doc-sections';
export { freePort } from './net';
