import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum';

/** Body of `GET /healthz`. */
export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { description: 'the process answers' });
export type Health = Static<typeof HealthSchema>;

/** Body of `GET /readyz` (200 when ready, 503 when not). */
export const ReadySchema = Type.Object(
  {
    status: StringEnum(['ready', 'not ready']),
    checks: Type.Object({ redis: Type.Boolean(), model: Type.Boolean(), queueAccepting: Type.Boolean() }),
  },
  { description: 'whether the gateway can take work, and what it checked' },
);
export type Ready = Static<typeof ReadySchema>;
