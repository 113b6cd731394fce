import Joi from 'joi';
import { AppError } from '@mserve/common';
import { WEBHOOK_EVENTS, type WebhookRequest } from './types';

/**
 * Shape of the `webhook` field of a submission. The URL is only checked for being a string here: whether it may
 * be delivered to (scheme, address) is {@link assertDeliverableUrl}'s job, which answers 422 rather than 400.
 */
export const webhookRequestSchema = Joi.object<WebhookRequest>({
  url: Joi.string().trim().min(1).max(2048).required(),
  events: Joi.array()
    .items(Joi.string().valid(...WEBHOOK_EVENTS))
    .min(1)
    .unique(),
}).unknown(false);

/**
 * Parses the `webhook` form field (JSON text) or an already parsed object.
 * @throws AppError VALIDATION_FAILED naming what is wrong
 */
export function parseWebhookRequest(raw: unknown): WebhookRequest {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new AppError(
        'VALIDATION_FAILED',
        'webhook must be JSON like {"url": "https://...", "events": ["completed"]}',
      );
    }
  }
  const { error, value: parsed } = webhookRequestSchema.validate(value, { abortEarly: false });
  if (error) throw new AppError('VALIDATION_FAILED', `webhook: ${error.message}`);
  return parsed;
}
