import * as contracts from '@mserve/contracts';
import * as wire from './wire';

/** True when A and B are the same type (each assignable to the other, `any` excluded). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameType = <A, B>(proof: Equal<A, B>) => proof;

describe('the generated wire types', () => {
  it('are the types the contracts infer from their schemas (checked by pnpm typecheck)', () => {
    const proofs = [
      sameType<wire.JobAccepted, contracts.JobAccepted>(true),
      sameType<wire.JobPending, contracts.JobPending>(true),
      sameType<wire.JobCompleted, contracts.JobCompleted>(true),
      sameType<wire.JobFailed, contracts.JobFailed>(true),
      sameType<wire.Job, contracts.Job>(true),
      sameType<wire.InferenceResult, contracts.InferenceResult>(true),
      sameType<wire.ErrorBody, contracts.ErrorBody>(true),
      sameType<wire.Models, contracts.Models>(true),
      sameType<wire.WebhookEvent, contracts.WebhookEvent>(true),
      sameType<wire.WebhookRequest, contracts.WebhookRequest>(true),
      sameType<wire.WebhookDeliveryState, contracts.WebhookDeliveryState>(true),
      sameType<wire.WebhookPayload, contracts.WebhookPayload>(true),
      sameType<wire.JsonSubmission, contracts.JsonSubmission>(true),
      sameType<wire.Ready, contracts.Ready>(true),
      sameType<wire.Health, contracts.Health>(true),
    ];
    expect(proofs.every(Boolean)).toBe(true);
  });

  it('carry the contracts’ bounds and event names', () => {
    expect([wire.SAMPLES_MIN, wire.SAMPLES_MAX]).toEqual([contracts.SAMPLES_MIN, contracts.SAMPLES_MAX]);
    expect(wire.WEBHOOK_EVENTS).toEqual(contracts.WEBHOOK_EVENTS);
  });
});
