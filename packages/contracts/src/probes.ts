import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum';

/** Body of `GET /healthz`. */
export const HealthSchema = Type.Object({ status: Type.Literal('ok') });
export type Health = Static<typeof HealthSchema>;

/** Body of `GET /readyz` (200 when ready, 503 when not). */
export const ReadySchema = Type.Object({
  status: StringEnum(['ready', 'not ready']),
  checks: Type.Object({ redis: Type.Boolean(), model: Type.Boolean(), queueAccepting: Type.Boolean() }),
});
export type Ready = Static<typeof ReadySchema>;
