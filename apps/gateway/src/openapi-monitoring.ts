import { error, headersTooLarge, retryAfter } from './openapi-errors';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });

/** The OpenAPI paths of the drift monitor: `GET /v1/monitoring` and `POST /v1/jobs/{id}/feedback`. */
export function monitoringPaths() {
  return {
    '/v1/monitoring': {
      get: {
        summary: 'Drift monitoring of the last 5 minutes and hour against the in-distribution reference',
        description:
          'OOD rate, mean reliability (the label-free accuracy estimate), predicted-class mix (PSI, chi-square) ' +
          'and input facts of every prediction the workers completed, summed over all workers; a drift score ' +
          '(largest z-score against the reference) and whether it alarms; realised accuracy from feedback beside ' +
          'the estimate. The same values are gauges on /metrics (drift_*).',
        responses: {
          '200': json(ref('Monitoring'), 'the windows'),
          '431': headersTooLarge,
          '503': error(503, 'Redis unavailable', retryAfter),
        },
      },
    },
    '/v1/jobs/{id}/feedback': {
      post: {
        summary: 'Record the true label of a completed job',
        description:
          'Counted once per job in the monitoring windows (realised accuracy). The same label again answers the ' +
          'same with replayed: true; another label is 409 FEEDBACK_CONFLICT.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: ref('FeedbackRequest') } } },
        responses: {
          '200': json(ref('Feedback'), 'the recorded feedback'),
          '400': error(400, 'the body is not {"label": <0-9>}'),
          '404': error(404, 'no such job'),
          '409': error(409, 'the job is not completed (JOB_NOT_COMPLETED) or has another label (FEEDBACK_CONFLICT)'),
          '413': error(413, 'body too large'),
          '431': headersTooLarge,
          '503': error(503, 'Redis unavailable', retryAfter),
        },
      },
    },
  };
}
